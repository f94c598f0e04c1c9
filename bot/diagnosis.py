"""From a paste to diagnoses: normalise, take out credentials, match, extract, rank, collapse."""

from __future__ import annotations

import bisect
import operator
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from bot import credentials, entities, language, paste
from bot.knowledge import Cause, KnowledgeBase, Lang, bundled
from bot.matcher import Hit, Matcher, Use
from bot.values import DENY_VALUES, applies, deny_values, template_values


# Diagnoses are values: built once, never changed (slots, not frozen: a frozen dataclass costs a
# microsecond more to build).
@dataclass(slots=True)
class Diagnosis:
    """One error recognised in a paste: its cause, how sure the match is, and what it names."""

    cause: Cause
    confidence: float
    entities: dict[str, Any]
    start: int
    end: int
    # Values read but never shown (an encoded authorization message, for decoding; which shape of the
    # error matched, for the steps that hang on it). Repeats collapse by entities alone, keeping
    # every repeat's hidden values (the first's where they share a name).
    hidden: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def level(self) -> int:
        return self.cause.level


class Triage:
    """Everything the bot concluded about one paste; the first diagnosis is the primary one."""

    __slots__ = ("_lang", "_paste", "diagnoses", "question", "secrets_seen")

    def __init__(
        self,
        diagnoses: list[Diagnosis],
        lang: Lang | None,
        secrets_seen: list[str] | None = None,
        question: str | None = None,
        paste: str = "",
    ) -> None:
        """`lang` None: the paste's own language, worked out only when a reply needs it (most
        chat messages get none)."""
        # One statement an attribute: every chat message builds a triage.
        self.diagnoses = diagnoses
        self.secrets_seen = [] if secrets_seen is None else secrets_seen
        self.question = question
        self._lang = lang
        self._paste = paste

    @property
    def lang(self) -> Lang:
        """The language to reply in."""
        if self._lang is None:
            self._lang = language.detect(self._paste)
        return self._lang

    @property
    def primary(self) -> Diagnosis | None:
        return self.diagnoses[0] if self.diagnoses else None

    def __repr__(self) -> str:
        return f"Triage({self.diagnoses!r}, lang={self.lang!r}, secrets_seen={self.secrets_seen!r})"


# What tells that a paste must be prepared (normalised, credentials taken out) before matching.
SIGNS = (*paste.CHANGES, *credentials.SIGNS)


# A look's signs, numbered as in SIGNS (an unknown sign, -1, calls for everything): it finds few.
def _call_for_normalising(signs: tuple[int, ...]) -> bool:
    return min(signs) < len(paste.CHANGES)


def _only_tidy(signs: tuple[int, ...]) -> bool:
    """No sign, or only signs of white space to tidy."""
    return not signs or (min(signs) >= 0 and max(signs) < len(paste.TIDYING))


def _call_for_redacting(signs: tuple[int, ...]) -> bool:
    return bool(signs) and (min(signs) < 0 or max(signs) >= len(paste.CHANGES))


def compile_matcher(kb: KnowledgeBase) -> Matcher:
    """The knowledge base's matcher, with what it needs to read most messages as they are."""
    return Matcher(kb, SIGNS)


@cache
def default_matcher() -> Matcher:
    """The matcher of the bundled knowledge base, compiled once per process."""
    return compile_matcher(bundled())


def prepare(text: str) -> tuple[str, list[str]]:
    """The paste normalised, credentials taken out, and the kinds of credential seen."""
    return credentials.redact(paste.normalise(text))


_LONG = 4000


def first_look(matcher: Matcher, text: str) -> tuple[bytes, list[int] | None, list[str]]:
    """The prepared paste's UTF-8 bytes, the expressions that may match in them (None: not
    looked at yet), and the kinds of credential seen: what `prepare` gives (but where nothing can
    match, `possible` is [], the bytes may be the paste's own). The signs a look finds tell which
    preparing steps can change the paste: most messages need none, and are done in one set scan;
    most of the rest need normalising but hold no credential."""
    needs_normalising = True
    signs: tuple[int, ...] = (-1,)  # not looked at as it is: as if a sign called for everything
    plain = text
    # A longer paste is cut first; a long one that normalising likely changes is not looked at
    # as it is (a look at 40,000 characters costs half as much as normalising them).
    if len(text) <= _LONG or (len(text) <= paste.MAX_CHARS and not paste.likely_changed(text)):
        if "<" in text and text.isascii() and text.replace("\n", "").isprintable():
            # Of the normalising steps, only writing out Slack's links can act first on such a text.
            plain = paste.unlink(text)
        data = plain.encode("utf-8", "replace")
        possible, signs = matcher.look(data)
        if not signs:
            # Whether lines were wrapped is worked out last and once: it splits the text.
            needs_normalising = len(plain) > paste.SHORT and paste.wrapped(plain)
            if not needs_normalising:
                return data, possible, []  # most messages: nothing to prepare
        elif possible == [] and _only_tidy(signs) and not paste.may_rejoin(plain):
            # No phrase, and tidying white space cannot make one: chatter with a code block.
            return data, possible, []
        else:
            needs_normalising = _call_for_normalising(signs) or paste.wrapped(plain)
    if needs_normalising:
        # What the look found spares normalising the steps that cannot act (None: an unknown
        # sign; links written out before the look are still in the text).
        seen: tuple[int, ...] | None = None if -1 in signs else signs
        if seen is not None and plain is not text:
            seen = (*seen, paste.MARKUP)
        undecorated = paste.undecorate(text, seen)
        prepared = paste.rejoin(undecorated, seen)
        data = prepared.encode("utf-8", "replace")
        if _only_tidy(signs) and prepared is undecorated:
            # The look at the text as it is holds: tidying white space makes no phrase appear or
            # go (bot.literals reads any gap alike) and no credential sign; only joining lines could.
            return data, possible, []
        possible, signs = matcher.look(data)
    if _call_for_redacting(signs):
        redacted, secrets_seen = credentials.redact_data(data)
        if secrets_seen:
            return redacted, None, secrets_seen
    return data, possible, []


class _Read:
    """A match's entities and hidden values; the values derived from them, and which causes'
    requirements they meet, worked out only when a cause asks."""

    __slots__ = ("_derived", "_meets", "_passed_to_service", "hidden", "values")

    def __init__(
        self, values: dict[str, Any], hidden: dict[str, str], passed_to_service: dict[str, str]
    ) -> None:
        self.values, self.hidden, self._passed_to_service = values, hidden, passed_to_service
        self._derived: dict[str, str] | None = None
        self._meets: dict[str, bool] = {}

    def meets(self, cause: Cause) -> bool:
        """True when the values satisfy the cause's `requires` (one layer cause per denial)."""
        if cause.id not in self._meets:
            if cause.requires.keys() <= DENY_VALUES:  # the layer causes': the denial alone tells
                derived = deny_values(self.values)
            else:
                if self._derived is None:
                    self._derived = template_values(self.values, self._passed_to_service)
                derived = self._derived
            self._meets[cause.id] = applies(cause.requires, derived)
        return self._meets[cause.id]


# A match's pattern, the context rules its use reads, and its bytes.
_Same = tuple[int, tuple[str, ...], bytes]


class _Reading:
    """One normalised paste being read: its hits, and each hit's entities worked out once."""

    def __init__(self, matcher: Matcher, data: bytes, hits: list[Hit], nearby: frozenset[int]) -> None:
        self.matcher, self.data, self.hits, self.nearby = matcher, data, hits, nearby
        # What a match says, by place (the causes sharing one pattern) and by its bytes and those
        # around it (the same error repeated in a paste). The bytes around a match are compared
        # only once its own bytes repeat: `_unkeyed` holds the first read of a match's bytes, not
        # yet keyed by what is around it.
        self._at: dict[tuple[int, tuple[str, ...], int, int], _Read] = {}
        self._seen: dict[_Same, dict[tuple[bytes, bytes], _Read]] = {}
        self._unkeyed: dict[_Same, tuple[Hit, _Read]] = {}
        self._excluded: dict[str, bool] = {}
        self._reach: dict[tuple[str, ...], tuple[int, int]] = {}  # by context rules read

    def _entities(self, hit: Hit, context: tuple[str, ...]) -> _Read:
        captures: dict[str, str] = {}
        for rule in context:
            for key, value in self.matcher.context(rule, self.data, hit.start, hit.end, self.nearby).items():
                captures.setdefault(key, value)  # an earlier rule wins
        # What the error sentence itself says beats what its surroundings suggest.
        captures |= hit.captures
        values = entities.build(captures, self.matcher.kb.shared.deny_layers)
        return _Read(values, entities.hidden(captures), self.matcher.kb.shared.passed_to_service)

    def _read(self, hit: Hit, context: tuple[str, ...]) -> _Read:
        place = (hit.pattern, context, hit.start, hit.end)
        read = self._at.get(place)
        if read is not None:
            return read
        same = (hit.pattern, context, self.data[hit.start : hit.end])
        arounds = self._seen.get(same)
        if arounds is None:
            read = self._entities(hit, context)
            self._seen[same], self._unkeyed[same] = {}, (hit, read)
        else:
            first = self._unkeyed.pop(same, None)
            if first is not None:
                arounds[self._around(first[0], context)] = first[1]
            around = self._around(hit, context)
            read = arounds.get(around)
            if read is None:
                read = arounds[around] = self._entities(hit, context)
        self._at[place] = read
        return read

    def _around(self, hit: Hit, context: tuple[str, ...]) -> tuple[bytes, bytes]:
        """The bytes before and after a match that reading it with the context rules sees."""
        reach = self._reach.get(context)
        if reach is None:
            reach = self._reach[context] = self.matcher.reach(context, self.nearby)
        before, after = reach
        return self.data[max(0, hit.start - before) : hit.start], self.data[hit.end : hit.end + after]

    def _ruled_out(self, cause: Cause) -> bool:
        """True when the text holds one of the cause's exclusions (looked for once per cause)."""
        if cause.id not in self._excluded:
            self._excluded[cause.id] = self.matcher.excluded(cause, self.data, self.nearby)
        return self._excluded[cause.id]

    def accept(self, hit: Hit, use: Use) -> Diagnosis | None:
        """The hit as the use's diagnosis, or None when its cause is ruled out or its requirements
        fail."""
        cause = use.cause
        if cause.unless and self._ruled_out(cause):
            return None
        read = self._read(hit, use.context)
        if cause.requires and not read.meets(cause):
            return None
        return Diagnosis(cause, use.confidence, read.values, hit.start, hit.end, read.hidden)

    def first(self, hit: Hit, uses: tuple[Use, ...]) -> Diagnosis | None:
        """The hit as the diagnosis of the first of the uses whose cause holds there."""
        for use in uses:
            diagnosis = self.accept(hit, use)
            if diagnosis is not None:
                return diagnosis
        return None


def candidates(matcher: Matcher, text: str) -> list[Diagnosis]:
    """Every match of a normalised text whose cause holds there, with its entities (for the lint).
    Positions are offsets into the text's UTF-8 bytes."""
    data = text.encode("utf-8", "replace")
    reading = _Reading(matcher, data, *matcher.scan(data))
    found = (reading.accept(hit, use) for hit in reading.hits for use in hit.uses.all)
    return [d for d in found if d is not None]


_ORDER = operator.attrgetter("order")


def _select(reading: _Reading, asked: bool) -> list[Diagnosis]:
    """One cause per place in the text: the most specific level wins, then the longest match;
    the kept ones in precedence order, repeats (same cause and entities) collapsed. Only uses
    that count (Use.counts) give diagnoses."""
    kept: list[Diagnosis] = []
    taken: list[tuple[int, int]] = []  # kept spans, sorted and disjoint
    for hit in sorted(reading.hits, key=_ORDER):
        uses = hit.uses.asked if asked else hit.uses.unasked  # those whose diagnoses count
        if not uses:
            continue
        index = bisect.bisect_left(taken, (hit.start, hit.end))
        if (index > 0 and taken[index - 1][1] > hit.start) or (
            index < len(taken) and taken[index][0] < hit.end
        ):
            continue
        diagnosis = reading.first(hit, uses)
        if diagnosis is not None:
            kept.append(diagnosis)
            taken.insert(index, (hit.start, hit.end))
    if len(kept) < 2:
        return kept
    unique: dict[tuple[str, str], Diagnosis] = {}
    shown: dict[int, str] = {}  # each entities dict as compared (repeats read once share one)
    for d in sorted(kept, key=lambda d: (d.cause.rank, d.start)):
        same = shown.get(id(d.entities))
        if same is None:
            same = shown[id(d.entities)] = repr(sorted(d.entities.items()))
        key = (d.cause.id, same)
        first = unique.setdefault(key, d)
        if first is not d and not d.hidden.keys() <= first.hidden.keys():
            # A repeat in another shape (a retried MFA code refused in another way): the steps of
            # both apply. A new value: reads are shared between diagnoses.
            unique[key] = replace(first, hidden=d.hidden | first.hidden)
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
    data, possible, secrets_seen = first_look(matcher, text)
    if possible == []:  # nothing can match: most chat messages
        return Triage([], lang, secrets_seen, None, text)
    found, nearby = matcher.scan(data, possible, asked=asked)
    if not found:
        return Triage([], lang, secrets_seen, None, text)
    reading = _Reading(matcher, data, found, nearby)
    triage = Triage(_select(reading, asked), lang, secrets_seen, None, text)
    if asked and not triage.diagnoses:
        # The strongest match left whose cause has a question, and holds there, asks it.
        for hit in sorted(reading.hits, key=lambda h: (-h.uses.confidence, h.start)):
            for use in hit.uses.all:
                ask = use.cause.question
                if ask is not None and reading.accept(hit, use):
                    triage.question = ask(triage.lang)
                    return triage
    return triage
