"""What a user asks the bot directly: `/iamrole` and the buttons under a diagnosis. Answers are
private (ephemeral) unless said otherwise; handlers pass a `respond` that uses the response_url."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot import language
from bot.diagnosis import diagnose
from bot.inspect.access import Unreachable
from bot.inspect.check import BadRequest, CheckRequest, Inspector
from bot.knowledge import KnowledgeBase, Lang
from bot.metrics import Metrics
from bot.render import blocks
from bot.render import report as report_view
from bot.responder import DETAILS, HELPFUL, INSPECT, NOT_HELPFUL, from_button
from bot.store import Store

Respond = Callable[..., Awaitable[Any]]

HELP_EN = """*iamrole-bot* explains AWS IAM role errors and how to fix them.
• Paste an error in a channel I am in: I answer in its thread.
• `/iamrole explain <error text>`: the diagnosis, only for you.
• `/iamrole check <role-arn> [as <caller-arn>] [duration <seconds>]`: inspect a role, read-only.
• `/iamrole help`: this message.
Mention me (@iamrole-bot) with a question or an error to get an answer even when I am unsure."""
HELP_JA = """*iamrole-bot* は AWS IAM ロールのエラーの原因と直し方を説明します。
• 参加しているチャンネルにエラーを貼り付けると、スレッドで返信します。
• `/iamrole explain <エラー>`: 自分だけに診断を表示します。
• `/iamrole check <ロール ARN> [as <呼び出し元 ARN>] [duration <秒>]`:
  ロールを読み取り専用で調べます。
• `/iamrole help`: この使い方を表示します。
質問やエラーと一緒にメンション (@iamrole-bot) すると、
確信が持てない場合でも答えます。"""
INSPECTION_OFF_EN = (
    "Role inspection is not configured in this workspace. To turn it on, deploy the read-only role "
    "(deploy/aws/) in each account to inspect and set IAMROLE_ALLOWED_ACCOUNTS (and IAMROLE_EXTERNAL_ID) "
    "for the bot. Until then, `/iamrole explain <error>` diagnoses a pasted error."
)
INSPECTION_OFF_JA = (
    "このワークスペースではロールの検査が設定されていません。"
    "有効にするには、検査する各アカウントに読み取り専用ロール (deploy/aws/) をデプロイし、"
    "ボットに IAMROLE_ALLOWED_ACCOUNTS (と IAMROLE_EXTERNAL_ID) を設定してください。"
    "それまでは `/iamrole explain <エラー>` で貼り付けたエラーを診断できます。"
)


def _lang(text: str, locale: str | None) -> Lang:
    if language.detect(text) == "ja" or (locale or "").lower().startswith("ja"):
        return "ja"
    return "en"


_CHECK = re.compile(
    r"^(?P<role>\S+)(?:\s+as\s+(?P<caller>\S+))?(?:\s+duration\s+(?P<duration>\d{1,6}))?\s*$", re.I
)
CHECK_USAGE = "Usage: `/iamrole check <role-arn> [as <caller-arn>] [duration <seconds>]`"


@dataclass
class Interactions:
    kb: KnowledgeBase
    store: Store
    metrics: Metrics
    inspector: Inspector | None = None
    public_channels: frozenset[str] = frozenset()
    member: Callable[[str], Awaitable[bool]] | None = None

    async def _inspect(
        self,
        request: CheckRequest,
        user: str | None,
        channel: str | None,
        respond: Respond,
        lang: Lang,
        reply_blocks: list[dict[str, Any]] | None = None,
    ) -> None:
        """Run an inspection for a workspace member; private unless the channel allows public results.
        From a button in a public channel, the diagnosis reply is updated with the report, fix first."""
        assert self.inspector is not None
        if not user or (self.member is not None and not await self.member(user)):
            text = (
                "ロールの検査はこのワークスペースのメンバーだけが使えます (ゲストや外部組織のユーザーは使えません)。"
                if lang == "ja"
                else "Only members of this workspace can inspect roles (not guests or people from other organizations)."
            )
            await respond(text=text, response_type="ephemeral", replace_original=False)
            return
        try:
            report = await self.inspector.check(request, who=user, where=channel or "unknown")
        except BadRequest as exc:
            await respond(text=f"{exc}. {CHECK_USAGE}", response_type="ephemeral", replace_original=False)
            return
        except Unreachable:
            await respond(
                text="AWS could not be reached for this inspection; try again shortly.",
                response_type="ephemeral",
                replace_original=False,
            )
            return
        message = report_view.slack_message(report)
        if channel not in self.public_channels:
            await respond(
                text=message.text, blocks=message.blocks, response_type="ephemeral", replace_original=False
            )
        elif reply_blocks is not None:
            kept = [b for b in reply_blocks if b.get("type") != "actions"]
            merged = ([*message.blocks, {"type": "divider"}, *kept])[:50]
            await respond(text=message.text, blocks=merged, response_type="in_channel", replace_original=True)
        else:
            await respond(
                text=message.text, blocks=message.blocks, response_type="in_channel", replace_original=False
            )

    async def command(self, command: dict[str, Any], respond: Respond, locale: str | None = None) -> None:
        """`/iamrole help | explain <text> | check <arn> ...`."""
        text = str(command.get("text") or "").strip()
        verb, _, rest = text.partition(" ")
        verb = verb.lower()
        lang = _lang(text, locale)
        if verb == "explain" and rest.strip():
            triage = diagnose(rest, asked=True, lang=lang)
            message = blocks.render(triage, self.kb, detailed=True)
            if triage.primary is None and not triage.question:
                message = blocks.SlackMessage(HELP_JA if lang == "ja" else HELP_EN, [])
            for diagnosis in triage.diagnoses:
                await self.store.count("diagnoses", diagnosis.cause.id)
            await respond(text=message.text, blocks=message.blocks, response_type="ephemeral")
        elif verb == "check":
            parsed = _CHECK.match(rest.strip())
            if self.inspector is None:
                await respond(
                    text=INSPECTION_OFF_JA if lang == "ja" else INSPECTION_OFF_EN, response_type="ephemeral"
                )
            elif parsed is None:
                await respond(text=CHECK_USAGE, response_type="ephemeral")
            else:
                duration = int(parsed["duration"]) if parsed["duration"] else None
                request = CheckRequest(parsed["role"], parsed["caller"], duration)
                await self._inspect(request, command.get("user_id"), command.get("channel_id"), respond, lang)
        else:
            await respond(text=HELP_JA if lang == "ja" else HELP_EN, response_type="ephemeral")
        self.metrics.events.labels(kind="command", outcome=verb or "help").inc()

    async def button(
        self,
        action: dict[str, Any],
        user: str | None,
        respond: Respond,
        channel: str | None = None,
        message_blocks: list[dict[str, Any]] | None = None,
    ) -> None:
        """Details (privately, all steps and commands) or feedback on a diagnosis."""
        action_id = action.get("action_id")
        value = str(action.get("value") or "")
        if action_id == DETAILS:
            triage = from_button(value, self.kb)
            if triage is None:
                return
            message = blocks.render(triage, self.kb, detailed=True)
            await respond(
                text=message.text, blocks=message.blocks, response_type="ephemeral", replace_original=False
            )
        elif action_id in (HELPFUL, NOT_HELPFUL) and value in {c.id for c in self.kb.causes}:
            verdict = "helpful" if action_id == HELPFUL else "not-helpful"
            await self.store.count("feedback", f"{value}:{verdict}")
            self.metrics.feedback.labels(cause=value, verdict=verdict).inc()
            await respond(
                text="Thanks for the feedback."
                if verdict == "helpful"
                else "Thanks: noted, we will improve it.",
                response_type="ephemeral",
                replace_original=False,
            )
        elif action_id == INSPECT and self.inspector is not None:
            triage = from_button(value, self.kb)
            primary = triage.primary if triage else None
            if triage is None or primary is None or "role_arn" not in primary.entities:
                return
            entities = primary.entities
            request = CheckRequest(
                entities["role_arn"],
                entities.get("caller_arn"),
                entities.get("requested_duration"),
                fresh=True,
            )
            await self._inspect(request, user, channel, respond, triage.lang, message_blocks or [])
        self.metrics.events.labels(kind="action", outcome=str(action_id)).inc()
