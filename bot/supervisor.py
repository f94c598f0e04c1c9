"""Background work after Slack's ack: bounded concurrency, every task kept, drained on shutdown."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.metrics import Metrics

log = logging.getLogger(__name__)


class Supervisor:
    """Runs coroutines in the background with at most `limit` at once; `drain` waits for them."""

    def __init__(self, metrics: Metrics, limit: int = 32) -> None:
        self._slots = asyncio.Semaphore(limit)
        self._tasks: set[asyncio.Task[None]] = set()
        self._metrics = metrics
        self._closing = False

    def spawn(self, work: Callable[[], Awaitable[None]], kind: str) -> bool:
        """Start `work` in the background; False (and nothing started) once shutting down."""
        if self._closing:
            log.warning("shutting down: %s not started", kind)
            self._metrics.errors.labels(kind="dropped-at-shutdown").inc()
            return False
        task = asyncio.get_running_loop().create_task(self._run(work, kind))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    async def _run(self, work: Callable[[], Awaitable[None]], kind: str) -> None:
        async with self._slots:
            self._metrics.in_flight.inc()
            try:
                with self._metrics.latency.labels(kind=kind).time():
                    await work()
            finally:
                self._metrics.in_flight.dec()

    @property
    def running(self) -> int:
        return len(self._tasks)

    async def drain(self, timeout: float = 20.0) -> int:
        """Stop taking work and wait for what is running; returns how many tasks were cut short
        (each logged), 0 when everything finished."""
        self._closing = True
        if not self._tasks:
            return 0
        _done, pending = await asyncio.wait(set(self._tasks), timeout=timeout)
        for task in pending:
            task.cancel()
        if pending:
            log.error(
                "shutdown: %d background tasks did not finish in %.0f s and were cancelled",
                len(pending),
                timeout,
            )
            self._metrics.errors.labels(kind="cancelled-at-shutdown").inc(len(pending))
        return len(pending)
