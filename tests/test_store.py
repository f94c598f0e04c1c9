"""One contract for both stores, the Redis one on a real server; and Redis going away and back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from bot.store import MemoryStore, RedisStore, Store
from tests.redis_server import SHARED_URL, OwnRedis


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    if request.param == "memory":
        yield MemoryStore()
        return
    client = aioredis.Redis.from_url(SHARED_URL)
    await client.flushdb()
    await client.aclose()
    redis_store = RedisStore(SHARED_URL)
    assert await redis_store.ping(), "the tests need Redis on 127.0.0.1:6379 (.ci/run starts one)"
    yield redis_store
    await redis_store.close()


async def test_a_claim_is_won_once_until_it_expires(store: Store) -> None:
    assert await store.claim("event:Ev1", 1) is True
    assert await store.claim("event:Ev1", 1) is False
    assert await store.claim("event:Ev2", 1) is True
    await asyncio.sleep(1.2)
    assert await store.claim("event:Ev1", 1) is True


async def test_values_live_for_their_ttl(store: Store) -> None:
    assert await store.get("locale:U1") is None
    await store.put("locale:U1", "ja-JP", 1)
    assert await store.get("locale:U1") == "ja-JP"
    await asyncio.sleep(1.2)
    assert await store.get("locale:U1") is None


async def test_counters_add_up(store: Store) -> None:
    await store.count("diagnoses", "passrole-denied")
    await store.count("diagnoses", "passrole-denied", 2)
    await store.count("diagnoses", "scp-denied")
    assert await store.counts("diagnoses") == {"passrole-denied": 3, "scp-denied": 1}
    assert await store.counts("nothing") == {}


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


async def test_redis_outage_falls_back_to_local_state_and_recovers(own_redis: OwnRedis) -> None:
    store = RedisStore(own_redis.url, retry_seconds=0.2)
    assert await store.claim("event:A", 60) is True
    assert store.health() == {"redis": "ok"}
    own_redis.stop()
    assert await store.claim("event:B", 60) is True  # answered from local state
    assert await store.claim("event:B", 60) is False
    assert store.health() == {"redis": "unavailable"}
    own_redis.start()
    await asyncio.sleep(0.3)
    assert await store.claim("event:C", 60) is True
    assert store.health() == {"redis": "ok"}
    assert await store.claim("event:C", 60) is False
    await store.close()


async def test_redis_down_at_start_still_works(tmp_path: Path) -> None:
    server = OwnRedis(tmp_path)  # never started
    store = RedisStore(server.url, retry_seconds=60)
    assert await store.claim("event:A", 60) is True
    assert await store.claim("event:A", 60) is False
    assert store.health() == {"redis": "unavailable"}
    await store.close()
