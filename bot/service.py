"""Composition of the Slack app: settings -> store, Slack client, responder -> Bolt app -> HTTP.

`iamrole-bot serve` serves everything on one aiohttp server: POST /slack/events (events, slash
commands, interactivity), GET /healthz and GET /metrics. `iamrole-bot socket` connects through
Socket Mode and still serves /healthz and /metrics.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.chat import Chat, web_client
from bot.config import Settings
from bot.failures import describe
from bot.inspect.access import Access
from bot.inspect.check import Inspector
from bot.inspect.decode import Decoder
from bot.interactions import Interactions
from bot.knowledge import KnowledgeBase, bundled
from bot.metrics import Metrics
from bot.responder import Identity, Responder
from bot.store import Store, open_store
from bot.supervisor import Supervisor

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
# Slack's own payloads are far smaller; a 1 MB paste still fits, anything larger is refused (413).
MAX_BODY = 2 << 20


@dataclass
class Services:
    """Everything the handlers hand work to."""

    settings: Settings
    kb: KnowledgeBase
    store: Store
    chat: Chat
    metrics: Metrics
    supervisor: Supervisor
    responder: Responder
    interactions: Interactions

    def background(self, kind: str, work: Callable[[], Awaitable[None]], on_failure: Any = None) -> None:
        """Run `work` after the ack; a failure is classified, logged, and told to the user if
        `on_failure` says how."""

        async def guarded() -> None:
            try:
                await work()
            except Exception as exc:
                failure = describe(exc, kind)
                self.metrics.errors.labels(kind="known" if failure.known else "unknown").inc()
                if on_failure is not None:
                    try:
                        await on_failure(failure)
                    except Exception as again:
                        describe(again, f"{kind} (telling the user)")

        self.supervisor.spawn(guarded, kind)

    def learn_identity(self, context: dict[str, Any]) -> None:
        """Bolt's auth.test result, once: who the bot is, to ignore its own messages."""
        if self.responder.identity.user_id is None and context.get("bot_user_id"):
            self.responder.identity = Identity(
                context.get("bot_user_id"), context.get("bot_id"), context.get("team_id")
            )


def build_services(settings: Settings, kb: KnowledgeBase | None = None) -> Services:
    kb = kb or bundled()
    metrics = Metrics()
    store = open_store(settings.redis_url)
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else ""
    chat = Chat(web_client(token, settings.slack_api_url), store)
    inspector = None
    decoder = None
    if settings.inspection_configured:
        access = Access(
            readonly_role=settings.readonly_role,
            allowed_accounts=settings.allowed_accounts,
            external_id=settings.external_id.get_secret_value() if settings.external_id else None,
        )
        inspector = Inspector(access, store)
        decoder = Decoder(access)
    responder = Responder(
        kb,
        store,
        chat,
        metrics,
        channels=settings.channels,
        diagnose_bots=settings.diagnose_bots,
        can_inspect=inspector.covers if inspector else None,
        decode=decoder,
    )
    interactions = Interactions(
        kb,
        store,
        metrics,
        inspector,
        settings.public_inspect_channels,
        member=lambda user: chat.member(user, responder.identity.team_id),
    )
    return Services(
        settings=settings,
        kb=kb,
        store=store,
        chat=chat,
        metrics=metrics,
        supervisor=Supervisor(metrics),
        responder=responder,
        interactions=interactions,
    )


def build_bolt(services: Services, *, verify_requests: bool = True) -> AsyncApp:
    """The Bolt app with every listener registered; no global app, nothing at import time."""
    from handlers import register_all

    settings = services.settings
    app = AsyncApp(
        client=services.chat.client,
        token=settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None,
        signing_secret=settings.slack_signing_secret.get_secret_value()
        if settings.slack_signing_secret
        else "unused",
        request_verification_enabled=verify_requests,
        process_before_response=False,
        raise_error_for_unhandled_request=False,
    )
    register_all(app, services)
    return app


def _parseable(body: str, content_type: str) -> bool:
    """Whether the body is a Slack payload Bolt can read: JSON, or a form (with JSON `payload`)."""
    try:
        if content_type == "application/json":
            return isinstance(json.loads(body), dict)
        form = parse_qs(body, keep_blank_values=True, strict_parsing=bool(body))
        if "payload" in form:
            return isinstance(json.loads(form["payload"][0]), dict)
        return bool(form)
    except (ValueError, RecursionError):  # RecursionError: JSON nested deeper than Python reads
        return False


def health_routes(services: Services) -> list[web.RouteDef]:
    async def healthz(_: web.Request) -> web.Response:
        parts = services.store.health()
        degraded = [name for name, state in parts.items() if state not in ("ok", "memory")]
        status = "degraded" if degraded else "ok"
        body = {"status": status, **parts, "tasks": services.supervisor.running}
        return web.json_response(body)

    async def metrics(_: web.Request) -> web.Response:
        return web.Response(body=services.metrics.exposition(), content_type="text/plain", charset="utf-8")

    return [web.get("/healthz", healthz), web.get("/metrics", metrics)]


def build_web_app(services: Services, bolt: AsyncApp) -> web.Application:
    """The HTTP app: Slack's requests checked for shape before Bolt sees them, so that malformed
    ones get a 4xx rather than Bolt's 500."""

    async def slack_events(request: web.Request) -> web.StreamResponse:
        try:
            body = await request.text()
        except UnicodeDecodeError:
            return web.Response(status=400, text="body is not UTF-8")
        if not _parseable(body, request.content_type):
            services.metrics.events.labels(kind="http", outcome="malformed").inc()
            return web.Response(status=400, text="malformed Slack request")
        bolt_request = AsyncBoltRequest(body=body, query=request.query_string, headers=dict(request.headers))
        try:
            response = await bolt.async_dispatch(bolt_request)
        except Exception as exc:
            describe(exc, "dispatch")
            return web.Response(status=200, text="")
        if response.status >= 500:
            services.metrics.errors.labels(kind="bolt-5xx").inc()
            return web.Response(status=200, text="")
        return await to_aiohttp_response(response)

    app = web.Application(client_max_size=MAX_BODY)
    app.add_routes([web.post(EVENTS_PATH, slack_events), *health_routes(services)])
    return app


def settle() -> None:
    """What startup built (the knowledge base and its compiled patterns, the libraries, the app:
    some 90,000 objects) lives as long as the process: it is kept out of the collector's full
    passes, which would otherwise walk it all, now and then, in the middle of diagnosing a paste."""
    gc.collect()
    gc.freeze()


async def _until_stopped() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def shutdown(services: Services) -> None:
    cut = await services.supervisor.drain()
    if cut:
        log.error("shutdown: %d replies were not finished", cut)
    await services.store.close()


async def serve(settings: Settings) -> None:
    """HTTP mode until SIGTERM/SIGINT; in-flight work then finishes (or is cut, and logged)."""
    services = build_services(settings)
    web_app = build_web_app(services, build_bolt(services))
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, "0.0.0.0", settings.port)
    await site.start()
    log.info("serving on port %d", settings.port)
    settle()
    await _until_stopped()
    await site.stop()
    await shutdown(services)
    await runner.cleanup()


async def socket(settings: Settings) -> None:
    """Socket Mode until SIGTERM/SIGINT, with /healthz and /metrics on PORT."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    services = build_services(settings)
    bolt = build_bolt(services, verify_requests=False)
    health = web.Application()
    health.add_routes(health_routes(services))
    runner = web.AppRunner(health)
    await runner.setup()
    await web.TCPSite(runner, "0.0.0.0", settings.port).start()
    app_token = settings.slack_app_token.get_secret_value() if settings.slack_app_token else ""
    handler = AsyncSocketModeHandler(bolt, app_token)
    await handler.connect_async()  # type: ignore[no-untyped-call]
    settle()
    await _until_stopped()
    await handler.close_async()  # type: ignore[no-untyped-call]
    await shutdown(services)
    await runner.cleanup()
