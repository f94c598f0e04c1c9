"""Find the knowledge base's patterns in a paste, in time linear in its length.

Every pattern is compiled with RE2. One RE2 set scans the paste once to tell which patterns occur
at all; only those are run again to find where they match and what they capture. Matching runs on
the paste's UTF-8 bytes (offsets are byte offsets): the str interface of the RE2 binding re-encodes
the text on every call.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
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


def _captures(compiled: Any, match: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, index in compiled.groupindex.items():
        value = match.group(index)
        key = _name(name)
        if value and key not in found:
            found[key] = value.decode("utf-8", "replace")
    return found


@dataclass(frozen=True)
class Hit:
    """One place where a cause's pattern matched, with what it captured."""

    cause: Cause
    confidence: float
    start: int
    end: int
    captures: dict[str, str]


@dataclass(frozen=True)
class _CompiledPattern:
    cause: Cause
    confidence: float
    regex: Any


class Matcher:
    """The knowledge base's patterns, compiled once."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._patterns: list[_CompiledPattern] = []
        self._set = re2.Set.SearchSet(_options())
        for cause in kb.causes:
            for pattern in cause.patterns:
                expanded = kb.expand(pattern.regex)
                self._patterns.append(_CompiledPattern(cause, pattern.confidence, _compile_bytes(expanded)))
                self._set.Add(expanded.encode())
        self._set.Compile()
        self._context: dict[str, tuple[ContextRule, list[Any]]] = {
            name: (rule, [_compile_bytes(kb.expand(p)) for p in rule.patterns])
            for name, rule in kb.shared.context.items()
        }

    def pattern_groups(self, cause: Cause) -> set[str]:
        """Every entity name the cause's own patterns can capture."""
        names: set[str] = set()
        for compiled in self._patterns:
            if compiled.cause.id == cause.id:
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
            for match in compiled.regex.finditer(data):
                start, end = match.span()
                if end == start:
                    continue
                found.append(
                    Hit(compiled.cause, compiled.confidence, start, end, _captures(compiled.regex, match))
                )
        return found

    def context(self, rule_name: str, data: bytes, start: int, end: int) -> dict[str, str]:
        """What the named context rule finds around data[start:end]; {} when nothing."""
        rule, regexes = self._context[rule_name]
        found: dict[str, str] = {}
        if rule.look == "after":
            window = data[end : end + rule.window]
            for regex in regexes:
                match = regex.match(window)
                if match and match.end() > 0:
                    found = _captures(regex, match) | found
            return found
        if rule.look == "before":
            # The match itself counts too: a wrapper may open it (Terraform's "IAM Role (...)").
            window = data[max(0, start - rule.window) : end]
            for regex in regexes:
                last = None
                for last in regex.finditer(window):  # noqa: B007 - the last hit is the nearest
                    pass
                if last is not None:
                    found = _captures(regex, last) | found
            return found
        window = data[max(0, start - rule.window) : end + rule.window]
        for regex in regexes:
            match = regex.search(window)
            if match:
                found = _captures(regex, match) | found
        return found
