"""The Redis cache backend keeps one client per connection pool (Django builds one per call), and
moves a generation counter in one round trip."""

from __future__ import annotations

import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from bianmin.core.redis_cache import RedisCache

pytestmark = pytest.mark.skipif(
    not os.environ.get("BIANMIN_REDIS_URL"),
    reason="needs Redis (BIANMIN_REDIS_URL); CI's PostgreSQL + Redis pass runs it",
)


@pytest.fixture
def backend(settings):
    # The xdist worker's own Redis database (config/settings/test.py): another worker's
    # `cache.clear()` empties only its own, never this test's keys under it.
    location = settings.CACHES["default"]["LOCATION"]
    cache = RedisCache(location, {"KEY_PREFIX": "test-kept-client"})
    yield cache
    cache.delete_many([f"n{i}" for i in range(8)] + ["a", "gen", "mark"])


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


def test_threads_starting_together_build_one_pool_and_one_client(backend) -> None:
    # Django builds the pool on first use without a lock: hold every thread inside the pool's
    # construction at once, and only one of them may have been let in to build.
    client = backend._cache
    real_from_url = client._pool_class.from_url
    inside = threading.Barrier(4, timeout=0.5)
    built = []

    def slow_from_url(*args, **kwargs):
        built.append(1)
        with contextlib.suppress(threading.BrokenBarrierError):
            inside.wait()  # a second builder would meet the first here
        return real_from_url(*args, **kwargs)

    client._pool_class = type(
        "SlowPool", (client._pool_class,), {"from_url": staticmethod(slow_from_url)}
    )
    with ThreadPoolExecutor(4) as pool:
        clients = list(pool.map(lambda _: client.get_client(write=True), range(4)))

    assert len(built) == 1
    assert all(c is clients[0] for c in clients)
    assert len(client._pools) == 1


def test_incr_or_start_starts_a_missing_counter_and_adds_one_after(backend) -> None:
    assert backend.incr_or_start_and_get("gen", 1_000, None) == (
        1_001,
        None,
    )  # missing: started, then moved
    assert backend.incr_or_start_and_get("gen", 5, None) == (
        1_002,
        None,
    )  # present: the start is ignored
    assert backend.get("gen") == 1_002  # read back as Django's serializer stores integers
    assert backend.incr("gen") == 1_003
    client = backend._cache.get_client()
    assert client.ttl(backend.make_key("gen")) == -1  # kept without expiry, as generations are


def _client_calls(backend, monkeypatch) -> list[int]:
    """One entry per client the backend takes from its pool (one round trip each here)."""
    calls: list[int] = []
    real = backend._cache.get_client

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(backend._cache, "get_client", counted)
    return calls


def test_incr_or_start_and_get_reads_another_key_in_the_same_round_trip(
    backend, monkeypatch
) -> None:
    calls = _client_calls(backend, monkeypatch)
    assert backend.incr_or_start_and_get("gen", 10, "mark") == (11, None)  # the mark: missing
    backend.set("mark", {"hub": 1})
    calls.clear()
    assert backend.incr_or_start_and_get("gen", 10, "mark") == (12, {"hub": 1})
    assert len(calls) == 1  # one MULTI … EXEC for the bump and the read


def test_incr_or_start_counts_every_concurrent_bump(backend) -> None:
    def bump(_i: int) -> None:
        for _ in range(100):
            backend.incr_or_start_and_get("gen", 0, None)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(bump, range(8)))

    assert backend.get("gen") == 800


def test_a_hit_counts_in_its_window_and_the_window_ends(backend) -> None:
    client = backend._cache.get_client()
    key = backend.make_key("a")
    assert [backend.hit("a", 60) for _ in range(3)] == [1, 2, 3]
    assert backend.get("a") == 3  # what `cache_hit` counted, as the cache reads it
    assert 0 < client.ttl(key) <= 60  # the window started at the first hit ...
    client.expire(key, 1000)
    backend.hit("a", 60)
    assert client.ttl(key) > 60  # ... and a later hit does not move it
    client.delete(key)  # the window ended (the key expired)
    assert backend.hit("a", 60) == 1
    assert 0 < client.ttl(key) <= 60  # a new window, never a counter without expiry


def test_concurrent_hits_are_each_counted_once(backend) -> None:
    def hits(_i: int) -> list[int]:
        return [backend.hit("a", 60) for _ in range(50)]

    with ThreadPoolExecutor(8) as pool:
        seen = [n for batch in pool.map(hits, range(8)) for n in batch]

    assert sorted(seen) == list(range(1, 401))  # every hit got its own count


def test_the_throttles_counter_uses_one_round_trip_on_redis(backend, monkeypatch) -> None:
    from bianmin.core import ratelimit

    monkeypatch.setattr(ratelimit, "caches", {"default": backend})
    calls = _client_calls(backend, monkeypatch)
    assert [ratelimit.cache_hit("a", 60) for _ in range(2)] == [1, 2]
    assert len(calls) == 2  # one client call (one MULTI … EXEC) per hit
