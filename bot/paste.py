"""Normalise a paste before matching: undo what Slack, terminals and tools did to the error text.

Every expression Python's engine runs here is simple (no nested quantifiers, no counted runs), so
it stays linear; the one that counts characters (two long neighbouring lines) runs on RE2.
"""

from __future__ import annotations

import html
import itertools
import operator
import re
from collections.abc import Collection

from bot.matcher import compile_regex

# Longer pastes are cut: a real error is never this long, and the cut keeps the work bounded.
MAX_CHARS = 200_000

# Full-width forms of ASCII (Japanese input methods type them: "：", "１") and the ideographic space.
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]+")
_HALF_WIDTH = {0xFF01 + i: 0x21 + i for i in range(0x5E)} | {0x3000: 0x20}


# The full-width forms' and the ideographic space's first UTF-8 bytes: Python's engine walks a
# text of other scripts character by character, where looking for these bytes skips.
_FULL_WIDTH_BYTES = (b"\xef\xbc", b"\xef\xbd", "\u3000".encode())


def _may_hold_full_width(text: str) -> bool:
    data = text.encode("utf-8", "surrogatepass")
    return any(map(data.__contains__, _FULL_WIDTH_BYTES))


def _half_width(match: re.Match[str]) -> str:
    # Translated run by run: str.translate costs a dictionary lookup for every character of the text.
    return match.group().translate(_HALF_WIDTH)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
# Lone surrogates (JSON can carry them) cannot be encoded: they become what encoding with
# "replace" makes of them, as the first look reads them (halves in the text itself are never
# joined; only escaped ones, which a JSON body means as one character, are).
_SURROGATE = re.compile("[\ud800-\udfff]")
_SLACK_LINK = re.compile(r"<((?:https?|mailto):[^<>|\s]*)(?:\|([^<>]*))?>")
_SLACK_REF = re.compile(r"<([@#!][^<>|\s]*)(?:\|([^<>]*))?>")
# A Markdown mail link ("[jo@example.com](mailto:jo@example.com)") is its label; copied out of a
# rendered page its tail may be left glued to a word, an ARN's last part say ("…/jo](mailto:jo)").
_MAIL_LINK = re.compile(r"\[([^\[\]\n]*)\]\(mailto:[^()\s]*\)|\]\(mailto:[^()\s]*\)")
# A fence, with the language a Markdown fence may name when the line ends there ("```python"):
# a paste glued to the backticks ("```ECS was unable ...```", as chat clients send inline blocks)
# keeps its first word.
_FENCE = re.compile(r"```(?:[A-Za-z0-9_+-]{1,20}(?=[ \t]*(?:\n|\Z)))?")
# A margin opens a line: white space, a run of marks, and a space unless the line ends there;
# margins may nest ("> │ " in a quoted Terraform box). The marks: a box's bars (Terraform, tables),
# a quote's (Slack, Markdown, mail) and a comment's (a script holding the error it gave). It is
# found from the line break before it (the text is read after one): Python's engine skips to a
# literal start, where it would try every character for `^`.
_MARGIN_MARKS = "│╷╵┃|>#"
_QUOTING_MARKS = ">#"
_LINE_MARGIN = re.compile(rf"\n(?:[ \t]*[{_MARGIN_MARKS}]+(?:[ \t]|(?=\n)|\Z))+")
_JSON_ESCAPED = re.compile(r"\\u([0-9a-fA-F]{4})|\\([nrt\"/\\])")
_XML_DECL = re.compile(r"<\?xml[^<>]*\?>")
# Tags of XML error bodies (<Error>, <Code>, <Message>...): capitalised names, so that masks
# such as <account-id> survive.
_XML_TAG = re.compile(r"<(/?)([A-Z][A-Za-z0-9]*)(?:\s[^<>]*)?/?>")
# STS's credential elements keep their names, as "Name: value", so that the credential they hold
# is still recognised, and taken out, once the tags are gone.
_CREDENTIAL_ELEMENTS = frozenset({"AccessKeyId", "SecretAccessKey", "SessionToken"})
_BLANK_LINES = re.compile(r"\n\n\n+")  # a literal start: Python's engine skips to it
_SPACE_RUN = re.compile("  +")
_JSON_ESCAPE_CODES = {"n": "\n", "r": "\n", "t": "\t", '"': '"', "/": "/", "\\": "\\"}
_WRAP_MIN = 60
_TOKEN_BREAKS = (":", "/", "=", "-", "_")


def _json_unescape(match: re.Match[str]) -> str:
    if match.group(1):
        return chr(int(match.group(1), 16))
    return _JSON_ESCAPE_CODES[match.group(2)]


def _xml_tag(match: re.Match[str]) -> str:
    closing, name = match.groups()
    return f"\n{name}: " if not closing and name in _CREDENTIAL_ELEMENTS else "\n"


def _slack_link(match: re.Match[str]) -> str:
    target, label = match.groups()
    return label or target


def _same_widths(lengths: list[int]) -> bool:
    """Two neighbouring lines of one width, at least _WRAP_MIN long."""
    return (
        max(lengths) >= _WRAP_MIN
        and any(map(operator.eq, lengths, lengths[1:]))
        and any(a == b >= _WRAP_MIN for a, b in itertools.pairwise(lengths))
    )


def _unwrap(text: str, token_breaks: bool = True) -> str:
    """Join lines that a terminal or a chat window broke inside a token (those that end inside a
    token looked for only when `token_breaks`: the rest are wrapped lines)."""
    lines = text.split("\n")
    joins = _wrap_runs(lines) if _same_widths(list(map(len, lines))) else set()
    # Line by line: looking for each line end in the whole text first costs more.
    for index, (line, following) in enumerate(itertools.pairwise(lines) if token_breaks else ()):
        if line.endswith(_TOKEN_BREAKS) and _breaks_token(line, following):
            joins.add(index)
    if joins:
        joins = {index for index in joins if lines[index + 1]}  # never onto an empty line
    if not joins:
        return text
    out = [lines[0]]
    for index, line in enumerate(lines[1:]):
        if index in joins:
            out[-1] += line.lstrip(" \t")
        else:
            out.append(line)
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


# RE2 expressions, one of which occurs in every text that normalising changes, apart from what
# `wrapped` tells and the cut at MAX_CHARS: the characters and sequences each step acts on. A
# paste holding none of them is read as it is, without a normalising pass.
#
# Those that only tidy white space: tabs and CRs, runs of spaces, trailing spaces, blank lines,
# and backticks alone on their line, as code fences stand (a fence becomes a blank line). The
# phrases a first look reads take any gap for white space (bot.literals), so tidying cannot make
# one appear; unless `may_rejoin` tells otherwise, a paste holding no phrase needs no tidying.
TIDYING = (
    r"[\t\r]",
    r"  | \n| \z|\n\n\n",
    "`",
)
CHANGES = (
    *TIDYING,
    # Controls, non-breaking and ideographic spaces, full-width forms.
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x{a0}\x{3000}\x{fffe}\x{ffff}\x{ff01}-\x{ff5e}]",
    r"\\(?:[\"n]|u00)",  # JSON escapes
    # Slack's links and mentions, XML, Markdown's mail links (whole, or their tail left glued on)
    r"<(?:https?:|mailto:|[@#!]|\?xml|/)|\]\(mailto:",
    "&",  # HTML entities
    # A backtick sharing its line: removing it joins what is around it, and a fence there starts
    # a new line (which a margin may then open).
    r"[^\n`]`|`[^\n`]",
    rf"(?m)(?:^|\r)[ \t]*[{_MARGIN_MARKS}]+(?:[ \t\r]|$)",  # margins (a CR becomes a line break)
    # A line ending inside a token `_breaks_token` joins: an ARN, a path, an assignment.
    r"(?:arn:|/\S*/|=)(?:\S*[:/=_-])?[ \t]*[\r\n]",
)
# The CHANGES by what they tell (their indices, as a first look numbers what it finds).
ODD_CHARACTERS, ESCAPES, MARKUP, ENTITIES, INLINE_CODE, MARGINS, TOKEN_BREAKS = range(
    len(TIDYING), len(CHANGES)
)
# The steps that write characters other steps act on (a control becomes a space, an escape or an
# entity any character, a full-width form its ASCII twin, a link its label): where one of these
# is seen, every later step looks for itself what it acts on.
_WRITING = frozenset({ODD_CHARACTERS, ESCAPES, MARKUP, ENTITIES})
# What can open a line with a margin once undecorated: one there already, or inline code (a
# fence sharing its line starts a new one).
_MARGINS = _WRITING | {MARGINS, INLINE_CODE}
# What can make a line end inside a token once undecorated: one ending so already, or inline
# code whose backticks go.
_BREAKING = _WRITING | {INLINE_CODE, TOKEN_BREAKS}


def _seen(changes: frozenset[int], signs: Collection[int] | None) -> bool:
    """True when a look saw one of the changes in the text, or did not look (signs None)."""
    return signs is None or not changes.isdisjoint(signs)


_LINE_BREAK = re.compile("\r\n|\r|\n")


# A text no longer than this holds no lines a terminal wrapped (two of at least _WRAP_MIN).
SHORT = 2 * _WRAP_MIN


# Two neighbouring lines at least _WRAP_MIN bytes long, found by RE2 in one pass over the UTF-8
# bytes, each byte a character (Python's engine would try _WRAP_MIN characters from every place of
# a long line). A line is at least as many bytes as characters: where this finds none, no two
# neighbouring lines are _WRAP_MIN characters long, and the text need not be split into lines. A
# text shorter than _SPLIT_AT_ONCE is split at once: that costs less than the call.
_LONG_NEIGHBOURS = compile_regex(rb"[^\n]{%d}\n[^\n]{%d}" % (_WRAP_MIN, _WRAP_MIN), latin1=True)
_SPLIT_AT_ONCE = 2000


def _may_have_long_neighbours(text: str) -> bool:
    """False when no two neighbouring lines can be _WRAP_MIN characters long."""
    return (
        len(text) < _SPLIT_AT_ONCE
        or _LONG_NEIGHBOURS.search(text.encode("utf-8", "surrogatepass")) is not None
    )


def wrapped(text: str) -> bool:
    """True when the text may hold lines a terminal wrapped at one width (what `CHANGES` cannot
    tell)."""
    return (
        len(text) > SHORT
        and "\n" in text
        and _may_have_long_neighbours(text)
        and _same_widths(list(map(len, text.split("\n"))))
    )


# What normalising usually changes: JSON escapes, HTML entities, XML end tags, Terraform's margins.
_LIKELY_CHANGES = ('\\"', "\\n", "&", "</", "│")


def likely_changed(text: str) -> bool:
    """A cheap guess that normalising changes the text: either answer is safe (a wrong one only
    costs a look at the text as it is)."""
    return any(map(text.__contains__, _LIKELY_CHANGES))


def may_rejoin(text: str) -> bool:
    """True when tidying the text's white space could leave lines that unwrapping joins: two
    neighbouring lines at least _WRAP_MIN long (tidying only shortens lines)."""
    if len(text) <= SHORT:
        return False
    if "\r" in text:  # tidying makes a line break of every CR
        lines = _LINE_BREAK.split(text)
    elif "\n" in text and _may_have_long_neighbours(text):
        lines = text.split("\n")
    else:
        return False
    return any(a >= _WRAP_MIN <= b for a, b in itertools.pairwise(map(len, lines)))


def unlink(text: str) -> str:
    """The text with Slack's <links> and <@mentions> written out."""
    if "<http" in text or "<mailto:" in text:
        text = _SLACK_LINK.sub(_slack_link, text)
    if "<@" in text or "<#" in text or "<!" in text:
        text = _SLACK_REF.sub(_slack_link, text)
    return text


def normalise(text: str) -> str:
    """The paste as one readable text: unescaped, unwrapped, with tool decoration removed. Each
    step runs only when the text holds what it acts on (`CHANGES` tells whether any does)."""
    return rejoin(undecorate(text))


def rejoin(text: str, signs: Collection[int] | None = None) -> str:
    """The text with the lines a terminal wrapped, or broke inside a token, joined again: the
    text itself (the same object) when no line is. `signs`: as for `undecorate`, the CHANGES a
    look found in the text before it was undecorated."""
    if "\n" not in text:
        return text
    return _unwrap(text, _seen(_BREAKING, signs))


def undecorate(text: str, signs: Collection[int] | None = None) -> str:
    """Every step of normalising but the last (`rejoin`). `signs`: the CHANGES (by index) a look
    found in the text; None when it was not looked at. Only the white space is tidied where they
    tell that nothing else can change."""
    text = text[:MAX_CHARS]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # (A look reads what encoding makes of a lone surrogate: only an ASCII text surely holds none.)
    if _seen(_WRITING, signs) or not text.isascii():
        text = _rewrite(text)
    if "`" in text:
        text = _FENCE.sub("\n", text).replace("`", "")
    if _seen(_MARGINS, signs) and any(map(text.__contains__, _MARGIN_MARKS)):
        text = _margins_off(text)
    if "  " in text or "\t" in text or " \n" in text or not text.isascii():
        # Tabs, non-breaking and ideographic spaces become spaces, then every run one space.
        text = text.replace("\t", " ").replace("\u00a0", " ").replace("\u3000", " ")
        text = _SPACE_RUN.sub(" ", text).replace(" \n", "\n").removesuffix(" ")
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text


def _margins_off(text: str) -> str:
    """The text without its lines' margins. A box's margin goes wherever it opens a line; one that
    quotes or comments goes only where the line before is quoted or commented alike: a lone
    heading, comment or quoted remark keeps its marks, and so does a block's first line, so that
    no line ending inside a token (an ARN cut at a slash) is joined onto one."""
    marked = "\n" + text

    def off(margin: re.Match[str]) -> str:
        quoting = _quoting(margin.group())
        if not quoting:
            return "\n"
        line_before = marked.rfind("\n", 0, margin.start())
        before = _LINE_MARGIN.match(marked, line_before) if line_before >= 0 else None
        return "\n" if before is not None and _quoting(before.group()) == quoting else margin.group()

    return _LINE_MARGIN.sub(off, marked)[1:]


def _quoting(margin: str) -> str:
    return "".join(mark for mark in margin if mark in _QUOTING_MARKS)


def _rewrite(text: str) -> str:
    """The steps that write characters: controls, full-width forms, links, escapes, markup."""
    if not text.replace("\n", "").replace("\t", "").isprintable():
        text = _SURROGATE.sub("?", _CONTROL.sub(" ", text))
    if not text.isascii() and _may_hold_full_width(text):
        text = _FULL_WIDTH.sub(_half_width, text)
    if "<" in text:
        text = unlink(text)
    if "](mailto:" in text:
        text = _MAIL_LINK.sub(r"\1", text)
    if '\\"' in text or "\\n" in text or "\\u00" in text:
        # Only an escaped surrogate (\ud800-\udfff) makes one: the text holds no other by now.
        halves = "\\ud" in text or "\\uD" in text
        text = _JSON_ESCAPED.sub(_json_unescape, text)
        if halves and _SURROGATE.search(text):
            # Escaped UTF-16 pairs (an emoji) make one character; a lone half, what encoding
            # with "replace" makes of it.
            text = text.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")
            text = _SURROGATE.sub("?", text)
    if "&" in text:
        # Before the markup's steps: Slack sends a pasted XML body's brackets as &lt; and &gt;.
        text = unescape(text)
    if "<?xml" in text:
        text = _XML_DECL.sub(" ", text)
    if "</" in text:
        text = _XML_TAG.sub(_xml_tag, text)
    return text


# What Slack escapes in every message (&, <, >), and the quotes tools escape; below this many
# ampersands html.unescape is quick enough.
_FEW = 16
_COMMON_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&#39;", "'"), ("&amp;", "&"))


def unescape(text: str) -> str:
    """The text with its HTML entities written out, as html.unescape does. Where every & opens one
    of the common entities, they are replaced in turn (&amp; last, so that what it writes is not
    read again): the same text, several times quicker where there are many."""
    ampersands = text.count("&")
    if ampersands > _FEW and ampersands == sum(text.count(entity) for entity, _ in _COMMON_ENTITIES):
        for entity, char in _COMMON_ENTITIES:
            text = text.replace(entity, char)
        return text
    return html.unescape(text)
