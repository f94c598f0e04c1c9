"""Find the knowledge base's patterns in a paste, in time linear in its length.

Every pattern is compiled with RE2. One RE2 set scans the paste once to tell which patterns occur
at all; only those are run again to find where they match and what they capture.
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
def compile_regex(regex: str) -> Any:
    """Compile one expanded pattern for RE2 (once), raising KnowledgeError when RE2 refuses it."""
    try:
        return re2.compile(regex, options=_options())
    except re2.error as exc:
        raise KnowledgeError(f"RE2 cannot compile {regex[:120]!r}: {exc}") from None


def group_names(compiled: Any) -> list[str]:
    """The entity names a compiled pattern captures (a `__2` suffix marks an alternative)."""
    return sorted({name.split("__", 1)[0] for name in compiled.groupindex})


def _captures(compiled: Any, match: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, index in compiled.groupindex.items():
        value = match.group(index)
        key = name.split("__", 1)[0]
        if value and key not in found:
            found[key] = value
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
                self._patterns.append(_CompiledPattern(cause, pattern.confidence, compile_regex(expanded)))
                self._set.Add(expanded)
        self._set.Compile()
        self._context: dict[str, tuple[ContextRule, list[Any]]] = {
            name: (rule, [compile_regex(kb.expand(p)) for p in rule.patterns])
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

    def hits(self, text: str) -> list[Hit]:
        """Every match of every pattern, in no particular order."""
        found: list[Hit] = []
        for index in self._set.Match(text) or ():
            compiled = self._patterns[index]
            for match in compiled.regex.finditer(text):
                start, end = match.span()
                if end == start:
                    continue
                found.append(
                    Hit(compiled.cause, compiled.confidence, start, end, _captures(compiled.regex, match))
                )
        return found

    def context(self, rule_name: str, text: str, start: int, end: int) -> dict[str, str]:
        """What the named context rule finds around text[start:end]; {} when nothing."""
        rule, regexes = self._context[rule_name]
        found: dict[str, str] = {}
        if rule.look == "after":
            window = text[end : end + rule.window]
            for regex in regexes:
                match = regex.match(window)
                if match and match.end() > 0:
                    found = _captures(regex, match) | found
            return found
        if rule.look == "before":
            # The match itself counts too: a wrapper may open it (Terraform's "IAM Role (...)").
            window = text[max(0, start - rule.window) : end]
            for regex in regexes:
                last = None
                for last in regex.finditer(window):  # noqa: B007 - the last hit is the nearest
                    pass
                if last is not None:
                    found = _captures(regex, last) | found
            return found
        window = text[max(0, start - rule.window) : end + rule.window]
        for regex in regexes:
            match = regex.search(window)
            if match:
                found = _captures(regex, match) | found
        return found
