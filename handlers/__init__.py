"""Thin Slack listeners: acknowledge, hand over to bot/, render. One `register(app, services)` per area."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp

from handlers import actions, commands, errors, home, messages

if TYPE_CHECKING:
    from bot.service import Services


def register_all(app: AsyncApp, services: Services) -> None:
    """Register every listener on `app`, after a middleware that learns who the bot is (from Bolt's
    auth.test) before any listener needs it: to skip its own messages, and to tell this workspace's
    members from guests of other organizations."""

    async def learn_identity(context: dict[str, Any], next: Callable[[], Awaitable[None]]) -> None:
        services.learn_identity(context)
        await next()

    app.use(learn_identity)
    for area in (messages, commands, actions, home, errors):
        area.register(app, services)
