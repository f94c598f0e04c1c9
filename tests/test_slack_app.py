"""The Slack app end to end: signed requests over HTTP to the real app, calls asserted on a fake
Slack Web API on loopback."""

from __future__ import annotations

import asyncio
import json
import re
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import redis.asyncio as aioredis

from bot.diagnosis import diagnose
from bot.knowledge import bundled
from bot.store import RedisStore
from tests.harness import Bot, message_event, sign, start_bot
from tests.redis_server import SHARED_URL, OwnRedis
from tests.slack_fake import BOT_ID, BOT_USER, FakeSlack

PASSROLE = (
    "An error occurred (AccessDenied) when calling the PutLifecycleHook operation: User: "
    "arn:aws:sts::111122223333:assumed-role/Testrole/Diego is not authorized to perform: iam:PassRole on resource: "
    "arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
)
DURATION = (
    "An error occurred (ValidationError) when calling the AssumeRole operation: "
    "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
)


def _reply_text(call: Any) -> str:
    return call.params.get("text", "") + json.dumps(call.params.get("blocks", ""), ensure_ascii=False)


async def test_a_pasted_error_gets_one_threaded_reply(bot: Bot, fake: FakeSlack) -> None:
    event = message_event(PASSROLE)
    assert await bot.event(event) == 200
    [post] = await fake.wait_for("chat.postMessage")
    await fake.quiet(0.3)
    assert len(fake.posts()) == 1
    assert post.params["channel"] == "C0AWSHELP"
    assert post.params["thread_ts"] == event["ts"]
    assert post.params["unfurl_links"] is False and post.params["unfurl_media"] is False
    assert post.params["reply_broadcast"] is False
    assert "AWSServiceRoleForAutoScaling" in _reply_text(post)
    actions = [b for b in post.params["blocks"] if b["type"] == "actions"]
    assert [e["action_id"] for e in actions[0]["elements"]] == [
        "iamrole_details",
        "iamrole_helpful",
        "iamrole_not_helpful",
    ]


async def test_an_error_inside_a_thread_is_answered_in_that_thread(bot: Bot, fake: FakeSlack) -> None:
    await bot.event(message_event(DURATION, thread_ts="1699999999.000100"))
    [post] = await fake.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == "1699999999.000100"


async def test_chatter_gets_nothing(bot: Bot, fake: FakeSlack) -> None:
    await bot.event(message_event("morning all, the deploy is green again :tada:"))
    await bot.event(message_event("who owns the IAM role for billing? I need to ask about permissions"))
    await fake.quiet(0.3)
    assert fake.posts() == []


async def test_bad_and_stale_signatures_are_refused_without_any_call(bot: Bot, fake: FakeSlack) -> None:
    body = json.dumps({"type": "event_callback", "event_id": "Ev1", "event": message_event(PASSROLE)})
    bad = {"X-Slack-Signature": "v0=" + "0" * 64, "X-Slack-Request-Timestamp": str(int(time.time()))}
    async with bot.session.post(
        bot.url, data=body, headers={"Content-Type": "application/json", **bad}
    ) as response:
        assert response.status == 401
    stale = sign(body, int(time.time()) - 600)
    async with bot.session.post(
        bot.url, data=body, headers={"Content-Type": "application/json", **stale}
    ) as response:
        assert response.status == 401
    await fake.quiet(0.3)
    assert fake.posts() == []


async def test_slack_retries_and_the_double_delivery_of_a_mention_give_one_reply(
    bot: Bot, fake: FakeSlack
) -> None:
    event = message_event(PASSROLE)
    await bot.event(event, event_id="EvRETRY1")
    await bot.event(event, event_id="EvRETRY1", retry=1)
    await bot.event(event, event_id="EvRETRY1", retry=2)
    mention = message_event(f"<@{BOT_USER}> what is this? {DURATION}")
    await bot.event({**mention, "type": "app_mention"}, event_id="EvMENTION")
    await bot.event(mention, event_id="EvMESSAGE")
    await fake.quiet(0.4)
    assert len(fake.posts()) == 2


async def test_the_same_error_again_in_a_thread_gets_a_reaction_not_a_second_essay(
    bot: Bot, fake: FakeSlack
) -> None:
    root = "1699999999.000200"
    await bot.event(message_event(PASSROLE, thread_ts=root))
    await fake.wait_for("chat.postMessage")
    second = message_event("still failing:\n" + PASSROLE, thread_ts=root)
    await bot.event(second)
    [reaction] = await fake.wait_for("reactions.add")
    await fake.quiet(0.3)
    assert len(fake.posts()) == 1
    assert reaction.params["timestamp"] == second["ts"]


async def test_own_messages_and_bot_replies_in_threads_are_ignored(bot: Bot, fake: FakeSlack) -> None:
    await bot.event(message_event("warm up"))  # lets Bolt learn who it is (auth.test)
    await bot.event(message_event(PASSROLE, user=BOT_USER, bot_id=BOT_ID))
    await bot.event(
        message_event(PASSROLE, user=None, bot_id="BOTHER01", subtype="bot_message", thread_ts="1.000001")
    )
    await fake.quiet(0.4)
    assert fake.posts() == []


async def test_a_ci_bots_attachment_and_a_snippet_are_read(bot: Bot, fake: FakeSlack) -> None:
    attachment = {"color": "danger", "title": "deploy #42 failed", "text": DURATION}
    await bot.event(
        message_event("", user=None, bot_id="BCI00001", subtype="bot_message", attachments=[attachment])
    )
    [post] = await fake.wait_for("chat.postMessage")
    assert "MaxSessionDuration" in _reply_text(post)
    snippet = fake.add_snippet("F0SNIPPET", "log output:\n" + PASSROLE)
    await bot.event(message_event("here is the log", subtype="file_share", files=[snippet]))
    posts = await fake.wait_for("chat.postMessage", 2)
    assert "AWSServiceRoleForAutoScaling" in _reply_text(posts[1])
    [download] = fake.called("download")
    assert download.headers["Authorization"] == "Bearer xoxb-test-token"


async def test_japanese_locale_and_japanese_words_get_japanese_replies(bot: Bot, fake: FakeSlack) -> None:
    fake.locales["U0HANAKO"] = "ja-JP"
    await bot.event(message_event(DURATION, user="U0HANAKO"))
    [post] = await fake.wait_for("chat.postMessage")
    assert "ロール" in _reply_text(post)
    [info] = fake.called("users.info")
    assert str(info.params["include_locale"]).lower() in ("1", "true")
    await bot.event(message_event("デプロイで失敗しました:\n" + PASSROLE, user="U0BOB"))
    posts = await fake.wait_for("chat.postMessage", 2)
    assert "ロール" in _reply_text(posts[1])
    await bot.event(message_event(PASSROLE.replace("Diego", "Carol"), user="U0CAROL"))
    posts = await fake.wait_for("chat.postMessage", 3)
    assert "ロール" not in posts[2].params["text"]


async def test_pasted_secrets_are_never_echoed_and_the_poster_is_told_privately(
    bot: Bot, fake: FakeSlack
) -> None:
    key, secret = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    await bot.event(message_event(f"AWS_ACCESS_KEY_ID={key}\naws_secret_access_key = {secret}\n{PASSROLE}"))
    [_post] = await fake.wait_for("chat.postMessage")
    [note] = await fake.wait_for("chat.postEphemeral")
    await fake.quiet(0.3)
    for call in fake.calls:
        assert key not in json.dumps(call.params) and secret not in json.dumps(call.params)
    assert note.params["user"] == "U0ALICE" and "rotate" in note.params["text"]


async def test_an_edit_is_answered_only_when_it_adds_an_error(bot: Bot, fake: FakeSlack) -> None:
    original = message_event("deploy failed, looking")
    unfurl = {
        "type": "message",
        "subtype": "message_changed",
        "channel": original["channel"],
        "ts": "1700000099.000001",
        "message": {**original, "attachments": [{"title": "a link preview"}]},
        "previous_message": original,
    }
    await bot.event(unfurl)
    await fake.quiet(0.3)
    assert fake.posts() == []
    edited = {**unfurl, "message": {**original, "text": "deploy failed: " + PASSROLE}}
    await bot.event(edited)
    [post] = await fake.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == original["ts"]


async def test_an_edit_that_adds_a_credential_gets_the_note_and_one_without_the_old_text_no_reaction(
    bot: Bot, fake: FakeSlack
) -> None:
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    original = message_event(PASSROLE)
    await bot.event(original)
    await fake.wait_for("chat.postMessage")
    # Slack leaves out previous_message in some edits: the error was answered already.
    await bot.event(_edited(original, PASSROLE + " "))
    await bot.event(
        _edited(original, f"{PASSROLE}\naws_secret_access_key = {secret}", previous_message=original)
    )
    [note] = await fake.wait_for("chat.postEphemeral")
    await fake.quiet(0.3)
    assert note.params["user"] == "U0ALICE" and "rotate" in note.params["text"]
    assert len(fake.posts()) == 1 and not fake.called("reactions.add"), fake.dump()
    assert all(secret not in json.dumps(call.params) for call in fake.calls)


def _edited(original: dict[str, Any], text: str, **previous: Any) -> dict[str, Any]:
    """Slack's event for an edit of `original` (previous_message, when given, as Slack sends it)."""
    return {
        "type": "message",
        "subtype": "message_changed",
        "channel": original["channel"],
        "ts": "1700000099.000003",
        "message": {**original, "text": text, "edited": {"user": "U0ALICE", "ts": "1700000100.0"}},
        **previous,
    }


async def test_a_credential_is_noted_once_whatever_edits_follow(bot: Bot, fake: FakeSlack) -> None:
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    original = message_event(f"{PASSROLE}\naws_secret_access_key = {secret}")
    await bot.event(original)
    await fake.wait_for("chat.postEphemeral")
    await bot.event(_edited(original, original["text"] + " "))  # without the text before it
    await bot.event(_edited(original, original["text"] + " (edited)", previous_message=original))
    await fake.quiet(0.5)
    assert len(fake.called("chat.postEphemeral")) == 1 and len(fake.posts()) == 1, fake.dump()
    snippet = fake.add_snippet("F0SNIP", f"log:\naws_secret_access_key = {secret}\n{PASSROLE}")
    shared = message_event("here is the log", subtype="file_share", files=[snippet], ts="1700000200.000001")
    await bot.event(shared)
    await fake.wait_for("chat.postEphemeral", 2)
    await bot.event(_edited(shared, "here is the log (edited)", previous_message=shared))
    await fake.quiet(0.5)
    assert len(fake.called("chat.postEphemeral")) == 2, fake.dump()


async def test_an_edit_without_the_text_before_it_is_answered_for_the_error_it_adds(
    bot: Bot, fake: FakeSlack
) -> None:
    original = message_event(PASSROLE)
    await bot.event(original)
    await fake.wait_for("chat.postMessage")
    await bot.event(_edited(original, PASSROLE + "\n" + DURATION))
    posts = await fake.wait_for("chat.postMessage", 2)
    await fake.quiet(0.3)
    assert "duration-exceeds-max" in json.dumps(posts[1].params) and len(fake.posts()) == 2
    assert not fake.called("reactions.add")


async def test_edits_answer_only_errors_the_message_was_not_answered_for(bot: Bot, fake: FakeSlack) -> None:
    both = message_event(PASSROLE + "\n" + DURATION)
    await bot.event(both)
    await fake.wait_for("chat.postMessage")
    await bot.event(_edited(both, both["text"] + " "))  # unchanged, without the text before it
    await fake.quiet(0.4)
    assert len(fake.posts()) == 1, fake.dump()
    # An error an edit adds next to another is not remembered for the thread unless it was answered.
    hello = message_event("hello", ts="1700000300.000001")
    await bot.event(hello)
    await bot.event(
        _edited(hello, PASSROLE.replace("Diego", "Mia") + "\n" + DURATION, previous_message=hello)
    )
    await fake.wait_for("chat.postMessage", 2)
    await bot.event(message_event(DURATION, thread_ts=hello["ts"], ts="1700000300.000002"))
    posts = await fake.wait_for("chat.postMessage", 3)
    assert "DurationSeconds" in posts[2].params["text"] and not fake.called("reactions.add"), fake.dump()


async def test_slash_commands_are_acked_at_once_and_answered_privately(bot: Bot, fake: FakeSlack) -> None:
    status, seconds = await bot.command("explain " + PASSROLE)
    assert status == 200 and seconds < 3
    [answer] = await fake.wait_for("response_url")
    assert answer.params["response_type"] == "ephemeral"
    assert "AWSServiceRoleForAutoScaling" in json.dumps(answer.params)
    await bot.command("check arn:aws:iam::111122223333:role/app")
    answers = await fake.wait_for("response_url", 2)
    assert "IAMROLE_ALLOWED_ACCOUNTS" in answers[1].params["text"]
    await bot.command("help")
    answers = await fake.wait_for("response_url", 3)
    assert "/iamrole explain" in answers[2].params["text"]
    assert fake.posts() == []


async def test_details_and_feedback_buttons(bot: Bot, fake: FakeSlack) -> None:
    await bot.event(message_event(PASSROLE))
    [post] = await fake.wait_for("chat.postMessage")
    [actions] = [b for b in post.params["blocks"] if b["type"] == "actions"]
    details, helpful = actions["elements"][0], actions["elements"][1]
    assert await bot.click({"action_id": details["action_id"], "value": details["value"]}) == 200
    [answer] = await fake.wait_for("response_url")
    assert answer.params["response_type"] == "ephemeral" and answer.params["replace_original"] is False
    assert "iam:CreateServiceLinkedRole" in json.dumps(answer.params)
    await bot.click({"action_id": helpful["action_id"], "value": helpful["value"]})
    await fake.wait_for("response_url", 2)
    assert await bot.services.store.counts("feedback") == {"passrole-denied:helpful": 1}


async def test_a_mention_without_an_error_gets_help_and_a_weak_match_a_question(
    bot: Bot, fake: FakeSlack
) -> None:
    await bot.event({**message_event(f"<@{BOT_USER}> hello"), "type": "app_mention"})
    [help_post] = await fake.wait_for("chat.postMessage")
    assert "/iamrole explain" in help_post.params["text"]
    await bot.event(
        {
            **message_event(f"<@{BOT_USER}> I can't assume the deploy role since this morning"),
            "type": "app_mention",
        }
    )
    posts = await fake.wait_for("chat.postMessage", 2)
    assert "?" in posts[1].params["text"]


async def test_malformed_requests_get_a_4xx_and_never_a_5xx(bot: Bot, fake: FakeSlack) -> None:
    cases = [
        ("{not json", "application/json"),
        ("payload=%7Bbroken", "application/x-www-form-urlencoded"),
        ("", "application/json"),
        (json.dumps({"type": "something_new"}), "application/json"),
        (json.dumps({"type": "event_callback", "event": {"type": "message"}}), "application/json"),
        # Nested deeper than Python's JSON reader goes, as a body and as a form's payload.
        ("[" * 5000 + "]" * 5000, "application/json"),
        ("payload=" + "%5B" * 5000 + "%5D" * 5000, "application/x-www-form-urlencoded"),
    ]
    for body, content_type in cases:
        response = await bot.post(body, content_type)
        assert 200 <= response.status < 500, (body, response.status)
    huge = json.dumps(
        {"type": "event_callback", "event_id": "EvHUGE", "event": message_event("x" * 1_000_000 + PASSROLE)}
    )
    response = await bot.post(huge, "application/json")
    assert response.status in (200, 413)
    await fake.quiet(0.5)
    async with bot.session.get(str(bot.server.make_url("/healthz"))) as health:
        assert health.status == 200


async def test_url_verification_health_and_metrics(bot: Bot, fake: FakeSlack) -> None:
    response = await bot.post(
        json.dumps({"type": "url_verification", "challenge": "abc123", "token": "x"}), "application/json"
    )
    assert response.status == 200
    await bot.event(message_event(PASSROLE))
    await fake.wait_for("chat.postMessage")
    await fake.quiet(0.2)
    async with bot.session.get(str(bot.server.make_url("/healthz"))) as health:
        assert health.status == 200 and (await health.json())["status"] == "ok"
    async with bot.session.get(str(bot.server.make_url("/metrics"))) as metrics:
        text = await metrics.text()
    assert 'iamrole_diagnoses_total{cause="passrole-denied"} 1.0' in text
    assert "Diego" not in text


async def test_a_429_from_slack_is_retried_and_the_reply_posted_once(bot: Bot, fake: FakeSlack) -> None:
    fake.rate_limit("chat.postMessage", 1)
    await bot.event(message_event(PASSROLE))
    await fake.wait_for("chat.postMessage", 2, timeout=15)
    await fake.quiet(0.5)
    assert len(fake.posts()) == 2  # the refused call and its retry
    assert fake.posts()[0].params == fake.posts()[1].params


async def test_app_home_shows_causes_and_counts(bot: Bot, fake: FakeSlack) -> None:
    await bot.event(message_event(PASSROLE))
    await fake.wait_for("chat.postMessage")
    await bot.event({"type": "app_home_opened", "user": "U0ALICE", "channel": "D0HOME", "tab": "home"})
    [publish] = await fake.wait_for("views.publish")
    view = json.dumps(publish.params["view"])
    assert "passrole-denied" in view and "default-policy-version" in view
    assert "`passrole-denied`: 1" in view


async def test_two_replicas_sharing_redis_answer_an_event_once(
    fake: FakeSlack, session: aiohttp.ClientSession
) -> None:
    client = aioredis.Redis.from_url(SHARED_URL)
    await client.flushdb()
    await client.aclose()
    first = await start_bot(fake, session, redis_url=SHARED_URL)
    second = await start_bot(fake, session, redis_url=SHARED_URL)
    try:
        event = message_event(PASSROLE)
        await asyncio.gather(
            first.event(event, event_id="EvSHARED"), second.event(event, event_id="EvSHARED")
        )
        other = message_event(DURATION)
        await asyncio.gather(first.event(other, event_id="EvA"), second.event(other, event_id="EvB"))
        await fake.quiet(0.4)
        assert len(fake.posts()) == 2
    finally:
        await first.stop()
        await second.stop()


async def test_redis_stopped_mid_run_keeps_answering_and_recovers(
    fake: FakeSlack, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    own = OwnRedis(tmp_path)
    own.start()
    bot = await start_bot(fake, session, redis_url=own.url)
    assert isinstance(bot.services.store, RedisStore)
    bot.services.store.retry_seconds = 0.2
    health_url = str(bot.server.make_url("/healthz"))
    try:
        await bot.event(message_event(PASSROLE))
        await fake.wait_for("chat.postMessage")
        own.stop()
        event = message_event(DURATION)
        await bot.event(event, event_id="EvDOWN")
        await bot.event(event, event_id="EvDOWN", retry=1)
        await fake.wait_for("chat.postMessage", 2)
        async with session.get(health_url) as health:
            assert health.status == 200
            assert await health.json() == {"status": "degraded", "redis": "unavailable", "tasks": 0}
        own.start()
        await asyncio.sleep(0.3)
        await bot.event(message_event(PASSROLE.replace("Diego", "Erin")))
        await fake.wait_for("chat.postMessage", 3)
        async with session.get(health_url) as health:
            assert (await health.json())["status"] == "ok"
        await fake.quiet(0.3)
        assert len(fake.posts()) == 3
    finally:
        await bot.stop()
        own.stop()


async def test_shutdown_finishes_the_replies_in_flight(
    fake: FakeSlack, session: aiohttp.ClientSession
) -> None:
    fake.delays["chat.postMessage"] = 0.5  # Slack is slow: every reply is still in flight at stop()
    bot = await start_bot(fake, session)
    for n in range(5):
        await bot.event(message_event(PASSROLE.replace("Diego", f"user{n}"), channel=f"C0CHAN{n}"))
    assert fake.posts() == []
    await bot.stop()  # drains the supervisor before closing
    assert len(fake.posts()) == 5


async def test_channels_outside_iamrole_channels_and_bots_when_disabled_are_ignored(
    fake: FakeSlack, session: aiohttp.ClientSession
) -> None:
    bot = await start_bot(fake, session, channels=frozenset({"C0ONLYTHIS"}), diagnose_bots=False)
    try:
        await bot.event(message_event(PASSROLE, channel="C0ELSEWHERE"))
        attachment = {"title": "deploy failed", "text": DURATION}
        await bot.event(
            message_event(
                "",
                channel="C0ONLYTHIS",
                user=None,
                bot_id="BCI00001",
                subtype="bot_message",
                attachments=[attachment],
            )
        )
        await fake.quiet(0.3)
        assert fake.posts() == []
        await bot.event(message_event(PASSROLE, channel="C0ONLYTHIS"))
        [post] = await fake.wait_for("chat.postMessage")
        assert post.params["channel"] == "C0ONLYTHIS"
    finally:
        await bot.stop()


async def test_an_unexpected_failure_is_logged_with_an_id_the_user_sees(
    bot: Bot, fake: FakeSlack, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(bot.services.interactions, "command", broken)
    await bot.command("explain " + PASSROLE)
    [answer] = await fake.wait_for("response_url")
    [error_id] = re.findall(r"error id ([0-9a-f]{8})", answer.params["text"])
    assert any(error_id in record.getMessage() for record in caplog.records)
    assert PASSROLE not in caplog.text


async def test_a_failing_locale_lookup_or_snippet_still_gets_a_reply(bot: Bot, fake: FakeSlack) -> None:
    fake.rate_limit("users.info", 10)  # more 429s than the client retries
    missing = {"id": "F0GONE", "mode": "snippet", "filetype": "text"}
    await bot.event(message_event(PASSROLE, files=[missing], subtype="file_share"))
    [post] = await fake.wait_for("chat.postMessage", timeout=20)
    assert "AWSServiceRoleForAutoScaling" in _reply_text(post)


async def test_an_unexpected_failure_on_a_message_is_said_in_its_thread_with_an_id(
    bot: Bot, fake: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(bot.services.responder, "_answer", broken)
    event = message_event(PASSROLE)
    await bot.event(event)
    [post] = await fake.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == event["ts"]
    assert re.search(r"error id [0-9a-f]{8}", post.params["text"])


async def test_a_paste_of_many_errors_names_five_besides_the_first_and_counts_them_all(
    bot: Bot, fake: FakeSlack
) -> None:
    """A log holding a dozen errors: the reply explains the first, names the next five and says
    how many more there are; every one is counted, once per error (two PassRole refusals, two)."""
    texts = [PASSROLE, PASSROLE.replace("Testrole/Diego", "Deployer/Ana").replace("AutoScaling", "ECS")]
    for cause in bundled().causes:
        example = cause.examples.match[0].text
        if cause.id != "passrole-denied" and len(diagnose(example).diagnoses) == 1:
            texts.append(example)
        if len(texts) == 12:
            break
    paste = "\n".join(texts)
    expected = diagnose(paste).diagnoses
    causes = [d.cause.id for d in expected]
    assert len(expected) >= 10 and causes.count("passrole-denied") == 2
    await bot.event(message_event(paste))
    [post] = await fake.wait_for("chat.postMessage")
    [named] = [
        e["text"]
        for b in post.params["blocks"]
        if b["type"] == "context"
        for e in b["elements"]
        if e["text"].startswith("*Also in this paste*")
    ]
    assert re.findall(r"\(`([a-z0-9-]+)`\)", named) == causes[1:6]
    assert named.endswith(f" and {len(expected) - 6} more")
    await fake.quiet(0.2)
    async with bot.session.get(str(bot.server.make_url("/metrics"))) as metrics:
        text = await metrics.text()
    assert 'iamrole_diagnoses_total{cause="passrole-denied"} 2.0' in text
    for cause in set(causes) - {"passrole-denied"}:
        assert f'iamrole_diagnoses_total{{cause="{cause}"}} {causes.count(cause)}.0' in text
    await bot.event({"type": "app_home_opened", "user": "U0ALICE", "channel": "D0HOME", "tab": "home"})
    [publish] = await fake.wait_for("views.publish")
    assert "`passrole-denied`: 2" in json.dumps(publish.params["view"])
