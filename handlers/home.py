"""The App Home tab."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp

from bot.home import home_blocks

if TYPE_CHECKING:
    from bot.service import Services


def register(app: AsyncApp, services: Services) -> None:
    async def on_home(event: dict[str, Any]) -> None:
        user = event.get("user")
        if event.get("tab", "home") != "home" or not isinstance(user, str):
            return

        async def publish() -> None:
            await services.chat.publish_home(user, await home_blocks(services.kb, services.store))

        services.background("home", publish)

    app.event("app_home_opened")(on_home)
