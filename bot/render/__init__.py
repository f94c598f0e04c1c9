"""Pure renderers of a Triage: terminal text, the JSON contract, Slack Block Kit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.advice import Advice, advise
from bot.diagnosis import Triage
from bot.knowledge import KnowledgeBase, Lang, Messages


def advices(triage: Triage, kb: KnowledgeBase) -> list[Advice]:
    """Every diagnosis of the triage, filled in the triage's language."""
    return [advise(d, triage.lang, kb.shared.passed_to_service) for d in triage.diagnoses]


def describe_deny(deny: Mapping[str, Any], messages: Messages, lang: Lang) -> str:
    kind = messages.deny_kind[deny["kind"]](lang)
    text = f"{kind} {messages.layer[deny['policy_type']](lang)}"
    if "policy_arn" in deny:
        text += f" ({deny['policy_arn']})"
    return text


def facts(advice: Advice, messages: Messages) -> list[tuple[str, str]]:
    """What failed, as (label, value) rows in the advice's language."""
    rows: list[tuple[str, str]] = []
    for key, value in advice.entities.items():
        if key not in messages.entity or key == "account_id":
            continue
        shown = describe_deny(value, messages, advice.lang) if key == "deny" else str(value)
        rows.append((messages.entity[key](advice.lang), shown))
    return rows


def secrets_note(triage: Triage, messages: Messages) -> str | None:
    if not triage.secrets_seen:
        return None
    return messages.secrets_seen(triage.lang).replace("{kinds}", ", ".join(triage.secrets_seen))
