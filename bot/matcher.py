"""Find the knowledge base's patterns in a paste, in time linear in its length.

Every pattern is compiled with RE2. One RE2 set scans the paste once to tell which patterns occur
at all; only those are run again to find where they match and what they capture. Matching runs on
the paste's UTF-8 bytes (offsets are byte offsets): the str interface of the RE2 binding re-encodes
the text on every call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

import re2

from bot.knowledge import Cause, ContextRule, KnowledgeBase, KnowledgeError


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False
    options.max_mem = 64 << 20
    return options


@cache
def compile_regex(regex: str | bytes) -> Any:
    """Compile one expanded pattern for RE2 (once), raising KnowledgeError when RE2 refuses it.
    A bytes pattern matches UTF-8 bytes; a str pattern matches str."""
    try:
        return re2.compile(regex, options=_options())
    except re2.error as exc:
        shown = regex.decode() if isinstance(regex, bytes) else regex
        raise KnowledgeError(f"RE2 cannot compile {shown[:120]!r}: {exc}") from None


def _compile_bytes(regex: str) -> Any:
    return compile_regex(regex.encode())


def _name(name: str | bytes) -> str:
    """The entity a capture group names: `role_arn__2` is an alternative branch of `role_arn`."""
    text = name.decode() if isinstance(name, bytes) else name
    return text.split("__", 1)[0]


def group_names(compiled: Any) -> list[str]:
    """The entity names a compiled pattern captures."""
    return sorted({_name(name) for name in compiled.groupindex})


# The binding's Match objects cost more than the matching itself on short spans; the scans below
# call the compiled expression directly and get (start, end) byte spans, one per group.
_UNANCHORED = re2._Anchor.UNANCHORED
_ANCHOR_START = re2._Anchor.ANCHOR_START
_NO_MATCH = (-1, -1)


def _scan(compiled: Any, data: bytes, anchor: Any = _UNANCHORED) -> Iterator[Sequence[tuple[int, int]]]:
    """Every non-overlapping match's group spans, left to right (just the first when anchored)."""
    position, end = 0, len(data)
    while position <= end:
        spans = compiled._regexp.Match(anchor, data, position, end)
        if spans[0] == _NO_MATCH:
            return
        yield spans
        if anchor is not _UNANCHORED:
            return
        position = spans[0][1] if spans[0][1] > spans[0][0] else spans[0][1] + 1


def _captures(compiled: Any, data: bytes, spans: Sequence[tuple[int, int]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, index in compiled.groupindex.items():
        start, end = spans[index]
        key = _name(name)
        if end > start and key not in found:
            found[key] = data[start:end].decode("utf-8", "replace")
    return found


class _Captures:
    """The captures of one match, read once when first asked for (shared by the causes it serves)."""

    __slots__ = ("_data", "_regex", "_spans", "_value")

    def __init__(self, regex: Any, data: bytes, spans: Sequence[tuple[int, int]]) -> None:
        self._regex, self._data, self._spans = regex, data, spans
        self._value: dict[str, str] | None = None

    def __call__(self) -> dict[str, str]:
        if self._value is None:
            self._value = _captures(self._regex, self._data, self._spans)
        return self._value


class Hit:
    """One place where a cause's pattern matched; what it captured is read only when asked for
    (a paste may hold hundreds of matches that precedence or repetition make irrelevant)."""

    def __init__(
        self,
        cause: Cause,
        confidence: float,
        start: int,
        end: int,
        read: Callable[[], dict[str, str]],
        pattern: int = -1,
    ) -> None:
        self.pattern = pattern  # which distinct expression matched: hits of one match share it
        self.cause = cause
        self.confidence = confidence
        self.start = start
        self.end = end
        self._read = read

    @cached_property
    def captures(self) -> dict[str, str]:
        return self._read()


@dataclass(frozen=True)
class _CompiledPattern:
    """One distinct expression and every (cause, confidence) that uses it: causes that share a
    pattern (the AccessDenied sentence, one cause per denying layer) are scanned for once."""

    regex: Any
    users: tuple[tuple[Cause, float], ...]


class Matcher:
    """The knowledge base's patterns, compiled once."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        users: dict[str, list[tuple[Cause, float]]] = {}
        for cause in kb.causes:
            for pattern in cause.patterns:
                users.setdefault(kb.expand(pattern.regex), []).append((cause, pattern.confidence))
        self._patterns = [_CompiledPattern(_compile_bytes(r), tuple(u)) for r, u in users.items()]
        self._set = re2.Set.SearchSet(_options())
        for expanded in users:
            self._set.Add(expanded.encode())
        self._set.Compile()
        self._context: dict[str, tuple[ContextRule, list[Any]]] = {
            name: (rule, [_compile_bytes(kb.expand(p)) for p in rule.patterns])
            for name, rule in kb.shared.context.items()
        }

    @property
    def patterns(self) -> list[tuple[Any, tuple[tuple[Cause, float], ...]]]:
        """Each distinct compiled expression with the causes (and confidences) that use it."""
        return [(p.regex, p.users) for p in self._patterns]

    def pattern_groups(self, cause: Cause) -> set[str]:
        """Every entity name the cause's own patterns can capture."""
        names: set[str] = set()
        for compiled in self._patterns:
            if any(user.id == cause.id for user, _ in compiled.users):
                names.update(group_names(compiled.regex))
        return names

    def context_groups(self, rule_name: str) -> set[str]:
        _, regexes = self._context[rule_name]
        return {name for regex in regexes for name in group_names(regex)}

    def may_match(self, data: bytes) -> bool:
        """True when some pattern occurs in the UTF-8 text: one linear scan, no captures."""
        return bool(self._set.Match(data))

    def hits(self, data: bytes) -> list[Hit]:
        """Every match of every pattern in the UTF-8 text, in no particular order."""
        found: list[Hit] = []
        for index in self._set.Match(data) or ():
            compiled = self._patterns[index]
            for spans in _scan(compiled.regex, data):
                start, end = spans[0]
                if end == start:
                    continue
                read = _Captures(compiled.regex, data, spans)
                found += [
                    Hit(cause, confidence, start, end, read, index) for cause, confidence in compiled.users
                ]
        return found

    def context(self, rule_name: str, data: bytes, start: int, end: int) -> dict[str, str]:
        """What the named context rule finds around data[start:end]; {} when nothing."""
        rule, regexes = self._context[rule_name]
        found: dict[str, str] = {}
        if rule.look == "after":
            window = data[end : end + rule.window]
        elif rule.look == "before":
            # The match itself counts too: a wrapper may open it (Terraform's "IAM Role (...)").
            window = data[max(0, start - rule.window) : end]
        else:
            window = data[max(0, start - rule.window) : end + rule.window]
        for regex in regexes:
            chosen = None
            if rule.look == "after":
                chosen = next(_scan(regex, window, _ANCHOR_START), None)
            elif rule.look == "around":
                chosen = next(_scan(regex, window), None)
            else:
                for chosen in _scan(regex, window):  # noqa: B007 - the last hit is the nearest
                    pass
            if chosen is not None and chosen[0][1] > 0:
                found = _captures(regex, window, chosen) | found
        return found
