"""Where a match can begin: an expression as branches that each begin with a literal, for RE2 to
skip through a long paste to.

RE2 skips to the literal an expression must begin with (memchr on its first byte, or a small
shift automaton where case is ignored); otherwise its automaton steps through every byte, about
60 µs for each expression looked for in a 40,000-character paste. Many of the knowledge base's
expressions begin with a choice (`A|B`), an optional part or a word boundary, which hide their
first literals. Leftmost-first matching distributes over those: `(?:A|B)C` matches as `AC|BC`
does, `(?:A)?C` as `AC|C`, `(?:A)??C` as `C|AC`. So an expression may be split into branches
that each begin with a literal, each found by its own scan: the expression's match is the
leftmost of theirs (the earliest branch's, where two begin at one place).

A scan skips only where its literal is rare: an expression is split only where every branch
begins with one that is (see `_skips`). Where matches are many, or a branch's word boundary
fails again and again, the whole expression's own scan goes on from there: the work stays within
a few scans of the paste whatever it holds. Expressions are read as the knowledge base writes
them (the syntax RE2 and Python share); what this reading does not follow (RE2's \\Q quoting,
flags other than ignoring case, a quantified boundary) leaves an expression whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Sequence
from typing import Any

import re2

# A branch is a list of items: (atom, quantifier), as written.
Item = tuple[str, str]
Branch = list[Item]

# Split into no more branches than this: each is a scan of its own.
MAX_BRANCHES = 8
# A branch's leading literal skips well when it is at least this long (RE2 then checks its last
# byte too, at each place its first occurs), or when its first byte is rare in chat text (not a
# lower-case letter, a digit or white space).
_SKIPPING_LENGTH = 3
# Of branches beginning where case is ignored, at most this many (their shift automaton reads
# every byte, a few times quicker than the expression's own).
_MAX_FOLDED = 3

_SPECIAL = frozenset("\\[](){}|.*+?^$")
_QUANTIFIER = re.compile(r"(?:[*+?]|\{\d+(?:,\d*)?\})\??")
_ESCAPE = re.compile(r"\\(?:x\{[0-9A-Fa-f]+\}|x[0-9A-Fa-f]{2}|[pP]\{[^}]*\}|[pP][A-Za-z]|.)", re.S)
# A group's opening: plain, named, with flags (only for the group), capturing.
_OPENING = re.compile(r"\((?:\?:|\?P<\w+>|(\?[imsU-]+:)|(?!\?))")
# A class of a few letters or digits ([Tt]he): a branch for each.
_SMALL_CLASS = re.compile(r"\[[A-Za-z0-9]{1,4}\]")
_FOLDED = "?i:"
_COMMON_FIRST = frozenset("abcdefghijklmnopqrstuvwxyz0123456789 \t\n")
# Literals that fill IAM error pastes, whatever their length: a scan for one is stopped at each, and
# steps on through what follows (an ARN runs on for dozens of characters).
_COMMON_LEADS = ("arn:",)


class _Unread(Exception):
    """Syntax this reading does not follow, or a split that would not pay."""


def _class_end(regex: str, i: int) -> int:
    """The index after the character class opening at regex[i]."""
    j = i + 1
    if regex.startswith("^", j):
        j += 1
    if regex.startswith("]", j):
        j += 1
    while j < len(regex):
        if regex[j] == "\\":
            j = _escape_end(regex, j)
        elif regex.startswith("[:", j):
            close = regex.find(":]", j + 2)
            if close < 0:
                raise _Unread(regex)
            j = close + 2
        elif regex[j] == "]":
            return j + 1
        else:
            j += 1
    raise _Unread(regex)


def _escape_end(regex: str, i: int) -> int:
    escape = _ESCAPE.match(regex, i)
    if escape is None or escape.group() in ("\\Q", "\\E"):  # RE2's quoting: not followed here
        raise _Unread(regex)
    return escape.end()


def _atom_end(regex: str, i: int) -> int:
    """The index after the atom (a character, an escape, a class or a group) at regex[i]."""
    char = regex[i]
    if char == "\\":
        return _escape_end(regex, i)
    if char == "[":
        return _class_end(regex, i)
    if char == "(":
        opening = _OPENING.match(regex, i)
        if opening is None:
            raise _Unread(regex)  # inline flags reaching past a group, and the like
        end = _walk(regex, opening.end())[1]
        if end >= len(regex):
            raise _Unread(regex)
        return end + 1
    if char in ")|*+?{":
        raise _Unread(regex)
    return i + 1


def _walk(regex: str, i: int) -> tuple[list[Branch], int]:
    """The alternatives, each as its items, from regex[i] to the group's closing parenthesis (or
    the end), and where they end."""
    found: list[Branch] = [[]]
    while i < len(regex) and regex[i] != ")":
        if regex[i] == "|":
            found.append([])
            i += 1
            continue
        end = _atom_end(regex, i)
        quantifier = _QUANTIFIER.match(regex, end)
        quantified = quantifier.group() if quantifier else ""
        found[-1].append((regex[i:end], quantified))
        i = end + len(quantified)
    return found, i


def _alternatives(regex: str) -> list[Branch]:
    """The expression's top-level alternatives, each as its items."""
    found, end = _walk(regex, 0)
    if end < len(regex):
        raise _Unread(regex)  # an unopened parenthesis
    return found


def _literal(atom: str) -> str | None:
    """The character the atom matches, where it is a literal one."""
    if atom.startswith("\\"):
        return atom[1] if len(atom) == 2 and not atom[1].isalnum() else None
    return atom if len(atom) == 1 and atom not in _SPECIAL else None


def _text(items: Branch) -> str:
    return "".join(atom + quantifier for atom, quantifier in items)


def _leading(items: Branch) -> list[Branch]:
    """The branch as branches that each begin with a literal (or a word boundary before one)."""
    if not items:
        raise _Unread("a branch that may match nothing")
    (atom, quantifier), rest = items[0], items[1:]
    if _at_least_once(quantifier) and _literal(atom) is not None:
        return [items]
    if (
        atom == "\\b"
        and quantifier == ""
        and rest
        and _at_least_once(rest[0][1])
        and _literal(rest[0][0]) is not None
    ):
        return [items]
    if quantifier == "" and _SMALL_CLASS.fullmatch(atom):
        return [[(char, ""), *rest] for char in atom[1:-1]]
    opening = _OPENING.match(atom)
    if opening is None or quantifier not in ("", "?", "??"):
        raise _Unread(atom + quantifier)
    flags = opening.group(1)
    if flags not in (None, _FOLDED):
        raise _Unread(atom)  # of flag groups, only one ignoring case is followed
    taken: list[Branch] = []
    for alternative in _alternatives(atom[opening.end() : -1]):
        if flags:  # case is ignored over the alternative, which must begin with a literal itself
            if (
                not alternative
                or _literal(alternative[0][0]) is None
                or not _at_least_once(alternative[0][1])
            ):
                raise _Unread(atom)
            taken.append([(f"({flags}{_text(alternative)})", ""), *rest])
        else:
            taken.extend(_leading(alternative + rest))
        if len(taken) > MAX_BRANCHES:
            raise _Unread("too many branches")
    if quantifier == "":
        return taken
    skipped = _leading(rest)
    return [*taken, *skipped] if quantifier == "?" else [*skipped, *taken]


def _lead(branch: str) -> tuple[str, bool]:
    """The literal a branch begins with ("" where case is ignored in it), and whether it is."""
    if branch.startswith("(" + _FOLDED):
        return "", True
    start = 2 if branch.startswith("\\b") else 0
    lead = []
    for atom, quantifier in _alternatives(branch[start:])[0]:
        char = _literal(atom)
        if char is None or not _at_least_once(quantifier):
            break
        lead.append(char)
        if quantifier:
            break
    return "".join(lead), False


def _at_least_once(quantifier: str) -> bool:
    """True when an atom so quantified occurs at least once: unquantified, +, {n,...} with n > 0."""
    return quantifier in ("", "+", "+?") or (quantifier.startswith("{") and not quantifier.startswith("{0"))


def _skips(branches: list[str]) -> bool:
    """True when a scan for each branch skips through error pastes: each begins with a literal RE2
    stops at seldom (one whose first byte is rare in them, or of three characters or more: RE2
    checks its last byte too, before stepping on; not an ARN), and few ignore case."""
    leads = [_lead(branch) for branch in branches]
    if sum(folded for _, folded in leads) > _MAX_FOLDED:
        return False
    firsts = {"" if folded else lead[:1] for lead, folded in leads}
    bounded = any(branch.startswith("\\b") for branch in branches)
    if len(leads) > 1 and len(firsts) == 1 and not bounded:
        return False  # one first byte: RE2 skips to it in the whole expression already
    return all(
        folded
        or (
            lead
            and not lead.startswith(_COMMON_LEADS)
            and lead[0].isascii()  # RE2 skips to a first byte: one Japanese text is full of
            and (len(lead) >= _SKIPPING_LENGTH or lead[0] not in _COMMON_FIRST)
        )
        for lead, folded in leads
    )


def split_at_leads(regex: str) -> list[str] | None:
    """The expression as branches that each begin with a literal (or a word boundary before one),
    in the order leftmost-first matching prefers them; None where it begins with one already, or
    where splitting it would not pay or this reading cannot tell."""
    try:
        split: list[Branch] = []
        for alternative in _alternatives(regex):
            split.extend(_leading(alternative))
            if len(split) > MAX_BRANCHES:
                return None
        texts = list(map(_text, split))
        if len(texts) == 1 and not texts[0].startswith("\\b"):
            return None
        return texts if _skips(texts) else None
    except _Unread:
        return None


# RE2's Match, called directly: (anchor, text, start, end) -> one (start, end) span per group,
# (-1, -1) for none.
Find = Callable[[Any, bytes, int, int], Sequence[tuple[int, int]]]
UNANCHORED = re2._Anchor.UNANCHORED
NO_MATCH = (-1, -1)
# A branch's next match before it is looked for: it starts before any place looked from.
_NOT_YET = (-1, -1)
# Matches found branch by branch, at most: where they are many, the whole expression's own scan
# is quicker (every branch would look again past each).
MERGED = 8
# Places the branches' scans find without the word boundary their branch opens with, at most, in
# one look: past them, the whole expression goes on (a scan looks again from each, as far as its
# match runs).
MISSES = 4
# The bytes RE2's \b counts as word characters (ASCII only).
_WORD = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")


class _HandOver(Exception):
    """Going on branch by branch would cost more than the whole expression's own scan."""


class BranchScans:
    """An expression's branches, each as the scan that finds it and whether it opens with a word
    boundary (then the scan looks for what follows the boundary, and the boundary is checked
    where it finds it), read as the one expression they make."""

    __slots__ = ("_scans",)

    def __init__(self, branches: Sequence[tuple[Find, bool]]) -> None:
        self._scans = tuple(branches)

    @staticmethod
    def _first(
        branch: tuple[Find, bool], data: bytes, start: int, end: int, misses: list[int]
    ) -> tuple[int, int] | None:
        """The branch's leftmost match in data[start:end], if any. At a place where what follows
        the boundary matches, the branch matches as it does (a boundary takes no characters)
        exactly when the boundary holds: a word character on one side only. `misses` counts the
        places that fail it, over all the branches of one look."""
        scan, bounded = branch
        while start <= end:
            span = scan(UNANCHORED, data, start, end)[0]
            if span == NO_MATCH:
                return None
            at = span[0]
            if not bounded or (at < len(data) and data[at] in _WORD) != (at > 0 and data[at - 1] in _WORD):
                return span
            misses[0] += 1
            if misses[0] > MISSES:
                raise _HandOver
            start = at + 1
        return None

    def spans(self, data: bytes, start: int, end: int) -> Generator[tuple[int, int], None, int | None]:
        """The expression's first non-overlapping matches in data[start:end], left to right (at
        each step the leftmost of the branches' next matches, the earliest branch's at one
        place); then where the whole expression is to go on looking (after MERGED matches, or
        where a branch misses its boundary too often), or None when no match is left. A branch's
        next match is looked for again only once the text before it is passed."""
        ahead: list[tuple[int, int] | None] = [_NOT_YET] * len(self._scans)
        misses = [0]
        try:
            for _ in range(MERGED):
                best: tuple[int, int] | None = None
                for index, branch in enumerate(self._scans):
                    span = ahead[index]
                    if span is not None and span[0] < start:  # not looked for, or passed
                        span = ahead[index] = self._first(branch, data, start, end, misses)
                    if span is not None and (best is None or span[0] < best[0]):
                        best = span
                if best is None:
                    return None
                yield best
                start = best[1] if best[1] > best[0] else best[1] + 1
                if start > end:
                    return None
        except _HandOver:
            pass
        return start
