"""The Slack app manifest agrees with what the code registers and calls."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tests.harness import Bot, message_event

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = yaml.safe_load((ROOT / "deploy" / "manifest.yml").read_text())
# The scope each Web API method and event subscription needs.
METHOD_SCOPES = {
    "chat_postMessage": "chat:write",
    "chat_postEphemeral": "chat:write",
    "chat_update": "chat:write",
    "reactions_add": "reactions:write",
    "users_info": "users:read",
    "files_info": "files:read",
    "views_publish": None,
    "auth_test": None,
}
EVENT_SCOPES = {
    "message.channels": "channels:history",
    "message.groups": "groups:history",
    "app_mention": "app_mentions:read",
    "app_home_opened": None,
}


def _methods_called() -> set[str]:
    sources = [p.read_text() for d in ("bot", "handlers") for p in (ROOT / d).rglob("*.py")]
    return {m for source in sources for m in re.findall(r"client\.([a-z]+_[A-Za-z]+)\(", source)}


def test_every_scope_is_needed_and_every_needed_scope_is_granted() -> None:
    called = _methods_called()
    assert called, "no Web API calls found"
    assert called <= set(METHOD_SCOPES), f"unknown methods: {called - set(METHOD_SCOPES)}"
    needed = {METHOD_SCOPES[m] for m in called} | {
        EVENT_SCOPES[e] for e in MANIFEST["settings"]["event_subscriptions"]["bot_events"]
    }
    needed |= {"commands"}
    needed.discard(None)
    assert set(MANIFEST["oauth_config"]["scopes"]["bot"]) == needed


def test_interactivity_home_and_urls() -> None:
    settings = MANIFEST["settings"]
    assert settings["interactivity"]["is_enabled"] is True
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True
    urls = {settings["event_subscriptions"]["request_url"], settings["interactivity"]["request_url"]}
    urls |= {c["url"] for c in MANIFEST["features"]["slash_commands"]}
    assert {u.rsplit("/", 2)[-2] + "/" + u.rsplit("/", 1)[-1] for u in urls} == {"slack/events"}


async def test_the_app_handles_every_subscribed_event_and_the_command(bot: Bot) -> None:
    events = {
        "message.channels": message_event("hello", channel="C0PUBLIC"),
        "message.groups": message_event("hello", channel="G0PRIVATE"),
        "app_mention": {**message_event("<@UBOT0001> hi"), "type": "app_mention"},
        "app_home_opened": {"type": "app_home_opened", "user": "U0ALICE", "tab": "home"},
    }
    assert set(events) == set(MANIFEST["settings"]["event_subscriptions"]["bot_events"])
    for event in events.values():
        assert await bot.event(event) == 200
    [command] = MANIFEST["features"]["slash_commands"]
    assert command["command"] == "/iamrole"
    status, _ = await bot.command("help")
    assert status == 200
    await bot.fake.wait_for("response_url")
