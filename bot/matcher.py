"""Find the knowledge base's patterns in a paste, in time linear in its length.

Every pattern is compiled with RE2. One RE2 set of the phrases the expressions cannot match
without (bot.literals) scans the paste once: most chat messages hold none and are done. The
patterns whose phrases occur are run, by a capture-free twin, to find where they match (in a
channel, only those whose matches can count unasked; in a long paste branch by branch where
bot.leads finds literals RE2 skips to); the context rules' and exclusions' expressions whose
phrases occur are looked for only where a match needs them. What the groups captured is read only
for the matches that count. Matching runs on the paste's UTF-8 bytes (offsets are byte offsets):
the str interface of the RE2 binding re-encodes the text on every call.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import re2

from bot.knowledge import CONFIDENT, Cause, ContextRule, KnowledgeBase, KnowledgeError
from bot.leads import NO_MATCH, UNANCHORED, BranchScans, split_at_leads
from bot.literals import ALWAYS, alternatives, need, phrase_expression, phrases

# The binding's Match objects cost more than the matching itself on short spans; the scans below
# call the compiled expression directly and get (start, end) byte spans, one per group.
_ANCHOR_START = re2._Anchor.ANCHOR_START
_ANCHOR_BOTH = re2._Anchor.ANCHOR_BOTH
_NOTHING: frozenset[int] = frozenset()


def _options(latin1: bool = False) -> Any:
    options = re2.Options()
    options.log_errors = False
    options.max_mem = 64 << 20
    if latin1:
        options.encoding = re2.Options.Encoding.LATIN1
    return options


@cache
def compile_regex(regex: str | bytes, latin1: bool = False) -> Any:
    """Compile one expanded pattern for RE2 (once), raising KnowledgeError when RE2 refuses it.
    A bytes pattern matches UTF-8 bytes (each byte a character when `latin1`); a str pattern
    matches str."""
    try:
        return re2.compile(regex, options=_options(latin1))
    except re2.error as exc:
        shown = regex.decode() if isinstance(regex, bytes) else regex
        raise KnowledgeError(f"RE2 cannot compile {shown[:120]!r}: {exc}") from None


def _compile_bytes(regex: str) -> Any:
    return compile_regex(regex.encode())


def _byte_twin(regex: str) -> Any:
    """The expression compiled to read bytes as Latin-1: on ASCII text it matches, and captures,
    exactly as in UTF-8 (every character one byte either way; \\b, \\w, \\s and ^ read bytes alike),
    with a smaller program where classes exclude characters (`[^\\n]` is one byte range, not a
    tree of UTF-8 sequences): small enough, often, for RE2 to read captures with its backtracker
    rather than its slower NFA. None where RE2 refuses it (a class of code points beyond Latin-1)."""
    try:
        return compile_regex(regex.encode(), latin1=True)._regexp.Match
    except KnowledgeError:
        return None


# Conditions meet the same few short values again and again; their answers are kept (only for
# short values, so that the memory the answers take stays small whatever is pasted).
_KEPT_VALUE = 256


def search(regex: str, text: str) -> bool:
    """True when the expression occurs in the text (a condition on a value, say)."""
    return _search_kept(regex, text) if len(text) <= _KEPT_VALUE else _search(regex, text)


def _search(regex: str, text: str) -> bool:
    data = text.encode("utf-8", "replace")
    return bool(_compile_bytes(regex)._regexp.Match(UNANCHORED, data, 0, len(data))[0] != NO_MATCH)


_search_kept = lru_cache(maxsize=4096)(_search)


def _set_of(expressions: Iterable[str]) -> Any:
    """One RE2 set of the expressions; Match gives the indices (in order added) of those occurring."""
    found = re2.Set.SearchSet(_options())
    for expression in expressions:
        found.Add(expression.encode())
    found.Compile()
    return found


def _name(name: str | bytes) -> str:
    """The entity a capture group names: `role_arn__2` is an alternative branch of `role_arn`."""
    text = name.decode() if isinstance(name, bytes) else name
    return text.split("__", 1)[0]


def group_names(compiled: Any) -> list[str]:
    """The entity names a compiled pattern captures."""
    return sorted({_name(name) for name in compiled.groupindex})


# A named group's opening, as the knowledge base writes groups (unescaped, outside brackets).
_NAMED_GROUP = re.compile(rb"(?<!\\)\(\?P<[A-Za-z0-9_]+>")


def _plain(regex: bytes) -> bytes:
    """The expression with its named groups made plain: RE2 then finds where it matches with its
    automata alone, where reading groups takes a slower engine (the NFA, for programs our size).
    RE2's never_capture option leaves named groups capturing, hence the rewrite."""
    return _NAMED_GROUP.sub(b"(?:", regex)


@cache
def finder(regex: bytes) -> Any:
    """The expression compiled to find where it matches (see _plain)."""
    return compile_regex(_plain(regex))


def _branch_scans(regex: bytes) -> BranchScans | None:
    """The expression as branches RE2 skips through a long text to (bot.leads); None where it
    is better scanned whole."""
    split = split_at_leads(_plain(regex).decode())
    if split is None:
        return None
    scans = []
    for branch in split:
        # A word boundary hides the literal after it: that is scanned for, the boundary checked.
        bounded = branch.startswith("\\b")
        scans.append((finder((branch[2:] if bounded else branch).encode())._regexp.Match, bounded))
    return BranchScans(scans)


# Text this long is scanned branch by branch where an expression has branches: in a shorter one,
# the calls cost more than the bytes skipped.
_LONG_SPAN = 2048


class Expression:
    """One compiled expression: where it matches is found with a capture-free twin; what its
    groups captured is read on a found span, only when someone asks."""

    __slots__ = ("_ascii", "_branch_scans", "_find", "_groups", "_read", "regex")

    def __init__(self, expanded: str) -> None:
        self.regex = _compile_bytes(expanded)
        self._find = finder(expanded.encode())._regexp.Match
        self._branch_scans = _branch_scans(expanded.encode())
        self._read = self.regex._regexp.Match
        self._ascii = _byte_twin(expanded) or self._read  # reads captures in ASCII spans
        # (group index, entity name), left to right: the first group of a name that took part wins.
        self._groups = sorted((index, _name(name)) for name, index in self.regex.groupindex.items())

    def spans(self, data: bytes, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
        """Every non-overlapping match in data[start:end], left to right (the whole text is the
        context: a match's edges see the characters around it)."""
        end = len(data) if end is None else end
        if self._branch_scans is not None and end - start >= _LONG_SPAN:
            left = yield from self._branch_scans.spans(data, start, end)
            if left is None:
                return
            start = left
        while start <= end:
            span = self._find(UNANCHORED, data, start, end)[0]
            if span == NO_MATCH:
                return
            yield span
            start = span[1] if span[1] > span[0] else span[1] + 1

    def match_at(self, data: bytes, start: int, end: int) -> tuple[int, int] | None:
        """The match starting exactly at `start` (and ending by `end`), if any."""
        span = self._find(_ANCHOR_START, data, start, end)[0]
        return None if span == NO_MATCH else span

    def occurs(self, data: bytes) -> bool:
        """True when the expression matches somewhere in data."""
        return bool(self._find(UNANCHORED, data, 0, len(data))[0] != NO_MATCH)

    def captures(self, data: bytes, start: int, end: int) -> dict[str, str]:
        """What the groups captured in the match data[start:end] (a span `spans` found). It is
        read in the span with a byte on either side: all a match's edges see of the text (a line
        break, a word character), and RE2 reads a short text's groups without first running an
        automaton over it. An ASCII span is read with the Latin-1 twin (both read those bytes
        alike)."""
        low = start - 1 if start else 0
        piece = data[low : end + 1]
        start, end = start - low, end - low
        read = self._ascii if piece[start:end].isascii() else self._read
        spans = read(_ANCHOR_BOTH, piece, start, end)
        found: dict[str, str] = {}
        for index, key in self._groups:
            first, last = spans[index]
            if last > first and key not in found:
                found[key] = piece[first:last].decode("utf-8", "replace")
        return found


@dataclass(frozen=True, slots=True)
class Use:
    """One cause's use of a pattern, with what ranking and reading a match of it need."""

    cause: Cause
    confidence: float
    rank: int
    context: tuple[str, ...]

    @classmethod
    def of(cls, cause: Cause, confidence: float) -> Use:
        return cls(cause, confidence, cause.rank, tuple(cause.context))

    def counts(self, asked: bool) -> bool:
        """True when a match gives a diagnosis: a confident match, of a cause answered unasked
        (a message in a channel) unless someone asked."""
        return self.confidence >= CONFIDENT and (asked or not self.cause.asked_only)


@dataclass(frozen=True, slots=True)
class Uses:
    """A run of one pattern's uses that rank alike (one rank, one confidence), in the knowledge
    base's order. A match is one hit for all of them, and the first whose cause holds there is its
    diagnosis: causes sharing a sentence are told apart by what it says (the denying layer)."""

    rank: int
    confidence: float
    all: tuple[Use, ...]
    asked: tuple[Use, ...]  # those that count when someone asked
    unasked: tuple[Use, ...]  # those that count in a channel

    @classmethod
    def of(cls, uses: Iterable[Use]) -> list[Uses]:
        """The uses in runs of one rank and confidence, in order (a run's uses are tried in turn;
        the runs keep the knowledge base's order where a question is chosen)."""
        runs = [tuple(run) for _, run in itertools.groupby(uses, key=lambda u: (u.rank, u.confidence))]
        return [
            cls(
                run[0].rank,
                run[0].confidence,
                run,
                *(tuple(u for u in run if u.counts(a)) for a in (True, False)),
            )
            for run in runs
        ]


class Hit:
    """One place where a pattern matched, for some of its uses; what it captured is read only when
    asked for, once for every hit of the match (a paste may hold hundreds of matches that
    precedence or repetition make irrelevant)."""

    __slots__ = ("_read", "end", "order", "pattern", "start", "uses")

    def __init__(
        self, uses: Uses, start: int, end: int, read: Callable[[], dict[str, str]], pattern: int = -1
    ) -> None:
        self.uses, self.start, self.end, self._read = uses, start, end, read
        self.pattern = pattern  # which distinct expression matched: hits of one match share it
        # Precedence: the most specific level first, then the earliest, the longest, the surest.
        self.order = (uses.rank, start, start - end, -uses.confidence)

    @property
    def captures(self) -> dict[str, str]:
        return self._read()


class _Captures:
    """The captures of one match, read the first time one of its hits asks."""

    __slots__ = ("_data", "_end", "_expression", "_start", "_value")

    def __init__(self, expression: Expression, data: bytes, start: int, end: int) -> None:
        self._expression, self._data, self._start, self._end = expression, data, start, end
        self._value: dict[str, str] | None = None

    def __call__(self) -> dict[str, str]:
        if self._value is None:
            self._value = self._expression.captures(self._data, self._start, self._end)
        return self._value


@dataclass(frozen=True)
class _CompiledPattern:
    """One distinct expression and every (cause, confidence) that uses it, grouped (Uses): causes
    that share a pattern (the AccessDenied sentence, one cause per denying layer) are scanned for
    once."""

    expression: Expression
    uses: list[Uses]


_UNKNOWN_SIGN = (-1,)


class Prefilter:
    """Which of some expressions may match a text: one RE2 set scan for the phrases they cannot
    match without (bot.literals), then each expression's condition on the phrases found. The same
    scan tells which of the `signs` occur (None: no signs known, as if every one always did).
    Only the first `leading` expressions (all by default) are looked for in their own right: the
    others (context) matter only where one of those may match."""

    def __init__(
        self, expressions: list[str], signs: Iterable[str] | None = None, leading: int | None = None
    ) -> None:
        self._leading = len(expressions) if leading is None else leading
        needs = [need(regex) for regex in expressions]
        self._phrases = sorted(set().union(*map(phrases, needs)), key=lambda p: p.regex)
        numbers = {phrase: index for index, phrase in enumerate(self._phrases)}
        # Each expression's condition, as sets of phrase numbers one of which must all occur.
        self._choices = [
            tuple(frozenset(numbers[p] for p in choice) for choice in alternatives(condition))
            for condition in needs
        ]
        watchers: list[set[int]] = [set() for _ in self._phrases]
        for index, condition in enumerate(needs):
            for phrase in phrases(condition):
                watchers[numbers[phrase]].add(index)
        self._watchers = [frozenset(w) for w in watchers]
        self.always = sorted(i for i, condition in enumerate(needs) if condition == ALWAYS)
        # Without known signs, every text is taken to hold one (an unknown one, numbered -1).
        self._signs_known = signs is not None
        leads = bool(self.always) and self.always[0] < self._leading
        self._nothing = (self.always if leads else [], () if self._signs_known else _UNKNOWN_SIGN)
        self._set = _set_of([*map(phrase_expression, self._phrases), *(signs or ())])._set.Match
        # Pastes of one kind of error hold the same few phrases again and again.
        self._holding = lru_cache(maxsize=1024)(self._holding_phrases)

    def look(self, data: bytes) -> tuple[list[int], tuple[int, ...]]:
        """The indices, ascending, of the expressions whose phrases occur in the UTF-8 text (none
        unless a leading one's do), and of the signs that do."""
        found = self._set(data)
        return self._holding(tuple(sorted(found))) if found else self._nothing

    def _holding_phrases(self, found: tuple[int, ...]) -> tuple[list[int], tuple[int, ...]]:
        count = len(self._phrases)
        present = {i for i in found if i < count}
        possible = set(self.always).union(*(self._watchers[i] for i in present))
        candidates = sorted(i for i in possible if any(choice <= present for choice in self._choices[i]))
        if not candidates or candidates[0] >= self._leading:
            candidates = []
        signs = tuple(i - count for i in found if i >= count) if self._signs_known else _UNKNOWN_SIGN
        return candidates, signs


class _Rule:
    """A context rule with its expressions, each with the number the first look gives it."""

    __slots__ = ("expressions", "look", "numbers", "to_hit", "window")

    def __init__(self, rule: ContextRule, expressions: list[tuple[int, Expression]]) -> None:
        self.look, self.window, self.to_hit = rule.look, rule.window, rule.to_hit
        self.expressions = tuple(expressions)  # in the rule's order
        self.numbers = frozenset(number for number, _ in expressions)


class Matcher:
    """The knowledge base's patterns, compiled once."""

    def __init__(self, kb: KnowledgeBase, signs: Iterable[str] | None = None) -> None:
        """`signs`: expressions telling that a paste must be prepared before it is matched."""
        self.kb = kb
        users: dict[str, list[tuple[Cause, float]]] = {}
        for cause in kb.causes:
            for pattern in cause.patterns:
                users.setdefault(kb.expand(pattern.regex), []).append((cause, pattern.confidence))
        self._patterns = [
            _CompiledPattern(Expression(r), Uses.of(Use.of(c, confidence) for c, confidence in u))
            for r, u in users.items()
        ]
        # The patterns a reading nobody asked for can use (the others are not looked for then).
        self._unasked = frozenset(i for i, p in enumerate(self._patterns) if any(u.unasked for u in p.uses))
        # The context rules' and exclusions' expressions, numbered after the patterns (as `look`
        # tells which may occur).
        nearby: dict[str, tuple[int, Expression]] = {}

        def numbered(regex: str) -> tuple[int, Expression]:
            expanded = kb.expand(regex)
            if expanded not in nearby:
                nearby[expanded] = (len(users) + len(nearby), Expression(expanded))
            return nearby[expanded]

        self._context = {
            name: _Rule(rule, [numbered(p) for p in rule.patterns])
            for name, rule in kb.shared.context.items()
        }
        self._unless = {cause.id: [numbered(r) for r in cause.unless] for cause in kb.causes}
        self.expressions = len(users) + len(nearby)
        self._prefilter = Prefilter([*users, *nearby], signs, leading=len(users))
        # A first look at a UTF-8 text, in one set scan: which expressions may occur in it (for
        # `scan`), and which signs (by index) do. (The prefilter's own: every message takes it.)
        self.look: Callable[[bytes], tuple[list[int], tuple[int, ...]]] = self._prefilter.look

    @property
    def patterns(self) -> list[tuple[Any, tuple[Use, ...]]]:
        """Each distinct compiled expression with the causes' uses of it."""
        return [(p.expression.regex, tuple(u for g in p.uses for u in g.all)) for p in self._patterns]

    def pattern_groups(self, cause: Cause) -> set[str]:
        """Every entity name the cause's own patterns can capture."""
        names: set[str] = set()
        for regex, uses in self.patterns:
            if any(use.cause.id == cause.id for use in uses):
                names.update(group_names(regex))
        return names

    def context_groups(self, rule_name: str) -> set[str]:
        return {name for _, e in self._context[rule_name].expressions for name in group_names(e.regex)}

    def scan(
        self, data: bytes, possible: list[int] | None = None, *, asked: bool = True
    ) -> tuple[list[Hit], frozenset[int]]:
        """Every match of every pattern in the UTF-8 text, in no particular order, and which
        context and exclusion expressions may occur in it (their phrases do): one set scan
        (unless `look` told `possible` already), then only the patterns whose phrases occur
        (none for most chat messages). Unless `asked`, only the patterns with a use that counts
        unasked."""
        if possible is None:
            possible = self.look(data)[0]
        patterns = len(self._patterns)
        cut = bisect.bisect_left(possible, patterns)
        candidates = possible[:cut] if asked else list(filter(self._unasked.__contains__, possible[:cut]))
        found = self.hits(data, candidates)
        return found, frozenset(possible[cut:]) if found else _NOTHING

    def excluded(self, cause: Cause, data: bytes, nearby: frozenset[int]) -> bool:
        """True when one of the cause's `unless` expressions occurs in the text."""
        return any(number in nearby and e.occurs(data) for number, e in self._unless[cause.id])

    def hits(self, data: bytes, candidates: Iterable[int]) -> list[Hit]:
        """Every match of the candidate patterns (by index) in the UTF-8 text."""
        found: list[Hit] = []
        for index in candidates:
            compiled = self._patterns[index]
            for start, end in compiled.expression.spans(data):
                if end > start:
                    read = _Captures(compiled.expression, data, start, end)
                    for uses in compiled.uses:
                        found.append(Hit(uses, start, end, read, index))
        return found

    def reach(self, rule_names: Iterable[str], nearby: frozenset[int]) -> tuple[int, int]:
        """How many bytes before and after a match reading it sees: the windows of the named rules
        whose expressions may occur (`nearby`), and the byte past each edge that the edges of a match
        (the rule's, or the match's own) see."""
        before = after = 0
        for rule in (self._context[name] for name in rule_names):
            if not rule.numbers.isdisjoint(nearby):
                before = max(before, rule.window if rule.look != "after" else 0)
                after = max(after, rule.window if rule.look != "before" else 0)
        return before + 1, after + 1

    def context(
        self, rule_name: str, data: bytes, start: int, end: int, nearby: frozenset[int]
    ) -> dict[str, str]:
        """What the named context rule finds around data[start:end]; {} when nothing. Only the
        rule's expressions whose phrases occur in the text (`nearby`) are looked for."""
        rule = self._context[rule_name]
        if rule.numbers.isdisjoint(nearby):
            return {}
        if rule.look == "after":
            low, high = end, min(len(data), end + rule.window)
        elif rule.look == "before":
            # The match itself counts too: a wrapper may open it (Terraform's "IAM Role (...)").
            low, high = max(0, start - rule.window), end
        else:
            low, high = max(0, start - rule.window), min(len(data), end + rule.window)
        chosen: list[tuple[int, int, int, Expression]] = []  # (start, end, order, expression)
        for order, (number, expression) in enumerate(rule.expressions):
            if number not in nearby:
                continue
            if rule.look == "after":
                span = expression.match_at(data, low, high)
            elif rule.look == "around":
                span = next(expression.spans(data, low, high), None)
            else:
                span = None
                for span in expression.spans(data, low, high):  # noqa: B007 - the last is the nearest
                    pass
                if span is not None and rule.to_hit and span[1] <= data.rfind(b"\n", 0, start):
                    span = None  # it ends on a line before the match's
            if span is not None and span[1] > span[0]:
                chosen.append((*span, order, expression))
        if rule.look == "before":
            # The nearest wins: within the window, an earlier error's wrapper may precede this
            # error's own (at one place, the rule's first expression wins).
            if len(chosen) > 1:
                chosen.sort(key=lambda c: (c[1], -c[2]))
        else:
            chosen.reverse()  # the rule's first expression wins
        found: dict[str, str] = {}
        for start, end, _, expression in chosen:
            found |= expression.captures(data, start, end)
        return found
