"""From a paste to diagnoses: normalise, take out credentials, match, extract, rank, collapse."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from bot import credentials, entities, language, paste
from bot.knowledge import CONFIDENT, Cause, Lang, bundled
from bot.matcher import Hit, Matcher, compile_regex
from bot.values import applies, template_values


@dataclass(frozen=True)
class Diagnosis:
    """One error recognised in a paste: its cause, how sure the match is, and what it names."""

    cause: Cause
    confidence: float
    entities: dict[str, Any]
    start: int
    end: int

    @property
    def level(self) -> int:
        return self.cause.level


@dataclass(frozen=True)
class Triage:
    """Everything the bot concluded about one paste; the first diagnosis is the primary one."""

    diagnoses: list[Diagnosis]
    lang: Lang
    secrets_seen: list[str] = field(default_factory=list)
    question: str | None = None

    @property
    def primary(self) -> Diagnosis | None:
        return self.diagnoses[0] if self.diagnoses else None


@cache
def default_matcher() -> Matcher:
    """The matcher of the bundled knowledge base, compiled once per process."""
    return Matcher(bundled())


def _rank(cause: Cause) -> int:
    """Precedence: the cause's level; question-type causes after every error."""
    return cause.level + (10 if cause.asked_only else 0)


def prepare(text: str) -> tuple[str, list[str]]:
    """The paste normalised, credentials taken out, and the kinds of credential seen."""
    return credentials.redact(paste.normalise(text))


def _entities(matcher: Matcher, hit: Hit, data: bytes) -> dict[str, Any]:
    captures: dict[str, str] = {}
    for rule in hit.cause.context:
        captures |= {
            key: value
            for key, value in matcher.context(rule, data, hit.start, hit.end).items()
            if key not in captures
        }
    # What the error sentence itself says beats what its surroundings suggest.
    captures |= hit.captures
    return entities.build(captures, matcher.kb.shared.deny_layers)


def candidates(matcher: Matcher, text: str) -> list[Diagnosis]:
    """Every match of a normalised text whose cause's requirements hold, with its entities.
    Positions are offsets into the text's UTF-8 bytes."""
    data = text.encode("utf-8", "replace")
    found = []
    ruled_out: dict[str, bool] = {}
    for hit in matcher.hits(data):
        cause = hit.cause
        if cause.unless and cause.id not in ruled_out:
            ruled_out[cause.id] = any(
                compile_regex(matcher.kb.expand(r).encode()).search(data) for r in cause.unless
            )
        if ruled_out.get(cause.id):
            continue
        values = _entities(matcher, hit, data)
        if hit.cause.requires and not applies(
            hit.cause.requires, template_values(values, matcher.kb.shared.passed_to_service)
        ):
            continue
        found.append(Diagnosis(hit.cause, hit.confidence, values, hit.start, hit.end))
    return found


def _select(found: list[Diagnosis]) -> list[Diagnosis]:
    """One cause per place in the text: the most specific level wins, then the longest match;
    the kept ones in precedence order, repeats (same cause and entities) collapsed."""
    kept: list[Diagnosis] = []
    for d in sorted(found, key=lambda d: (_rank(d.cause), d.start, d.start - d.end, -d.confidence)):
        if not any(d.start < other.end and other.start < d.end for other in kept):
            kept.append(d)
    unique: dict[tuple[str, str], Diagnosis] = {}
    for d in sorted(kept, key=lambda d: (_rank(d.cause), d.start)):
        unique.setdefault((d.cause.id, repr(sorted(d.entities.items()))), d)
    return list(unique.values())


def diagnose(
    text: str,
    *,
    asked: bool = False,
    lang: Lang | None = None,
    matcher: Matcher | None = None,
) -> Triage:
    """Diagnose a paste. Passive mode keeps only confident matches; asked mode also answers
    question-type causes and turns a weak match into a clarifying question."""
    matcher = matcher or default_matcher()
    if paste.plain(text) and not matcher.may_match(text.encode("utf-8", "replace")):
        # Ordinary chatter: normalising would not change it, and no pattern occurs in it.
        return Triage([], lang or language.detect(text), credentials.redact(text)[1])
    reply_lang = lang or language.detect(text)
    normalised, secrets_seen = prepare(text)
    found = [d for d in candidates(matcher, normalised) if asked or not d.cause.asked_only]
    diagnoses = _select([d for d in found if d.confidence >= CONFIDENT])
    question = None
    if asked and not diagnoses:
        weak = sorted((d for d in found if d.cause.question), key=lambda d: (-d.confidence, d.start))
        if weak and weak[0].cause.question:
            question = weak[0].cause.question(reply_lang)
    return Triage(diagnoses, reply_lang, secrets_seen, question)
