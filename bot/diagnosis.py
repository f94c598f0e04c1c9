"""From a paste to diagnoses: normalise, take out credentials, match, extract, rank, collapse."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from bot import credentials, entities, language, paste
from bot.knowledge import CONFIDENT, Cause, Lang, bundled
from bot.matcher import Hit, Matcher


@dataclass(frozen=True)
class Diagnosis:
    """One error recognised in a paste: its cause, how sure the match is, and what it names."""

    cause: Cause
    confidence: float
    entities: dict[str, Any]
    position: int

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


def _overlaps(hit: Hit, kept: list[Hit]) -> bool:
    return any(hit.start < other.end and other.start < hit.end for other in kept)


def _rank(cause: Cause) -> int:
    """Precedence: the cause's level; question-type causes after every error."""
    return cause.level + (10 if cause.asked_only else 0)


def prepare(text: str) -> tuple[str, list[str]]:
    """The paste normalised, credentials taken out, and the kinds of credential seen."""
    return credentials.redact(paste.normalise(text))


def _select(hits: list[Hit]) -> list[Hit]:
    """One cause per place in the text: the most specific level wins, then the longest match."""
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (_rank(h.cause), h.start, -(h.end - h.start), -h.confidence)):
        if not _overlaps(hit, kept):
            kept.append(hit)
    return kept


def _entities(matcher: Matcher, hit: Hit, text: str) -> dict[str, Any]:
    captures: dict[str, str] = {}
    for rule in hit.cause.context:
        captures |= {
            key: value
            for key, value in matcher.context(rule, text, hit.start, hit.end).items()
            if key not in captures
        }
    # What the error sentence itself says beats what its surroundings suggest.
    captures |= hit.captures
    return entities.build(captures, matcher.kb.shared.deny_layers)


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
    reply_lang = lang or language.detect(text)
    normalised, secrets_seen = prepare(text)
    hits = [h for h in matcher.hits(normalised) if asked or not h.cause.asked_only]
    strong = _select([h for h in hits if h.confidence >= CONFIDENT])
    diagnoses: list[Diagnosis] = []
    seen: set[tuple[str, str]] = set()
    for hit in sorted(strong, key=lambda h: (_rank(h.cause), h.start)):
        found = _entities(matcher, hit, normalised)
        key = (hit.cause.id, repr(sorted(found.items())))
        if key not in seen:
            seen.add(key)
            diagnoses.append(Diagnosis(hit.cause, hit.confidence, found, hit.start))
    question = None
    if asked and not diagnoses:
        weak = sorted((h for h in hits if h.cause.question), key=lambda h: (-h.confidence, h.start))
        if weak and weak[0].cause.question:
            question = weak[0].cause.question(reply_lang)
    return Triage(diagnoses, reply_lang, secrets_seen, question)
