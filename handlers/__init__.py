"""Thin Slack listeners: acknowledge, hand over to bot/, render. One `register(app, services)` per area."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt.async_app import AsyncApp

from handlers import actions, commands, errors, home, messages

if TYPE_CHECKING:
    from bot.service import Services


def register_all(app: AsyncApp, services: Services) -> None:
    """Register every listener on `app`."""
    for area in (messages, commands, actions, home, errors):
        area.register(app, services)
