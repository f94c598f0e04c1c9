"""Fill a cause's reply with the names from the paste: the advice every renderer shows.

Templates name values as {name} or {name|words used when the paste lacks it}. Commands use only
values that are safe to run as pasted (no masks, no quotes); a command whose values are missing
falls back to its next alternative, which looks the value up instead of inventing it. Steps point
to a command by its id, {#id}: the word for its place among the commands the reply shows
("second"), so that a pointer is never a number left over from another reply; where that command
is not shown, the fallback, or else no step (their conditions test `#id` alike).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.diagnosis import Diagnosis
from bot.knowledge import Cause, Lang
from bot.values import applies, exact, runnable, template_values

PLACEHOLDER = re.compile(r"\{(#?[a-z_]+)(?:\|([^{}]*))?\}")
# A placeholder with the single spaces around it, which set a value apart from the words next to it.
_SPACED_PLACEHOLDER = re.compile(r"( ?)" + PLACEHOLDER.pattern + r"( ?)")


def _wide(text: str) -> bool:
    """True for Japanese (and other wide) characters, which need no space beside one another."""
    return bool(text) and ord(text) >= 0x3000


def _spaced(replacement: str, before: str, after: str, spaces: tuple[str, str]) -> str:
    """The replacement with the spaces around its placeholder kept where they part two words: not
    beside nothing (an empty fallback), and not between two Japanese characters."""
    leading, trailing = spaces
    if not replacement:
        return " " if leading and trailing and not (_wide(before) and _wide(after)) else ""
    if leading and _wide(before) and _wide(replacement[0]):
        leading = ""
    if trailing and _wide(after) and _wide(replacement[-1]):
        trailing = ""
    return leading + replacement + trailing


def placeholders(template: str) -> list[str]:
    return [m.group(1) for m in PLACEHOLDER.finditer(template)]


def fill(template: str, values: Mapping[str, str], escape: Callable[[str], str] = str) -> str | None:
    """The template with its values, fallbacks where a value is missing; None when one has neither."""
    missing = False

    def substitute(match: re.Match[str]) -> str:
        nonlocal missing
        name, fallback = match.group(2), match.group(3)
        if name in values:
            replacement = escape(values[name])
        elif fallback is None:
            missing = True
            return ""
        else:
            replacement = fallback
        start, end = match.start(), match.end()
        before = template[start - 1] if start else ""
        after = template[end] if end < len(template) else ""
        return _spaced(replacement, before, after, (match.group(1), match.group(4)))

    result = _SPACED_PLACEHOLDER.sub(substitute, template)
    return None if missing else result


def first_filled(
    alternatives: list[str], values: Mapping[str, str], escape: Callable[[str], str] = str
) -> str | None:
    for alternative in alternatives:
        filled = fill(alternative, values, escape)
        if filled is not None:
            return filled
    return None


# A command's place among those shown, in words: "the {#id} command", "{#id}のコマンド".
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def ordinal(place: int, lang: Lang) -> str:
    """The word for the command at `place` (from 0) among those a reply shows."""
    number = place + 1
    if lang == "ja":
        return "最初" if number == 1 else f"{number} つ目" if number < 10 else f"{number} 番目"
    if place < len(_ORDINALS):
        return _ORDINALS[place]
    suffix = "th" if number % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


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
    values = template_values(diagnosis.entities, passed_to_service, cause.principal(diagnosis.hidden), lang)
    safe = runnable(values)
    # Conditions also see the hidden values (never shown): which shape of the error matched.
    seen = values | diagnosis.hidden
    runs = [(c, first_filled(c.run, safe)) for c in cause.commands if applies(c.when, seen)]
    shown = [(command, run) for command, run in runs if run is not None]
    # Where each command stands among those shown, for the steps that point to it.
    pointers: dict[str, str] = {}
    for place, (command, _) in enumerate(shown):
        if command.id:
            pointers.setdefault(f"#{command.id}", ordinal(place, lang))
    # A label names what its command runs with: a masked name is not what the command holds.
    commands = [Command(fill(c.label(lang), safe) or c.label(lang), run) for c, run in shown]
    applicable = [step for step in cause.steps if applies(step.when, seen | pointers)]
    alone = [step for step in applicable if step.alone]
    steps = [s for s in (fill(step(lang), values | pointers) for step in alone or applicable) if s]
    # A statement is filled only with what a policy reads as written: a mask could be a wildcard.
    policy = (
        first_filled(cause.policy, exact(values), _json_string) if applies(cause.policy_when, seen) else None
    )
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
        references=[reference.url for reference in cause.references if applies(reference.when, seen)],
    )
