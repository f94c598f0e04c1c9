"""Shared fixtures: the bundled knowledge base and a way to run the real command."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bot.knowledge import KnowledgeBase, bundled
from tests.harness import Bot, start_bot
from tests.slack_fake import FakeSlack

# STS's refusal of a role session name, quoting the name it was sent ({}).
SESSION_NAME = (
    "An error occurred (ValidationError) when calling the AssumeRole operation: 1 validation error "
    "detected: Value '{}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy "
    "regular expression pattern: [\\w+=,.@-]*"
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return bundled()


def run_cli(
    *args: str, stdin: str | bytes | None = None, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ARGS` as a user would, stdin piped (never a terminal), in a clean
    environment plus `env`."""
    data = stdin.encode() if isinstance(stdin, str) else stdin
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "AWS_", "IAMROLE_", "REDIS_"))}
    env = base | (env or {})
    process = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=data if data is not None else b"",
        capture_output=True,
        cwd=cwd or ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    return subprocess.CompletedProcess(
        process.args, process.returncode, process.stdout.decode(), process.stderr.decode()
    )


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    """A fake Slack Web API on a free loopback port."""
    slack = FakeSlack()
    server = TestServer(slack.app(), host="127.0.0.1")
    await server.start_server()
    slack.base_url = str(server.make_url("/"))
    yield slack
    await server.close()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.fixture
async def bot(fake: FakeSlack, session: aiohttp.ClientSession) -> AsyncIterator[Bot]:
    """The real app on a free loopback port, talking to `fake`."""
    instance = await start_bot(fake, session)
    yield instance
    await instance.stop()
