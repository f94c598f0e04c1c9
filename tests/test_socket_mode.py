"""`iamrole-bot socket` as a real process: it opens Socket Mode through the (fake) Web API, acks
envelopes, answers in the thread, serves /healthz, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import aiohttp

from tests.conftest import ROOT
from tests.redis_server import free_port
from tests.slack_fake import FakeSlack

PASSROLE = (
    "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:PassRole on resource: "
    "arn:aws:iam::123456789012:role/app"
)


async def test_socket_mode_end_to_end(fake: FakeSlack, session: aiohttp.ClientSession) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "REDIS_", "IAMROLE_"))}
    env |= {
        "SLACK_BOT_TOKEN": "xoxb-socket",
        "SLACK_APP_TOKEN": "xapp-socket",
        "SLACK_API_URL": f"{fake.base_url}api/",
        "PORT": str(port),
    }
    app = subprocess.Popen([sys.executable, "-m", "bot", "socket"], env=env, cwd=ROOT, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not fake.sockets and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        assert fake.sockets, "the app did not open a socket"
        [opened] = fake.called("apps.connections.open")
        assert opened.headers["Authorization"] == "Bearer xapp-socket"
        body = {
            "type": "event_callback",
            "team_id": "T0001",
            "event_id": "EvSOCKET1",
            "event": {
                "type": "message",
                "channel": "C0AWSHELP",
                "user": "U0ALICE",
                "text": PASSROLE,
                "ts": "1700000001.000100",
            },
        }
        await fake.push_event(body, "env-1")
        [post] = await fake.wait_for("chat.postMessage", timeout=20)
        assert post.params["thread_ts"] == "1700000001.000100"
        assert "env-1" in fake.acks
        async with session.get(f"http://127.0.0.1:{port}/healthz") as health:
            assert health.status == 200 and (await health.json())["status"] == "ok"
    finally:
        app.send_signal(signal.SIGTERM)
        try:
            code = app.wait(timeout=30)
        except subprocess.TimeoutExpired:
            app.kill()
            raise
    assert code == 0, app.stderr.read().decode()[-2000:] if app.stderr else ""
