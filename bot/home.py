"""The App Home tab: what the bot knows, how to use it, and recent counts."""

from __future__ import annotations

from typing import Any

from bot.knowledge import KnowledgeBase
from bot.render.blocks import escape
from bot.store import Store

_LEVELS = {1: "Specific errors", 2: "Which policy layer denied", 3: "Catch-alls"}


async def home_blocks(kb: KnowledgeBase, store: Store) -> list[dict[str, Any]]:
    """Blocks for views.publish: usage, the causes by level, diagnoses per cause and feedback."""
    diagnosed = await store.counts("diagnoses")
    feedback = await store.counts("feedback")
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "iamrole-bot"}},
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "Paste an AWS IAM error in a channel I am in and I answer in its thread. "
                "`/iamrole explain <error>` answers privately, `/iamrole help` shows everything.",
            },
        },
        {"type": "divider"},
    ]
    for level, heading in _LEVELS.items():
        lines = [
            f"• `{c.id}`: {escape(c.title.en.split('{')[0].rstrip(' :('))}"
            for c in kb.causes
            if c.level == level
        ]
        if lines:
            blocks.append(
                {
                    "type": "section",
                    "text": {"type": "mrkdwn", "text": f"*{heading}*\n" + "\n".join(lines)[:2900]},
                }
            )
    top = sorted(diagnosed.items(), key=lambda item: -item[1])[:10]
    counts = "\n".join(f"• `{cause}`: {count}" for cause, count in top) or "No diagnoses yet."
    blocks += [
        {"type": "divider"},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*Diagnoses*\n{counts}"}},
    ]
    helpful = sum(v for k, v in feedback.items() if k.endswith(":helpful"))
    unhelpful = sum(v for k, v in feedback.items() if k.endswith(":not-helpful"))
    blocks.append(
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"Feedback: {helpful} helpful, {unhelpful} not helpful"}],
        }
    )
    return blocks
