"""Shared state: dedupe claims, caches, counters. Redis when configured, else memory (one process).

The Redis store falls back to a local memory store while Redis is unreachable (availability first:
during an outage two replicas may both answer one event) and goes back to Redis when it answers.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from typing import Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class Store(Protocol):
    """What the bot keeps between events."""

    async def claim(self, key: str, ttl: int) -> bool:
        """True for the first caller to claim `key` within `ttl` seconds, False for every later one."""

    async def get(self, key: str) -> str | None: ...

    async def put(self, key: str, value: str, ttl: int) -> None: ...

    async def count(self, name: str, field: str, by: int = 1) -> None:
        """Add `by` to the counter `field` of the tally `name`."""

    async def counts(self, name: str) -> dict[str, int]: ...

    def health(self) -> dict[str, str]:
        """Each part's state, e.g. {"store": "memory"} or {"redis": "unavailable"}."""

    async def close(self) -> None: ...


class MemoryStore:
    """State in this process only: right for one replica and for the CLI."""

    def __init__(self) -> None:
        self._values: dict[str, tuple[str, float]] = {}
        self._tallies: dict[str, dict[str, int]] = defaultdict(dict)

    def _live(self, key: str) -> str | None:
        item = self._values.get(key)
        if item is None:
            return None
        if item[1] <= time.monotonic():
            del self._values[key]
            return None
        return item[0]

    def _sweep(self) -> None:
        if len(self._values) > 100_000:
            now = time.monotonic()
            for key in [k for k, (_, expiry) in self._values.items() if expiry <= now]:
                del self._values[key]

    async def claim(self, key: str, ttl: int) -> bool:
        if self._live(key) is not None:
            return False
        self._sweep()
        self._values[key] = ("1", time.monotonic() + ttl)
        return True

    async def get(self, key: str) -> str | None:
        return self._live(key)

    async def put(self, key: str, value: str, ttl: int) -> None:
        self._sweep()
        self._values[key] = (value, time.monotonic() + ttl)

    async def count(self, name: str, field: str, by: int = 1) -> None:
        tally = self._tallies[name]
        tally[field] = tally.get(field, 0) + by

    async def counts(self, name: str) -> dict[str, int]:
        return dict(self._tallies.get(name, {}))

    def health(self) -> dict[str, str]:
        return {"store": "memory"}

    async def close(self) -> None:
        return None


class RedisStore:
    """State shared by every replica through Redis, with a local fallback during outages."""

    def __init__(self, url: str, prefix: str = "iamrole:", retry_seconds: float = 5.0) -> None:
        self._redis = aioredis.Redis.from_url(
            url, socket_timeout=1.0, socket_connect_timeout=1.0, decode_responses=True
        )
        self._prefix = prefix
        self.retry_seconds = retry_seconds
        self._fallback = MemoryStore()
        self._down_since: float | None = None
        self._last_try = 0.0

    def _k(self, key: str) -> str:
        return self._prefix + key

    def _usable(self) -> bool:
        if self._down_since is None:
            return True
        return time.monotonic() - self._last_try >= self.retry_seconds

    def _failed(self, exc: Exception) -> None:
        if self._down_since is None:
            self._down_since = time.monotonic()
            log.warning("redis unavailable, using local state: %s", type(exc).__name__)
        self._last_try = time.monotonic()

    def _recovered(self) -> None:
        if self._down_since is not None:
            log.warning("redis is back after %.0f s", time.monotonic() - self._down_since)
            self._down_since = None

    async def _run(self, operation: str, *args: object) -> object:
        """Run a Redis command; raise RedisError (or a timeout) when Redis cannot answer."""
        if not self._usable():
            raise RedisError("redis marked unavailable")
        try:
            result = await asyncio.wait_for(getattr(self._redis, operation)(*args), timeout=2.0)
        except (RedisError, OSError, TimeoutError) as exc:
            self._failed(exc)
            raise RedisError(str(exc)) from exc
        self._recovered()
        return result

    async def claim(self, key: str, ttl: int) -> bool:
        try:
            return bool(await self._run("set", self._k(key), "1", ttl, None, True))  # SET NX EX
        except RedisError:
            return await self._fallback.claim(key, ttl)

    async def get(self, key: str) -> str | None:
        try:
            value = await self._run("get", self._k(key))
        except RedisError:
            return await self._fallback.get(key)
        return value if isinstance(value, str) else None

    async def put(self, key: str, value: str, ttl: int) -> None:
        try:
            await self._run("set", self._k(key), value, ttl)
        except RedisError:
            await self._fallback.put(key, value, ttl)

    async def count(self, name: str, field: str, by: int = 1) -> None:
        try:
            await self._run("hincrby", self._k(name), field, by)
        except RedisError:
            await self._fallback.count(name, field, by)

    async def counts(self, name: str) -> dict[str, int]:
        try:
            raw = await self._run("hgetall", self._k(name))
        except RedisError:
            return await self._fallback.counts(name)
        return {str(k): int(v) for k, v in dict(raw).items()} if isinstance(raw, dict) else {}

    async def ping(self) -> bool:
        try:
            await self._run("ping")
        except RedisError:
            return False
        return True

    def health(self) -> dict[str, str]:
        return {"redis": "ok" if self._down_since is None else "unavailable"}

    async def close(self) -> None:
        await self._redis.aclose()


def open_store(redis_url: str | None) -> Store:
    """The store the settings ask for: Redis when REDIS_URL is set, else memory."""
    return RedisStore(redis_url) if redis_url else MemoryStore()
