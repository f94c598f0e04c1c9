"""Messages in channels and threads, and mentions of the bot."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp

from bot.events import from_event

if TYPE_CHECKING:
    from bot.service import Services


def register(app: AsyncApp, services: Services) -> None:
    def listener(mention: bool) -> Any:
        async def on_event(body: dict[str, Any], event: dict[str, Any]) -> None:
            message = from_event(event)
            if message is None:
                return

            responder = services.responder
            services.background(
                "message",
                lambda: responder.on_message(message, event_id=body.get("event_id"), mention=mention),
                lambda failure: responder.tell_failure(message, failure, mention=mention),
            )

        return on_event

    app.event("message")(listener(mention=False))
    app.event("app_mention")(listener(mention=True))
