"""The real app served on aiohttp on a free loopback port, driven by correctly signed Slack
requests, talking to the fake Slack Web API."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from bot.config import Settings
from bot.service import EVENTS_PATH, Services, build_bolt, build_services, build_web_app, shutdown
from tests.slack_fake import BOT_USER, TEAM, FakeSlack

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
_ids = itertools.count(1)


def sign(body: str, timestamp: int | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def message_event(
    text: str, *, channel: str = "C0AWSHELP", user: str | None = "U0ALICE", **extra: Any
) -> dict[str, Any]:
    ts = extra.pop("ts", f"1700000000.{next(_ids):06d}")
    event: dict[str, Any] = {"type": "message", "channel": channel, "text": text, "ts": ts, "event_ts": ts}
    if user:
        event["user"] = user
    event.update(extra)
    return event


@dataclass
class Bot:
    """One running instance of the app, and ways to talk to it as Slack would."""

    services: Services
    server: TestServer
    fake: FakeSlack
    session: aiohttp.ClientSession
    response_urls: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return str(self.server.make_url(EVENTS_PATH))

    async def post(
        self, body: str, content_type: str, headers: dict[str, str] | None = None
    ) -> aiohttp.ClientResponse:
        all_headers = {"Content-Type": content_type, **sign(body), **(headers or {})}
        async with self.session.post(self.url, data=body.encode(), headers=all_headers) as response:
            await response.read()
            return response

    async def event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry: int | None = None
    ) -> int:
        payload = {
            "token": "legacy",
            "team_id": TEAM,
            "api_app_id": "A0IAMROLE",
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_ids):08d}",
            "event_time": int(time.time()),
            "event": event,
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
        }
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        response = await self.post(json.dumps(payload), "application/json", headers)
        return response.status

    async def command(
        self, text: str, *, user: str = "U0ALICE", channel: str = "C0AWSHELP"
    ) -> tuple[int, float]:
        """Send /iamrole TEXT; returns the HTTP status and the seconds until it was acked."""
        response_url = f"{self.fake.base_url}respond/{next(_ids)}"
        body = urlencode(
            {
                "token": "legacy",
                "team_id": TEAM,
                "channel_id": channel,
                "user_id": user,
                "command": "/iamrole",
                "text": text,
                "response_url": response_url,
                "trigger_id": "1.2.3",
            }
        )
        started = time.perf_counter()
        response = await self.post(body, "application/x-www-form-urlencoded")
        return response.status, time.perf_counter() - started

    async def click(
        self,
        action: dict[str, Any],
        *,
        user: str = "U0ALICE",
        channel: str = "C0AWSHELP",
        message: dict[str, Any] | None = None,
    ) -> int:
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": TEAM},
            "user": {"id": user, "team_id": TEAM},
            "channel": {"id": channel},
            "container": {"type": "message", "channel_id": channel, "message_ts": "1800000000.000001"},
            "actions": [{**action, "type": "button", "block_id": "b1", "action_ts": "1.0"}],
            "response_url": f"{self.fake.base_url}respond/{next(_ids)}",
            "trigger_id": "1.2.3",
            "api_app_id": "A0IAMROLE",
        }
        if message is not None:
            payload["message"] = message
        response = await self.post(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
        )
        return response.status

    async def stop(self) -> None:
        """The app's own shutdown (in-flight work drained, store closed), then the HTTP server."""
        await shutdown(self.services)
        await self.server.close()


async def start_bot(fake: FakeSlack, session: aiohttp.ClientSession, **settings: Any) -> Bot:
    config = Settings(
        slack_bot_token=SecretStr("xoxb-test-token"),
        slack_signing_secret=SecretStr(SIGNING_SECRET),
        slack_api_url=f"{fake.base_url}api/",
        **settings,
    )
    services = build_services(config)
    server = TestServer(build_web_app(services, build_bolt(services)), host="127.0.0.1")
    await server.start_server()
    return Bot(services, server, fake, session)
