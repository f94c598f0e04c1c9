"""Normalise a paste before matching: undo what Slack, terminals and tools did to the error text.

Every expression here is simple (no nested quantifiers), so Python's engine stays linear on it.
"""

from __future__ import annotations

import html
import itertools
import re

# Longer pastes are cut: a real error is never this long, and the cut keeps the work bounded.
MAX_CHARS = 200_000

# Full-width forms of ASCII (Japanese input methods type them: "：", "１") and the ideographic space.
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")
_HALF_WIDTH = {0xFF01 + i: 0x21 + i for i in range(0x5E)} | {0x3000: 0x20}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_SLACK_LINK = re.compile(r"<((?:https?|mailto):[^<>|\s]*)(?:\|([^<>]*))?>")
_SLACK_REF = re.compile(r"<([@#!][^<>|\s]*)(?:\|([^<>]*))?>")
_FENCE = re.compile(r"```[A-Za-z0-9_-]{0,20}")
_BOX_MARGIN = re.compile(r"^[ \t]*[│╷╵┃|](?:[ \t]|$)", re.MULTILINE)
_JSON_ESCAPED = re.compile(r"\\u([0-9a-fA-F]{4})|\\([nrt\"/\\])")
_XML_DECL = re.compile(r"<\?xml[^<>]*\?>")
# Tags of XML error bodies (<Error>, <Code>, <Message>...): capitalised names, so that masks
# such as <account-id> survive.
_XML_TAG = re.compile(r"</?[A-Z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n{3,}")
_SPACE_RUN = re.compile(r"[ \t\u00a0\u3000]+")
_JSON_ESCAPE_CODES = {"n": "\n", "r": "\n", "t": "\t", '"': '"', "/": "/", "\\": "\\"}
_WRAP_MIN = 60
_TOKEN_BREAKS = (":", "/", "=", "-", "_")
_LINE_ENDS_IN_TOKEN = re.compile(r"[:/=_-]\n")


def _json_unescape(match: re.Match[str]) -> str:
    if match.group(1):
        return chr(int(match.group(1), 16))
    return _JSON_ESCAPE_CODES[match.group(2)]


def _slack_link(match: re.Match[str]) -> str:
    return match.group(2) or match.group(1)


def _unwrap(text: str) -> str:
    """Join lines that a terminal or a chat window broke inside a token."""
    lines = text.split("\n")
    joins = _wrap_runs(lines)
    out: list[str] = []
    join_next = False
    for index, line in enumerate(lines):
        if join_next:
            out[-1] += line.lstrip(" \t")
        else:
            out.append(line)
        following = lines[index + 1] if index + 1 < len(lines) else ""
        join_next = bool(following) and (index in joins or _breaks_token(line, following))
    return "\n".join(out)


def _breaks_token(line: str, following: str) -> bool:
    """The line ends inside an ARN or key=value token (after ':', '/', '=', '-', '_')."""
    if not line.endswith(_TOKEN_BREAKS) or not following.lstrip(" \t")[:1].isalnum():
        return False
    token = line.rsplit(None, 1)[-1] if line.strip() else ""
    return token.startswith("arn:") or token.count("/") > 1 or "=" in token


def _wrap_runs(lines: list[str]) -> set[int]:
    """Lines a terminal wrapped at a fixed width: two or more lines of one long width, cut inside
    a token, each starting differently (log lines share a prefix), then a shorter remainder."""
    joins: set[int] = set()
    index = 0
    while index < len(lines):
        width = len(lines[index])
        end = index
        while end + 1 < len(lines) and len(lines[end + 1]) == width:
            end += 1
        run = lines[index : end + 1]
        remainder = lines[end + 1] if end + 1 < len(lines) else ""
        if (
            width >= _WRAP_MIN
            and len(run) >= 2
            and 0 < len(remainder) < width
            and len({line[:6] for line in run}) == len(run)
            and all(not line[-1].isspace() for line in run)
        ):
            joins.update(range(index, end + 1))
        index = end + 1
    return joins


# Characters that normalising acts on; their absence lets a text be matched as it is.
_DECORATION = re.compile(r"[\\&<`\r\t\x1b│╷╵┃]")


def quick_form(text: str) -> str | None:
    """The normalised text when normalising is trivial (at most Slack's <links> and <@mentions>
    to unwrap), else None. Most chat messages take this path."""
    if "<" in text:
        text = _SLACK_REF.sub(_slack_link, _SLACK_LINK.sub(_slack_link, text))
    return text if plain(text) else None


def plain(text: str) -> bool:
    """True when normalising cannot change what the patterns see: printable, no full-width forms,
    nothing to unescape or strip, and no line break that the unwrapping would join."""
    if _DECORATION.search(text) or (not text.isascii() and _FULL_WIDTH.search(text)):
        return False
    if "\n" not in text:
        return text.isprintable()
    if "\n\n\n" in text or _LINE_ENDS_IN_TOKEN.search(text) or not text.replace("\n", "").isprintable():
        return False
    lengths = [len(line) for line in text.split("\n")]
    return not any(a == b >= _WRAP_MIN for a, b in itertools.pairwise(lengths))


def normalise(text: str) -> str:
    """The paste as one readable text: unescaped, unwrapped, with tool decoration removed.
    Each step runs only when the text holds what it acts on: most messages need few of them."""
    text = text[:MAX_CHARS]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.replace("\n", "").replace("\t", "").isprintable():
        text = _CONTROL.sub(" ", text)
    if not text.isascii() and _FULL_WIDTH.search(text):
        text = text.translate(_HALF_WIDTH)
    if "<" in text:
        text = _SLACK_REF.sub(_slack_link, _SLACK_LINK.sub(_slack_link, text))
    if '\\"' in text or "\\n" in text or "\\u00" in text:
        text = _JSON_ESCAPED.sub(_json_unescape, text)
    if "<?xml" in text:
        text = _XML_DECL.sub(" ", text)
    if "</" in text:
        text = _XML_TAG.sub("\n", text)
    if "&" in text:
        text = html.unescape(text)
    if "`" in text:
        text = _FENCE.sub("\n", text).replace("`", "")
    if "|" in text or not text.isascii():
        text = _BOX_MARGIN.sub("", text)
    if "  " in text or "\t" in text or " \n" in text or not text.isascii():
        text = _SPACE_RUN.sub(" ", _TRAILING_SPACE.sub("", text))
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return _unwrap(text) if "\n" in text else text
