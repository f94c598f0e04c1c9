"""A fake Slack Web API on loopback: records every call and answers as Slack does.

What the client sends is kept as Slack receives it: JSON bodies for chat.postMessage and the like,
form or query parameters for the rest. `users.info` returns a locale only when asked with
include_locale. `rate_limit(method, times)` makes the next calls answer 429 with Retry-After.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER = "UBOT0001"
BOT_ID = "BBOT0001"
TEAM = "T0001"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    headers: dict[str, str]


@dataclass
class FakeSlack:
    locales: dict[str, str] = field(default_factory=dict)
    guests: set[str] = field(default_factory=set)
    outsiders: set[str] = field(default_factory=set)  # Slack Connect users from another organization
    # Seconds Slack takes to answer each method (to keep work in flight).
    delays: dict[str, float] = field(default_factory=dict)
    files: dict[str, tuple[dict[str, Any], bytes]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    base_url: str = ""
    _limits: dict[str, int] = field(default_factory=dict)
    _ts: Any = field(default_factory=lambda: itertools.count(1))
    _changed: asyncio.Event | None = None
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    acks: list[str] = field(default_factory=list)

    def rate_limit(self, method: str, times: int = 1) -> None:
        self._limits[method] = times

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def posts(self) -> list[Call]:
        return self.called("chat.postMessage")

    async def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Wait until `count` calls of `method` arrived (bounded), then return them."""
        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.called(method)) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"expected {count} {method} call(s), got {len(self.called(method))}")
            await asyncio.sleep(0.02)
        return self.called(method)

    async def quiet(self, seconds: float = 0.5) -> None:
        """Let background work finish: wait until no call arrived for `seconds`."""
        seen = -1
        while seen != len(self.calls):
            seen = len(self.calls)
            await asyncio.sleep(seconds)

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.method == "POST":
            if request.content_type == "application/json":
                body = await request.json()
                params.update(body if isinstance(body, dict) else {})
            else:
                params.update(dict(await request.post()))
        return params

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
                "team_id": TEAM,
                "user": "iamrole",
                "team": "acme",
            }
        if method == "chat.postMessage":
            if not params.get("channel"):
                return {"ok": False, "error": "channel_not_found"}
            ts = f"1800000000.{next(self._ts):06d}"
            return {
                "ok": True,
                "channel": params["channel"],
                "ts": ts,
                "message": {"ts": ts, "bot_id": BOT_ID},
            }
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1800000000.{next(self._ts):06d}"}
        if method == "users.info":
            user: dict[str, Any] = {"id": params.get("user"), "name": "someone", "team_id": TEAM}
            if params.get("user") in self.guests:
                user["is_restricted"] = True
            if params.get("user") in self.outsiders:
                user["team_id"] = "T0OTHERORG"
            if str(params.get("include_locale")).lower() in ("1", "true"):
                user["locale"] = self.locales.get(str(params.get("user")), "en-US")
            return {"ok": True, "user": user}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"{self.base_url.replace('http', 'ws', 1)}socket"}
        if method == "files.info":
            info, _ = self.files.get(str(params.get("file")), ({}, b""))
            return {"ok": True, "file": info} if info else {"ok": False, "error": "file_not_found"}
        return {"ok": True}

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        if self.delays.get(method):
            await asyncio.sleep(self.delays[method])
        self.calls.append(Call(method, params, dict(request.headers)))
        if self._limits.get(method, 0) > 0:
            self._limits[method] -= 1
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"}
            )
        return web.json_response(self._answer(method, params))

    async def download(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        self.calls.append(Call("download", {"file": file_id}, dict(request.headers)))
        if not request.headers.get("Authorization", "").startswith("Bearer xoxb-"):
            return web.Response(status=403)
        _, content = self.files.get(file_id, ({}, b""))
        return web.Response(body=content)

    async def respond(self, request: web.Request) -> web.Response:
        self.calls.append(Call("response_url", await request.json(), dict(request.headers)))
        return web.json_response({"ok": True})

    async def socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: say hello, then record the envelope ids the app acknowledges."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_json(
            {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0IAMROLE"}}
        )
        async for frame in ws:
            if frame.type == web.WSMsgType.TEXT:
                data = json.loads(frame.data)
                if "envelope_id" in data:
                    self.acks.append(data["envelope_id"])
        return ws

    async def push_event(self, body: dict[str, Any], envelope_id: str) -> None:
        """Send an Events API envelope down the socket the app opened."""
        envelope = {
            "envelope_id": envelope_id,
            "type": "events_api",
            "payload": body,
            "accepts_response_payload": False,
        }
        await self.sockets[-1].send_json(envelope)

    def add_snippet(self, file_id: str, content: str) -> dict[str, Any]:
        info = {
            "id": file_id,
            "filetype": "text",
            "mode": "snippet",
            "size": len(content.encode()),
            "url_private": f"{self.base_url}files/{file_id}",
        }
        self.files[file_id] = (info, content.encode())
        return {"id": file_id, "mode": "snippet", "filetype": "text"}

    def app(self) -> web.Application:
        app = web.Application()
        app.add_routes(
            [
                web.route("*", "/api/{method}", self.api),
                web.get("/files/{file_id}", self.download),
                web.post("/respond/{token}", self.respond),
                web.get("/socket", self.socket),
            ]
        )
        return app

    def dump(self) -> str:
        return json.dumps([(c.method, c.params) for c in self.calls], indent=1, default=str)[:4000]
