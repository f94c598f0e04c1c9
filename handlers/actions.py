"""Buttons under a diagnosis: details, feedback, inspect."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp

from bot.failures import Failure

if TYPE_CHECKING:
    from bot.service import Services


def register(app: AsyncApp, services: Services) -> None:
    async def on_button(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        await ack()
        user = (body.get("user") or {}).get("id")
        channel = (body.get("channel") or {}).get("id")
        blocks = (body.get("message") or {}).get("blocks")

        async def tell(failure: Failure) -> None:
            await respond(text=failure.message("en"), response_type="ephemeral", replace_original=False)

        services.background(
            "action", lambda: services.interactions.button(action, user, respond, channel, blocks), tell
        )

    app.action(re.compile(r"^iamrole_"))(on_button)
