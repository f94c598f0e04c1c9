"""Fill a cause's reply with the names from the paste: the advice every renderer shows.

Templates name values as {name} or {name|words used when the paste lacks it}. Commands use only
values that are safe to run as pasted (no masks, no quotes); a command whose values are missing
falls back to its next alternative, which looks the value up instead of inventing it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.diagnosis import Diagnosis
from bot.knowledge import Cause, Lang
from bot.values import applies, runnable, template_values

PLACEHOLDER = re.compile(r"\{([a-z_]+)(?:\|([^{}]*))?\}")


def placeholders(template: str) -> list[str]:
    return [m.group(1) for m in PLACEHOLDER.finditer(template)]


def fill(template: str, values: Mapping[str, str], escape: Callable[[str], str] = str) -> str | None:
    """The template with its values, fallbacks where a value is missing; None when one has neither."""
    missing = False

    def substitute(match: re.Match[str]) -> str:
        nonlocal missing
        name, fallback = match.group(1), match.group(2)
        if name in values:
            return escape(values[name])
        if fallback is None:
            missing = True
            return ""
        return fallback

    result = PLACEHOLDER.sub(substitute, template)
    return None if missing else result


def first_filled(
    alternatives: list[str], values: Mapping[str, str], escape: Callable[[str], str] = str
) -> str | None:
    for alternative in alternatives:
        filled = fill(alternative, values, escape)
        if filled is not None:
            return filled
    return None


@dataclass(frozen=True)
class Command:
    label: str
    run: str


@dataclass(frozen=True)
class Advice:
    """A diagnosis in one language, every template filled: what the renderers show."""

    cause: Cause
    lang: Lang
    confidence: float
    entities: dict[str, Any]
    title: str
    summary: str
    explanation: str
    steps: list[str]
    commands: list[Command]
    policy: str | None
    references: list[str]


def _json_string(value: str) -> str:
    return json.dumps(value)[1:-1]


def advise(diagnosis: Diagnosis, lang: Lang, passed_to_service: Mapping[str, str]) -> Advice:
    """Fill the diagnosis's cause with its entities, in `lang`."""
    cause = diagnosis.cause
    values = template_values(diagnosis.entities, passed_to_service)
    safe = runnable(values)
    steps = [s for s in (fill(step(lang), values) for step in cause.steps if applies(step.when, values)) if s]
    commands = []
    for command in cause.commands:
        if not applies(command.when, values):
            continue
        run = first_filled(command.run, safe)
        if run is not None:
            commands.append(Command(fill(command.label(lang), values) or command.label(lang), run))
    policy = first_filled(cause.policy, values, _json_string)
    return Advice(
        cause=cause,
        lang=lang,
        confidence=diagnosis.confidence,
        entities=diagnosis.entities,
        title=fill(cause.title(lang), values) or cause.title(lang),
        summary=fill(cause.summary(lang), values) or cause.summary(lang),
        explanation=fill(cause.explanation(lang), values) or cause.explanation(lang),
        steps=steps,
        commands=commands,
        policy=policy,
        references=list(cause.references),
    )
