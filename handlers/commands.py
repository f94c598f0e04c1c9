"""The /iamrole slash command: acked at once, answered privately through its response_url."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp

from bot.failures import Failure

if TYPE_CHECKING:
    from bot.service import Services


def register(app: AsyncApp, services: Services) -> None:
    async def iamrole(ack: Any, command: dict[str, Any], respond: Any) -> None:
        await ack()

        async def tell(failure: Failure) -> None:
            await respond(text=failure.message("en"), response_type="ephemeral")

        services.background("command", lambda: services.interactions.command(command, respond), tell)

    app.command("/iamrole")(iamrole)
