"""What an expression cannot match without, as a condition on which phrases a text holds.

A set of short phrases is a cheap first look at a paste: its automaton stays small and warm,
where a set of the whole expressions grows a large automaton that each new error paste walks
through cold. Only the expressions whose condition holds are run.

The condition is worked out from the expression's syntax tree (as Python's parser reads it: the
knowledge base writes the syntax RE2 and Python share), in the way of RE2's FilteredRE2. A run of
literals is one of a few exact strings, and runs joined by white space (`\\s+`) make a phrase; a
sequence needs what its most selective parts need; a choice needs what one of its branches needs;
a part that may be absent, or a character class too wide to spell out, needs nothing. Phrases are
looked for without regard to case, which can only find more.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import re2


@dataclass(frozen=True, slots=True)
class Phrase:
    """An RE2 expression of literals and white space, and how many literal characters it has."""

    regex: str
    weight: int


# A phrase, or ("all", parts) / ("any", parts): every part holds / one part holds.
Need = Phrase | tuple[str, tuple["Need", ...]]
ALWAYS: Need = ("all", ())

# A run of literals is spelled out while it stays this few strings.
_MAX_EXACT = 16
# Phrases with fewer literal characters select too little: a part needing only them needs nothing.
MIN_WEIGHT = 3
# Of the parts a sequence needs, this many of the most selective are looked for.
KEPT_PARTS = 2
# ...the second only when it is no common word (it tells patterns of one family apart).
_MIN_EXTRA_WEIGHT = 6
_MAX_CLASS = 4


def selectivity(condition: Need) -> int:
    """How rarely a condition holds in ordinary text, roughly: the literal characters of the
    lightest phrase it cannot hold without."""
    if isinstance(condition, Phrase):
        return condition.weight
    kind, parts = condition
    if not parts:
        return 0
    scores = [selectivity(part) for part in parts]
    return max(scores) if kind == "all" else min(scores)


def _all(parts: Iterable[Need]) -> Need:
    """What every part needs (parts needing nothing drop out: ALWAYS is the empty "all"); only the
    most selective parts are kept (needing fewer of them is still needed), so that the phrase set
    stays small and ordinary words out of it."""
    flat: list[Need] = []
    for part in parts:
        for each in part[1] if isinstance(part, tuple) and part[0] == "all" else (part,):
            if each not in flat:
                flat.append(each)
    flat = sorted(flat, key=selectivity, reverse=True)
    flat = flat[:1] + [part for part in flat[1:KEPT_PARTS] if selectivity(part) >= _MIN_EXTRA_WEIGHT]
    return flat[0] if len(flat) == 1 else ("all", tuple(flat))


def _any(parts: Iterable[Need]) -> Need:
    """What one of the parts needs; phrases of a choice are one phrase (an alternation)."""
    flat: list[Need] = []
    for part in parts:
        if part == ALWAYS:
            return ALWAYS
        for each in part[1] if isinstance(part, tuple) and part[0] == "any" else (part,):
            if each not in flat:
                flat.append(each)
    phrases = [p for p in flat if isinstance(p, Phrase)]
    if len(phrases) > 1:
        merged = Phrase(_alternation(sorted(p.regex for p in phrases)), min(p.weight for p in phrases))
        flat = [merged, *(p for p in flat if not isinstance(p, Phrase))]
    return flat[0] if len(flat) == 1 else ("any", tuple(flat))


def _alternation(regexes: Collection[str]) -> str:
    return next(iter(regexes)) if len(regexes) == 1 else "(?:" + "|".join(regexes) + ")"


def _spelled(string: str) -> str:
    """The literal string as a phrase reads it: its white space, as any gap (see _GAPS)."""
    return _GAP.join(map(re2.escape, _WHITE_SPACE.split(string)))


def _strings(strings: Collection[str]) -> str:
    return _alternation(sorted(map(_spelled, strings)))


@dataclass(frozen=True)
class _Info:
    """A piece of an expression: exactly one of `exact` (a finite language), else what it needs."""

    exact: frozenset[str] | None = None
    need: Need = ALWAYS

    @property
    def needs(self) -> Need:
        if self.exact is None:
            return self.need
        weight = min(map(len, self.exact), default=0)
        return Phrase(_strings(self.exact), weight) if weight >= MIN_WEIGHT else ALWAYS


_ANYTHING = _Info()
_NOTHING = frozenset({""})


class _PhraseBuilder:
    """The phrase a sequence is spelling: literal runs, and the white space between them."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.weight = 0
        self.run: frozenset[str] = _NOTHING

    def add(self, exact: frozenset[str]) -> None:
        if len(self.run) * len(exact) <= _MAX_EXACT:
            self.run = frozenset(a + b for a in self.run for b in exact)
        else:
            self._close_run()
            self.run = exact

    def gap(self, regex: str) -> None:
        self._close_run()
        if self.pieces:
            self.pieces.append(regex)

    def _close_run(self) -> None:
        if self.run != _NOTHING:
            self.pieces.append(_strings(self.run))
            self.weight += min(map(len, self.run))
        self.run = _NOTHING

    def close(self) -> Need:
        """The phrase spelled so far (ALWAYS when too light), and a fresh start."""
        self._close_run()
        spaced = False  # white space must follow the last run: the phrase ends with one
        while self.pieces and self.pieces[-1] in _GAPS.values():
            spaced |= self.pieces.pop() == _GAP
        if spaced and self.pieces:
            self.pieces.append(_GAP)
        phrase = Phrase("".join(self.pieces), self.weight)
        self.pieces, self.weight = [], 0
        return phrase if phrase.weight >= MIN_WEIGHT else ALWAYS


# White space a phrase may hold, by the (minimum, maximum) of `\s`'s repetition. A phrase reads any
# gap as one of any length, backticks counted as white space: then tidying a paste's white space and
# code fences (bot.paste.TIDYING) cannot make a phrase appear, and a paste holding none needs no
# tidying to be seen to match nothing.
_GAP, _MAYBE_GAP = r"[\s`]+", r"[\s`]*"
_GAPS = {(1, sre.MAXREPEAT): _GAP, (0, sre.MAXREPEAT): _MAYBE_GAP, (0, 1): _MAYBE_GAP, (1, 1): _GAP}
_WHITE_SPACE = re.compile(r"[ \t\n\r\f]+")


def _gap(op: Any, value: Any) -> str | None:
    """The RE2 text of white space (`\\s+`, `\\s*`...) that the node is, else None."""
    if op is sre.IN and value == [(sre.CATEGORY, sre.CATEGORY_SPACE)]:
        return _GAP
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
        low, high, item = value
        if list(item) == [(sre.IN, [(sre.CATEGORY, sre.CATEGORY_SPACE)])]:
            return _GAPS.get((low, high))
    return None


def _sequence(items: Iterable[tuple[Any, Any]]) -> _Info:
    """Neighbouring finite pieces make one run (their products, while few), runs joined by
    white space a phrase; the sequence needs what its phrases and other pieces need."""
    needs: list[Need] = []
    phrase = _PhraseBuilder()
    finite = True  # every piece so far is finite
    for op, value in items:
        gap = _gap(op, value)
        info = _node(op, value) if gap is None else _ANYTHING
        if info.exact is not None:
            phrase.add(info.exact)
            continue
        finite = False
        if gap is not None:
            phrase.gap(gap)
            continue
        needs += [phrase.close(), info.need]
    if finite and not phrase.pieces:  # one run, never closed: the sequence is finite
        return _Info(exact=phrase.run)
    needs.append(phrase.close())
    return _Info(need=_all(needs))


def _class(items: list[tuple[Any, Any]]) -> _Info:
    chars: set[str] = set()
    for op, value in items:
        if op is sre.LITERAL:
            chars.add(chr(value))
        elif op is sre.RANGE and value[1] - value[0] < _MAX_CLASS:
            chars.update(chr(c) for c in range(value[0], value[1] + 1))
        else:
            return _ANYTHING
        if len(chars) > _MAX_CLASS:
            return _ANYTHING
    return _Info(exact=frozenset(chars))


def _branch(infos: list[_Info]) -> _Info:
    if all(info.exact is not None for info in infos):
        union = frozenset().union(*(info.exact for info in infos if info.exact is not None))
        if len(union) <= _MAX_EXACT:
            return _Info(exact=union)
    return _Info(need=_any(info.needs for info in infos))


def _node(op: Any, value: Any) -> _Info:
    if op is sre.LITERAL:
        return _Info(exact=frozenset({chr(value)}))
    if op is sre.AT:
        return _Info(exact=_NOTHING)  # a boundary matches no character
    if op is sre.IN:
        return _class(value)
    if op is sre.SUBPATTERN:
        return _sequence(value[-1])
    if op is sre.BRANCH:
        return _branch([_sequence(branch) for branch in value[1]])
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, high, item = value
        inner = _sequence(item)
        if low == high == 1:
            return inner
        return _Info(need=inner.needs) if low > 0 else _ANYTHING
    return _ANYTHING  # any character, a category, a negated literal...


# RE2 syntax Python's parser reads otherwise without failing: a POSIX class such as [[:alpha:]]
# (Python sees a set and a literal "]"). Syntax it cannot read at all raises, and needs nothing.
_MISREAD = re.compile(r"\[:\^?[a-z]+:\]")


def need(regex: str) -> Need:
    """What a text must hold for the expression to match in it (ALWAYS when nothing is known,
    as for syntax Python's parser does not read as RE2 does)."""
    if _MISREAD.search(regex):
        return ALWAYS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _sequence(sre_parse.parse(regex)).needs
    except (re.error, RecursionError, OverflowError):
        return ALWAYS


def phrases(condition: Need) -> set[Phrase]:
    """Every phrase the condition looks at."""
    if isinstance(condition, Phrase):
        return {condition}
    return set().union(*(phrases(part) for part in condition[1]))


def alternatives(condition: Need) -> list[frozenset[Phrase]]:
    """The condition as a choice of phrase sets: it holds when a text holds every phrase of one."""
    if isinstance(condition, Phrase):
        return [frozenset({condition})]
    kind, parts = condition
    if kind == "any":
        return [choice for part in parts for choice in alternatives(part)]
    choices = [frozenset[Phrase]()]
    for part in parts:
        choices = [a | b for a in choices for b in alternatives(part)]
    return choices


def phrase_expression(phrase: Phrase) -> str:
    """The RE2 expression finding the phrase, without regard to case."""
    return "(?i:" + phrase.regex + ")"
