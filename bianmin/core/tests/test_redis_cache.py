"""The Redis cache backend keeps one client per connection pool (Django builds one per call)."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from bianmin.core.redis_cache import RedisCache

pytestmark = pytest.mark.skipif(
    not os.environ.get("BIANMIN_REDIS_URL"),
    reason="needs Redis (BIANMIN_REDIS_URL); CI's PostgreSQL + Redis pass runs it",
)


@pytest.fixture
def backend():
    cache = RedisCache(os.environ["BIANMIN_REDIS_URL"], {"KEY_PREFIX": "test-kept-client"})
    yield cache
    cache.delete_many([f"n{i}" for i in range(8)] + ["a"])


def test_one_client_serves_every_operation(backend) -> None:
    backend.set("a", 1)
    first = backend._cache.get_client(write=True)

    assert backend.get("a") == 1
    assert backend.incr("a") == 2
    assert backend._cache.get_client() is first
    assert backend._cache.get_client(write=True) is first


def test_the_kept_client_is_shared_by_threads(backend) -> None:
    def count(i: int) -> int:
        backend.set(f"n{i}", 0)
        for _ in range(200):
            backend.incr(f"n{i}")
        return backend.get(f"n{i}")

    with ThreadPoolExecutor(8) as pool:
        totals = list(pool.map(count, range(8)))

    assert totals == [200] * 8
    assert len(backend._cache._clients) == 1
