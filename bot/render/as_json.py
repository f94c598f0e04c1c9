"""The machine form of a triage: the `diagnose --json` contract."""

from __future__ import annotations

from typing import Any

from bot.advice import Advice
from bot.diagnosis import Triage
from bot.knowledge import KnowledgeBase
from bot.render import advices


def _diagnosis(advice: Advice) -> dict[str, Any]:
    item: dict[str, Any] = {
        "cause": advice.cause.id,
        "title": advice.title,
        "confidence": advice.confidence,
        "entities": advice.entities,
        "steps": advice.steps,
        "commands": [c.run for c in advice.commands],
        "references": advice.references,
        "level": advice.cause.level,
        "summary": advice.summary,
    }
    if advice.policy:
        item["policy_statement"] = advice.policy
    return item


def render(triage: Triage, kb: KnowledgeBase) -> dict[str, Any]:
    """The JSON object for one paste: `diagnoses`, then `question` and `secrets_seen` where present."""
    result: dict[str, Any] = {"diagnoses": [_diagnosis(a) for a in advices(triage, kb)]}
    if triage.question:
        result["question"] = triage.question
    if triage.secrets_seen:
        result["secrets_seen"] = triage.secrets_seen
    return result
