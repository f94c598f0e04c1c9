"""The one error handler for failures inside listeners (before their work is handed over)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp

from bot.failures import describe

if TYPE_CHECKING:
    from bot.service import Services


def register(app: AsyncApp, services: Services) -> None:
    async def on_error(error: Exception, body: dict[str, Any]) -> None:
        failure = describe(error, f"listener for {body.get('type', 'request')}")
        services.metrics.errors.labels(kind="known" if failure.known else "unknown").inc()

    app.error(on_error)
