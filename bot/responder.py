"""What the bot does with a message in a channel: decide, diagnose, answer once, in the thread.

Handlers translate Slack's payloads into `ChatMessage`s and hand them here; this module decides
whether to answer (channel, bots, duplicates, repeats in a thread, edits), and the answer.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError

from bot import language
from bot.chat import Chat
from bot.diagnosis import Diagnosis, Triage, diagnose
from bot.events import ChatMessage
from bot.failures import Failure
from bot.knowledge import Cause, KnowledgeBase, Lang
from bot.metrics import Metrics
from bot.render import blocks, secrets_note
from bot.store import Store

log = logging.getLogger(__name__)

# How long a claim on an event or a message lasts: longer than Slack retries for.
CLAIM_TTL = 6 * 3600
# How long the bot remembers what it already said in a thread.
THREAD_MEMORY_TTL = 14 * 24 * 3600
REPEAT_REACTION = "repeat"
DETAILS = "iamrole_details"
HELPFUL = "iamrole_helpful"
NOT_HELPFUL = "iamrole_not_helpful"
INSPECT = "iamrole_inspect"


@dataclass(frozen=True)
class Identity:
    """Who the bot is in this workspace (from auth.test)."""

    user_id: str | None
    bot_id: str | None
    team_id: str | None


def fingerprint(diagnosis: Diagnosis) -> str:
    """A short stable id for a diagnosis: its cause and entities, never the pasted text."""
    raw = json.dumps([diagnosis.cause.id, diagnosis.entities], sort_keys=True)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def button_value(diagnosis: Diagnosis, lang: Lang) -> str | None:
    """What a button carries to rebuild the diagnosis later (Slack allows 2000 characters)."""
    carried: dict[str, Any] = {
        "c": diagnosis.cause.id,
        "e": diagnosis.entities,
        "l": lang,
        "p": diagnosis.confidence,
    }
    shapes = sorted(diagnosis.cause.shapes.intersection(diagnosis.hidden))
    if shapes:
        carried["s"] = shapes  # which shapes of the error matched (names only), for their steps
    value = json.dumps(carried)
    return value if len(value) <= 2000 else None


def from_button(value: str, kb: KnowledgeBase) -> Triage | None:
    """The diagnosis a button carried, or None when the value is not one of ours."""
    try:
        data = json.loads(value)
        cause: Cause = kb.cause(data["c"])
        lang: Lang = "ja" if data.get("l") == "ja" else "en"
        entities = data["e"] if isinstance(data["e"], dict) else {}
        confidence = float(data.get("p", 0.9))
        shapes = data.get("s", [])
        hidden = {name: name for name in shapes if isinstance(name, str) and name in cause.shapes}
    except (ValueError, KeyError, TypeError):
        return None
    return Triage([Diagnosis(cause, confidence, entities, 0, 0, hidden)], lang)


def actions_block(triage: Triage, inspectable: bool) -> dict[str, Any] | None:
    """Buttons under a diagnosis: details, helpful / not helpful, and inspect where it can be."""
    primary = triage.primary
    if primary is None:
        return None
    value = button_value(primary, triage.lang)
    if value is None:
        return None
    ja = triage.lang == "ja"
    labels = (
        ("詳細", "役に立った", "役に立たなかった", "ロールを調べる")
        if ja
        else (
            "Details",
            "Helpful",
            "Not helpful",
            "Inspect role",
        )
    )
    elements: list[dict[str, Any]] = [
        {
            "type": "button",
            "action_id": DETAILS,
            "text": {"type": "plain_text", "text": labels[0]},
            "value": value,
        },
        {
            "type": "button",
            "action_id": HELPFUL,
            "text": {"type": "plain_text", "text": labels[1]},
            "value": primary.cause.id,
        },
        {
            "type": "button",
            "action_id": NOT_HELPFUL,
            "text": {"type": "plain_text", "text": labels[2]},
            "value": primary.cause.id,
        },
    ]
    if inspectable:
        elements.append(
            {
                "type": "button",
                "action_id": INSPECT,
                "text": {"type": "plain_text", "text": labels[3]},
                "value": value,
            }
        )
    return {"type": "actions", "block_id": f"iamrole-actions-{fingerprint(primary)}", "elements": elements}


class Responder:
    """Answers pasted errors in channels and threads: once, in the thread, in the user's language."""

    def __init__(
        self,
        kb: KnowledgeBase,
        store: Store,
        chat: Chat,
        metrics: Metrics,
        *,
        channels: frozenset[str] | None,
        diagnose_bots: bool,
        can_inspect: Callable[[Diagnosis], bool] | None = None,
        decode: Callable[[Diagnosis], Awaitable[str | None]] | None = None,
    ) -> None:
        self.kb = kb
        self.store = store
        self.chat = chat
        self.metrics = metrics
        self.channels = channels
        self.diagnose_bots = diagnose_bots
        self.can_inspect = can_inspect or (lambda diagnosis: False)
        self.decode = decode
        self.identity = Identity(None, None, None)

    def _ignored(self, message: ChatMessage) -> str | None:
        """Why the bot stays out of this message, or None when it should read it."""
        if self.channels is not None and message.channel not in self.channels:
            return "channel"
        if message.bot_id and message.bot_id == self.identity.bot_id:
            return "own"
        if message.user and message.user == self.identity.user_id:
            return "own"
        if message.from_bot and (message.in_thread or not self.diagnose_bots):
            return "bot"
        return None

    async def _language(self, message: ChatMessage, text: str) -> Lang:
        if language.detect(text) == "ja":
            return "ja"
        if message.user and not message.from_bot:
            try:
                locale = await self.chat.locale(message.user)
            except (SlackApiError, aiohttp.ClientError) as exc:
                # Without the locale the reply is still worth sending, in English.
                log.warning("locale lookup failed: %s", type(exc).__name__)
                locale = None
            if locale and locale.lower().startswith("ja"):
                return "ja"
        return "en"

    async def _text(self, message: ChatMessage) -> str:
        parts = [message.text]
        for file_id in message.file_ids[:3]:
            try:
                parts.append(await self.chat.snippet(file_id))
            except (SlackApiError, aiohttp.ClientError) as exc:
                log.warning("snippet %s unreadable: %s", file_id, type(exc).__name__)
        return "\n".join(p for p in parts if p)

    async def tell_failure(self, message: ChatMessage, failure: Failure, *, mention: bool) -> None:
        """Say in the thread that reading the message failed: always when the bot was asked, and for
        an unexpected failure (its id lets the team find it in the logs); a known, passing failure on
        a message nobody addressed to the bot stays in the logs."""
        if mention or not failure.known:
            lang: Lang = "ja" if language.detect(message.text) == "ja" else "en"
            await self.chat.reply(
                message.channel, message.thread_root, blocks.SlackMessage(failure.message(lang), [])
            )

    def mentions_bot(self, message: ChatMessage) -> bool:
        return bool(self.identity.user_id) and f"<@{self.identity.user_id}>" in message.text

    async def on_message(self, message: ChatMessage, *, event_id: str | None, mention: bool) -> None:
        """Read a channel message and answer it if it holds an IAM error (or asks, when mentioned)."""
        reason = self._ignored(message)
        if reason:
            self.metrics.events.labels(kind="message", outcome=f"ignored-{reason}").inc()
            return
        asked = mention or self.mentions_bot(message)
        if event_id and not await self.store.claim(f"event:{event_id}", CLAIM_TTL):
            self.metrics.events.labels(kind="message", outcome="duplicate-event").inc()
            return
        text = await self._text(message)
        lang = await self._language(message, text)
        triage = diagnose(text, asked=asked, lang=lang)
        if message.edited:
            triage = await self._added_by_edit(message, triage, asked)
        elif not await self._first_reading(message, triage):
            self.metrics.events.labels(kind="message", outcome="duplicate-message").inc()
            return
        # Each kind of credential in a message is noted once, whatever edits and retries follow.
        noted = [
            kind
            for kind in triage.secrets_seen
            if await self.store.claim(f"noted:{message.channel}:{message.ts}:{kind}", CLAIM_TTL)
        ]
        note = secrets_note(noted, triage.lang, self.kb.messages)
        if note and message.user:
            await self.chat.note(message.channel, message.user, note, message.thread_ts)
        if message.edited and triage.primary is None:
            if not noted:
                self.metrics.events.labels(kind="message", outcome="edit-unchanged").inc()
            return
        await self._answer(message, triage, asked)

    async def _first_reading(self, message: ChatMessage, triage: Triage) -> bool:
        """False where the message was read already: a retry, the other copy of a mention, or its
        edit, which Slack may send first."""
        if not await self.store.claim(f"answered:{message.channel}:{message.ts}", CLAIM_TTL):
            return False
        return not triage.diagnoses or bool(await self._read_in(message, triage.diagnoses))

    async def _read_in(self, message: ChatMessage, diagnoses: list[Diagnosis]) -> list[Diagnosis]:
        """Of the diagnoses, those not read in this message before (each remembered now): what a
        reply to it shows, whatever edits follow."""
        return [
            d
            for d in diagnoses
            if await self.store.claim(f"read:{message.channel}:{message.ts}:{fingerprint(d)}", CLAIM_TTL)
        ]

    async def _added_by_edit(self, message: ChatMessage, triage: Triage, asked: bool) -> Triage:
        """The triage of what an edit added: errors not in the text before it nor read in the
        message before (Slack sometimes leaves the text before out), and credentials not in that
        text either."""
        before = diagnose(message.previous_text or "", asked=asked, lang=triage.lang)
        known = {fingerprint(d) for d in before.diagnoses}
        fresh = await self._read_in(message, [d for d in triage.diagnoses if fingerprint(d) not in known])
        secrets = [kind for kind in triage.secrets_seen if kind not in before.secrets_seen]
        return Triage(fresh, triage.lang, secrets, None)

    async def _answer(self, message: ChatMessage, triage: Triage, asked: bool) -> None:
        primary = triage.primary
        if primary is None:
            if asked:
                reply = blocks.render(triage, self.kb)
                if not triage.question:
                    reply = blocks.SlackMessage(self.help_text(triage.lang), [])
                await self.chat.reply(message.channel, message.thread_root, reply)
                self.metrics.events.labels(kind="message", outcome="asked-no-diagnosis").inc()
            else:
                self.metrics.events.labels(kind="message", outcome="no-diagnosis").inc()
            return
        seen = f"thread:{message.channel}:{message.thread_root}:{fingerprint(primary)}"
        if not await self.store.claim(seen, THREAD_MEMORY_TTL):
            if message.edited:
                # Answered in the thread already: an edit is no new paste to react to.
                self.metrics.events.labels(kind="message", outcome="edit-unchanged").inc()
                return
            await self.chat.react(message.channel, message.ts, REPEAT_REACTION)
            self.metrics.events.labels(kind="message", outcome="repeat-in-thread").inc()
            return
        reply = blocks.render(triage, self.kb)
        explainable = "_encoded" in primary.hidden or "authorization_id" in primary.entities
        decoded = await self.decode(primary) if self.decode and explainable else None
        if decoded:
            section = {"type": "section", "text": {"type": "mrkdwn", "text": blocks.escape(decoded)[:3000]}}
            reply = blocks.SlackMessage(reply.text, [*reply.blocks[:2], section, *reply.blocks[2:]])
        buttons = actions_block(triage, bool(self.can_inspect(primary)))
        if buttons:
            reply = blocks.SlackMessage(reply.text, [*reply.blocks, buttons])
        await self.chat.reply(message.channel, message.thread_root, reply)
        # One count per cause (a long paste may hold dozens of errors of one cause).
        for cause, count in Counter(d.cause.id for d in triage.diagnoses).items():
            self.metrics.diagnoses.labels(cause=cause).inc(count)
            await self.store.count("diagnoses", cause, count)
        self.metrics.events.labels(kind="message", outcome="answered").inc()

    def help_text(self, lang: Lang) -> str:
        if lang == "ja":
            return (
                "AWS IAM のエラーメッセージをそのまま貼り付けてください。原因と直し方をスレッドで返信します。"
                "`/iamrole explain <エラー>` で自分だけに表示、`/iamrole help` で使い方を表示します。"
            )
        return (
            "Paste the AWS IAM error message as it is and I will reply in the thread with its cause and "
            "the fix. `/iamrole explain <error>` answers privately; `/iamrole help` shows how to use me."
        )
