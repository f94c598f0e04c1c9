"""Pure renderers of a Triage: terminal text, the JSON contract, Slack Block Kit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from bot.advice import Advice, advise
from bot.diagnosis import Triage
from bot.knowledge import Cause, KnowledgeBase, Lang, Messages


def advices(triage: Triage, kb: KnowledgeBase, first: int | None = None) -> list[Advice]:
    """Every diagnosis of the triage (only the first `first`, when given: what a reply shows),
    filled in the triage's language."""
    shown = triage.diagnoses if first is None else triage.diagnoses[:first]
    return [advise(d, triage.lang, kb.shared.passed_to_service) for d in shown]


def describe_deny(deny: Mapping[str, Any], messages: Messages, lang: Lang) -> str:
    kind = messages.deny_kind[deny["kind"]](lang)
    text = f"{kind} {messages.layer[deny['policy_type']](lang)}"
    if "policy_arn" in deny:
        text += f" ({deny['policy_arn']})"
    return text


# The level of the causes that are one denying layer each (their own replies say who owns the fix).
_LAYER_LEVEL = 2


def _speaks_of_layers(cause: Cause) -> bool:
    """True when the cause's own steps say what to do in each layer (a layer's own cause, or one
    with steps for the layers AWS names; a step left out for a layer speaks of none)."""
    return cause.level == _LAYER_LEVEL or any(
        not step.when.get("layer", "!").startswith("!") for step in cause.steps
    )


def deny_notes(advice: Advice, messages: Messages) -> list[str]:
    """What a reply says of the denying layer AWS named, if it named one: who owns the fix and that
    an explicit Deny overrides every Allow (unless the cause's own steps speak of the layers), and
    that AWS names only one layer."""
    deny = advice.entities.get("deny")
    if not isinstance(deny, Mapping):
        return []
    notes = []
    if not _speaks_of_layers(advice.cause):
        notes.append(messages.layer_owner[deny["policy_type"]](advice.lang))
        if deny["kind"] == "explicit":
            notes.append(messages.explicit_overrides(advice.lang))
    return [*notes, messages.one_layer_only(advice.lang)]


class Fact(NamedTuple):
    """One row of what failed: a value read from the paste, or (`worded`) a sentence about one
    (the denying layer)."""

    label: str
    value: str
    worded: bool = False


def facts(advice: Advice, messages: Messages) -> list[Fact]:
    """What failed, as rows in the advice's language."""
    rows: list[Fact] = []
    for key, value in advice.entities.items():
        if key not in messages.entity or key == "account_id":
            continue
        label = advice.cause.entity_labels.get(key, messages.entity[key])(advice.lang)
        if key == "deny":
            rows.append(Fact(label, describe_deny(value, messages, advice.lang), worded=True))
        else:
            rows.append(Fact(label, str(value)))
    return rows


def secrets_note(kinds: Sequence[str], lang: Lang, messages: Messages) -> str | None:
    """The note to the poster of credentials of these kinds (None where there are none)."""
    if not kinds:
        return None
    return messages.secrets_seen(lang).replace("{kinds}", ", ".join(kinds))
