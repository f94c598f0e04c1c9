"""Slack message events translated into the bot's own neutral form before any logic sees them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

# Subtypes that carry a message someone wrote or a tool posted; everything else (joins, deletions,
# topic changes...) is not a paste.
_READABLE = {None, "bot_message", "file_share", "thread_broadcast", "me_message"}


@dataclass(frozen=True)
class ChatMessage:
    """A message the bot may read: who wrote it, where, and all its text."""

    channel: str
    ts: str
    thread_ts: str | None
    user: str | None
    bot_id: str | None
    text: str
    file_ids: tuple[str, ...] = ()
    previous_text: str | None = None

    @property
    def thread_root(self) -> str:
        """Where a reply goes: the thread's root, or the message itself when it starts a thread."""
        return self.thread_ts or self.ts

    @property
    def in_thread(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts

    @property
    def edited(self) -> bool:
        return self.previous_text is not None

    @property
    def from_bot(self) -> bool:
        return self.bot_id is not None


def _rich_text(elements: Any) -> Iterator[str]:
    """The text inside rich_text elements, however deep."""
    if isinstance(elements, list):
        for element in elements:
            yield from _rich_text(element)
    elif isinstance(elements, Mapping):
        if isinstance(elements.get("text"), str) and elements.get("type") in ("text", "link"):
            yield elements["text"]
        elif elements.get("type") == "link" and isinstance(elements.get("url"), str):
            yield elements["url"]
        yield from _rich_text(elements.get("elements"))


def _block_text(block: Mapping[str, Any]) -> Iterator[str]:
    if block.get("type") == "rich_text":
        yield "".join(_rich_text(block.get("elements")))
    text = block.get("text")
    if isinstance(text, Mapping) and isinstance(text.get("text"), str):
        yield text["text"]
    for item in block.get("fields") or []:
        if isinstance(item, Mapping) and isinstance(item.get("text"), str):
            yield item["text"]
    for item in block.get("elements") or []:
        if block.get("type") == "context" and isinstance(item, Mapping) and isinstance(item.get("text"), str):
            yield item["text"]


def message_text(message: Mapping[str, Any]) -> str:
    """All the text of a message: `text`, then attachments and blocks, which CI bots often use.
    Blocks that only repeat `text` (Slack adds a rich_text copy) are not counted twice."""
    parts: list[str] = []
    text = message.get("text")
    if isinstance(text, str) and text:
        parts.append(text)
    for attachment in message.get("attachments") or []:
        if not isinstance(attachment, Mapping):
            continue
        for key in ("pretext", "title", "text", "fallback"):
            value = attachment.get(key)
            if isinstance(value, str) and value and value not in parts:
                parts.append(value)
        for item in attachment.get("fields") or []:
            if isinstance(item, Mapping) and isinstance(item.get("value"), str):
                parts.append(item["value"])
        for block in attachment.get("blocks") or []:
            if isinstance(block, Mapping):
                parts += [t for t in _block_text(block) if t and t not in parts]
    for block in message.get("blocks") or []:
        if isinstance(block, Mapping):
            parts += [t for t in _block_text(block) if t and t not in parts]
    return "\n".join(parts)


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def from_event(event: Mapping[str, Any]) -> ChatMessage | None:
    """The message an Events API `message` or `app_mention` event carries, or None when the event
    is not a readable message (deletions, joins, malformed payloads)."""
    subtype = event.get("subtype")
    previous: str | None = None
    message: Mapping[str, Any] = event
    if subtype == "message_changed":
        inner, before = event.get("message"), event.get("previous_message")
        if not isinstance(inner, Mapping):
            return None
        message = inner
        previous = message_text(before) if isinstance(before, Mapping) else ""
        subtype = inner.get("subtype")
    if subtype not in _READABLE:
        return None
    channel, ts = _string(event.get("channel")), _string(message.get("ts"))
    if channel is None or ts is None:
        return None
    files = message.get("files") or []
    file_ids = tuple(
        f["id"]
        for f in files
        if isinstance(f, Mapping) and isinstance(f.get("id"), str) and f.get("mode") != "tombstone"
    )
    return ChatMessage(
        channel=channel,
        ts=ts,
        thread_ts=_string(message.get("thread_ts")),
        user=_string(message.get("user")),
        bot_id=_string(message.get("bot_id")),
        text=message_text(message),
        file_ids=file_ids,
        previous_text=previous,
    )
