"""Host names as RE2 expressions: a host under none of some domains (AWS's own, say), written
without lookaround, which RE2 lacks. A host's labels are read from the right against a trie of the
domains' labels; a label that leaves the trie (or a host that ends before a domain does) is not
under any of them. Host names are ASCII letters, digits and hyphens; case is ignored."""

from __future__ import annotations

import re
from collections.abc import Iterable

_LABEL_CHARS = "-0123456789abcdefghijklmnopqrstuvwxyz"  # in code point order
_ANY = "[a-z0-9-]"
_LEFT = rf"(?:{_ANY}+\.)*"  # any labels, each with its dot
_END = "$"

Trie = dict[str, "Trie"]


def _class_without(chars: Iterable[str]) -> str:
    """A class of the label characters but `chars`, as ranges."""
    kept = [c for c in _LABEL_CHARS if c not in set(chars)]
    parts: list[str] = []
    start = 0
    while start < len(kept):
        end = start
        while end + 1 < len(kept) and ord(kept[end + 1]) == ord(kept[end]) + 1:
            end += 1
        first, last = (re.escape(kept[start]), re.escape(kept[end]))
        parts.append(first if end == start else f"{first}{last}" if end == start + 1 else f"{first}-{last}")
        start = end + 1
    return "[" + "".join(parts) + "]"


def _trie(words: Iterable[Iterable[str]]) -> Trie:
    root: Trie = {}
    for word in words:
        node = root
        for part in word:
            node = node.setdefault(part, {})
        node[_END] = {}
    return root


def _label_not_in(words: Iterable[str]) -> str:
    """A label that is none of `words`."""

    def rest(node: Trie, started: bool) -> str:
        chars = sorted(c for c in node if c != _END)
        branches = [""] if started and _END not in node else []
        branches.append(_class_without(chars) + f"{_ANY}*")
        branches += [re.escape(c) + rest(node[c], True) for c in chars]
        return "(?:" + "|".join(branches) + ")"

    return rest(_trie(words), False)


def not_under(domains: Iterable[str]) -> str:
    """An expression for a host name that is none of `domains` nor under one of them."""
    trie = _trie(reversed(domain.lower().split(".")) for domain in domains)

    def left_of(node: Trie) -> str | None:
        """What may stand left of the labels read so far, dot included; None: nothing may."""
        if _END in node:
            return None  # a whole domain read: the host is under it
        labels = sorted(c for c in node if c != _END)
        branches = ["", _LEFT + _label_not_in(labels) + r"\."]
        for label in labels:
            left = left_of(node[label])
            if left is not None:
                branches.append(left + re.escape(label) + r"\.")
        return "(?:" + "|".join(branches) + ")"

    labels = sorted(trie)
    branches = [_LEFT + _label_not_in(labels)]
    for label in labels:
        left = left_of(trie[label])
        if left is not None:
            branches.append(left + re.escape(label))
    return "(?i:" + "|".join(branches) + ")"
