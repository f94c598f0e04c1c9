"""The Slack Web API as the bot uses it: threaded replies, private notes, reactions, locales, snippets.

Posting keeps to about one message a second per channel on average (short bursts allowed), and
Slack's 429 answers are retried after their Retry-After by the client's retry handler.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.render.blocks import SlackMessage
from bot.store import Store

LOCALE_TTL = 24 * 3600
SNIPPET_MAX_BYTES = 1 << 20
_TEXT_FILETYPES = {
    "text",
    "txt",
    "log",
    "json",
    "yaml",
    "yml",
    "xml",
    "python",
    "javascript",
    "shell",
    "markdown",
}


class ChannelPace:
    """A token bucket per channel: `burst` messages at once, then `rate` a second."""

    def __init__(self, rate: float = 1.0, burst: int = 3) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = asyncio.Lock()

    async def wait(self, channel: str) -> None:
        async with self._lock:
            now = time.monotonic()
            tokens, stamp = self._buckets.get(channel, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - stamp) * self.rate)
            delay = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
            self._buckets[channel] = (tokens - 1, now)
            if len(self._buckets) > 10_000:
                self._buckets = {c: b for c, b in self._buckets.items() if now - b[1] < 60}
        if delay:
            await asyncio.sleep(delay)


def web_client(token: str, base_url: str, session: aiohttp.ClientSession | None = None) -> AsyncWebClient:
    """The Web API client: one shared HTTP session, 429s retried after Retry-After."""
    client = AsyncWebClient(token=token, base_url=base_url, session=session, timeout=10)
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=3))
    return client


class Chat:
    """What the bot says and reads in Slack."""

    def __init__(self, client: AsyncWebClient, store: Store, pace: ChannelPace | None = None) -> None:
        self.client = client
        self.store = store
        self.pace = pace or ChannelPace()

    async def reply(self, channel: str, thread_ts: str, message: SlackMessage) -> str | None:
        """Post in the thread (never top-level, never broadcast, no unfurls); the new message's ts."""
        await self.pace.wait(channel)
        response = await self.client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            text=message.text,
            blocks=message.blocks,
            reply_broadcast=False,
            unfurl_links=False,
            unfurl_media=False,
        )
        ts = response.get("ts")
        return ts if isinstance(ts, str) else None

    async def note(self, channel: str, user: str, text: str, thread_ts: str | None = None) -> None:
        """A message only `user` sees."""
        await self.client.chat_postEphemeral(channel=channel, user=user, text=text, thread_ts=thread_ts)

    async def react(self, channel: str, ts: str, name: str) -> None:
        try:
            await self.client.reactions_add(channel=channel, timestamp=ts, name=name)
        except SlackApiError as exc:
            if exc.response.get("error") != "already_reacted":
                raise

    async def locale(self, user: str) -> str | None:
        """The user's Slack locale (e.g. ja-JP), cached; None when Slack does not say."""
        key = f"locale:{user}"
        cached = await self.store.get(key)
        if cached is not None:
            return cached or None
        response = await self.client.users_info(user=user, include_locale=True)
        profile = response.get("user") or {}
        locale = profile.get("locale") if isinstance(profile, dict) else None
        await self.store.put(key, locale or "", LOCALE_TTL)
        return locale if isinstance(locale, str) else None

    async def member(self, user: str, team_id: str | None) -> bool:
        """Whether `user` is a full member of this workspace: not a guest, not from another
        organization (Slack Connect)."""
        response = await self.client.users_info(user=user)
        profile: Any = response.get("user") or {}
        if profile.get("is_restricted") or profile.get("is_ultra_restricted") or profile.get("is_stranger"):
            return False
        return team_id is None or profile.get("team_id") in (None, team_id)

    async def snippet(self, file_id: str) -> str:
        """The text of a snippet or text file (at most 1 MiB); '' for anything else."""
        response = await self.client.files_info(file=file_id)
        info: Any = response.get("file") or {}
        if not isinstance(info, dict) or info.get("filetype") not in _TEXT_FILETYPES:
            return ""
        if isinstance(info.get("content"), str):
            return str(info["content"])[:SNIPPET_MAX_BYTES]
        url = info.get("url_private_download") or info.get("url_private")
        if not isinstance(url, str) or int(info.get("size") or 0) > SNIPPET_MAX_BYTES:
            return ""
        headers = {"Authorization": f"Bearer {self.client.token}"}
        async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as answer:
            if answer.status != 200:
                return ""
            data = await answer.content.read(SNIPPET_MAX_BYTES)
        return data.decode("utf-8", "replace")

    async def publish_home(self, user: str, blocks: list[dict[str, Any]]) -> None:
        await self.client.views_publish(user_id=user, view={"type": "home", "blocks": blocks})
