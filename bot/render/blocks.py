"""The diagnosis as a Slack message: Block Kit blocks plus the plain `text` fallback.

Short first: the primary diagnosis with its first steps and commands; `detailed=True` gives all of
them. Every message keeps within Slack's limits (50 blocks, 3000 characters a section, 150 a header,
and a total budget well under the size where Slack answers msg_blocks_too_long).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.advice import Advice
from bot.diagnosis import Triage
from bot.knowledge import KnowledgeBase
from bot.render import advices, deny_notes, facts, secrets_note

MAX_BLOCKS = 50
# The other diagnoses a reply names after the primary one (by title); the rest are counted.
OTHERS_NAMED = 5
SECTION_CHARS = 3000
HEADER_CHARS = 150
FIELD_CHARS = 2000
BUDGET_CHARS = 10_000
FALLBACK_CHARS = 1500


@dataclass(frozen=True)
class SlackMessage:
    text: str
    blocks: list[dict[str, Any]]


@dataclass(frozen=True)
class _Shape:
    """How much of a diagnosis to show; smaller shapes are tried until the message fits."""

    steps: int
    commands: int
    policy: bool
    explanation: bool
    chars: int = SECTION_CHARS


_SHORT = (
    _Shape(3, 2, True, False),
    _Shape(3, 1, False, False),
    _Shape(2, 0, False, False),
    _Shape(2, 0, False, False, chars=600),
)
_DETAILED = (_Shape(99, 99, True, True), _Shape(99, 99, True, False), _Shape(99, 3, False, False), *_SHORT)


def escape(text: str) -> str:
    """Slack's three control characters in mrkdwn and plain text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _code(value: str, limit: int) -> str:
    """A value from the paste as inline code within `limit` characters (at least four): Slack
    applies no formatting inside (a session name's `*` or `_` shows as typed), and nothing ends it
    early (a backtick shows as a look-alike; a value too long is cut inside the code)."""
    shown = [escape(char).replace("`", "\u02cb") for char in value]
    if sum(map(len, shown)) + 2 > limit:
        room = limit - 3  # the backticks and the ellipsis
        kept = 0
        for count, piece in enumerate(shown):
            if kept + len(piece) > room:
                shown = [*shown[:count], "…"]
                break
            kept += len(piece)
    return "`" + "".join(shown) + "`"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _section(text: str, chars: int = SECTION_CHARS) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(text, chars)}}


def _preformatted(code: str) -> dict[str, Any]:
    return {
        "type": "rich_text",
        "elements": [
            {
                "type": "rich_text_preformatted",
                "elements": [{"type": "text", "text": _cut(code, SECTION_CHARS)}],
            }
        ],
    }


def _context(texts: list[str]) -> dict[str, Any]:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": _cut(t, SECTION_CHARS)} for t in texts[:10]],
    }


def _advice_blocks(advice: Advice, kb: KnowledgeBase, shape: _Shape) -> list[dict[str, Any]]:
    m = kb.messages
    lang = advice.lang
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _cut(advice.title, HEADER_CHARS)}},
        _section(escape(advice.summary), shape.chars),
    ]
    rows = facts(advice, m)
    if rows:
        field_chars = min(FIELD_CHARS, shape.chars // 2)
        fields = []
        for row in rows[:10]:
            head = f"*{escape(row.label)}*\n"
            value = escape(row.value) if row.worded else _code(row.value, field_chars - len(head))
            fields.append({"type": "mrkdwn", "text": _cut(head + value, field_chars)})
        blocks.append({"type": "section", "fields": fields})
    if shape.explanation:
        blocks.append(_section(escape(advice.explanation), shape.chars))
    steps = advice.steps[: shape.steps]
    numbered = "\n".join(f"{n}. {escape(step)}" for n, step in enumerate(steps, 1))
    blocks.append(_section(f"*{m.steps(lang)}*\n{numbered}", shape.chars))
    for command in advice.commands[: shape.commands]:
        blocks.append(_context([escape(command.label)]))
        blocks.append(_preformatted(command.run))
    left = len(advice.commands) - shape.commands
    if left > 0:  # the steps may name them by their place
        blocks.append(_context([escape(m.more_commands(lang).replace("{count}", str(left)))]))
    if shape.policy and advice.policy:
        blocks.append(_context([f"*{m.policy(lang)}*"]))
        blocks.append(_preformatted(advice.policy))
    notes = [f"{m.confidence(lang)}: {advice.confidence:.0%} · `{advice.cause.id}`"]
    notes += [escape(note) for note in deny_notes(advice, m)]
    notes.append(
        " · ".join(f"<{url}|{m.references(lang)} {n}>" for n, url in enumerate(advice.references, 1))
    )
    blocks.append(_context(notes))
    return blocks


def _fallback(triage: Triage, found: list[Advice], kb: KnowledgeBase) -> str:
    parts: list[str] = []
    note = secrets_note(triage.secrets_seen, triage.lang, kb.messages)
    if note:
        parts.append(note)
    if found:
        parts.append(f"{found[0].title}: {found[0].summary}")
    else:
        parts.append(triage.question or kb.messages.no_diagnosis(triage.lang))
    return escape(_cut(" ".join(parts), FALLBACK_CHARS))


def _size(blocks: list[dict[str, Any]]) -> int:
    return len(json.dumps(blocks, ensure_ascii=False))


def render(triage: Triage, kb: KnowledgeBase, *, detailed: bool = False) -> SlackMessage:
    """The Slack message for a triage: the primary diagnosis, the others named, within limits."""
    found = advices(triage, kb, first=1 + OTHERS_NAMED)
    head: list[dict[str, Any]] = []
    note = secrets_note(triage.secrets_seen, triage.lang, kb.messages)
    if note:
        head.append(_section(f":warning: {escape(note)}"))
    tail: list[dict[str, Any]] = []
    if len(found) > 1:
        others = ", ".join(f"{escape(a.title)} (`{a.cause.id}`)" for a in found[1:])
        unnamed = len(triage.diagnoses) - len(found)
        if unnamed:
            others += " " + kb.messages.more(triage.lang).replace("{count}", str(unnamed))
        tail.append(_context([f"*{kb.messages.also_found(triage.lang)}*: {others}"]))
    if not found:
        head.append(_section(escape(triage.question or kb.messages.no_diagnosis(triage.lang))))
        return SlackMessage(_fallback(triage, found, kb), head)
    blocks: list[dict[str, Any]] = []
    for shape in _DETAILED if detailed else _SHORT:
        blocks = head + _advice_blocks(found[0], kb, shape) + tail
        if _size(blocks) <= BUDGET_CHARS and len(blocks) <= MAX_BLOCKS:
            break
    return SlackMessage(_fallback(triage, found, kb), blocks[:MAX_BLOCKS])
