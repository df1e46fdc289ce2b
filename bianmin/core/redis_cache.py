"""Django's Redis cache backend, with one Redis client per connection pool.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every cache operation.
Building one (redis-py 8) fills its table of response callbacks, which costs more CPU than
the round trip to Redis itself, and the hall's public reads make three or four cache
operations each (throttle, line version, line). A `redis.Redis` may be shared between threads
(each command takes a connection from the pool and gives it back), so this client builds one
per pool and keeps it. Everything else is Django's backend.

Django also builds a pool on first use without a lock, so two threads starting together could
each build one (and each a client); here the pool and its client are built once, under a lock,
and the kept client is found by the pool's index without one.
"""

from __future__ import annotations

import threading
from typing import Any

from django.core.cache.backends import redis as django_redis


class KeptClientRedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, servers: list[str], **options: Any) -> None:
        super().__init__(servers, **options)
        self._clients: dict[int, Any] = {}
        self._building = threading.Lock()

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # django-stubs leaves out the backend's private helpers; these are Django 6.1's own.
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:
            client = self._build_client(index)
        return client

    def _build_client(self, index: int) -> Any:
        with self._building:
            client = self._clients.get(index)
            if client is None:
                pools = self._pools  # type: ignore[attr-defined]
                if index not in pools:
                    pools[index] = self._pool_class.from_url(  # type: ignore[attr-defined]
                        self._servers[index],  # type: ignore[attr-defined]
                        **self._pool_options,  # type: ignore[attr-defined]
                    )
                build = self._client  # type: ignore[attr-defined]
                client = self._clients[index] = build(connection_pool=pools[index])
        return client


class RedisCache(django_redis.RedisCache):
    """`django.core.cache.backends.redis.RedisCache` with `KeptClientRedisCacheClient`."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = KeptClientRedisCacheClient

    def validate_key(self, key: str) -> None:
        """Redis takes any key. Django's check warns about keys memcached would refuse, with a
        regular expression and a generator on every operation (a few per cent of a served
        request's CPU here); the local-memory cache of the embedded default still runs it, so
        the test suite still sees such a key."""

    def incr_or_start_and_get(self, key: str, start: int, other: str | None) -> tuple[int, Any]:
        """Add 1 to the integer at `key`, or start it at `start` + 1 when it is missing (kept
        without expiry), and read the value at `other` (None when missing, or when `other` is
        None), in one round trip; Django's `incr` asks EXISTS first and refuses a missing key.
        Integers are stored as Django's serializer stores them (plain digits)."""
        made = self.make_and_validate_key(key)
        client = self._cache.get_client(made, write=True)
        with client.pipeline(transaction=True) as pipe:  # MULTI … EXEC
            pipe.set(made, start, nx=True)
            pipe.incr(made)
            if other is not None:
                pipe.get(self.make_and_validate_key(other))
            replies = pipe.execute()
        found = None
        if other is not None and replies[2] is not None:
            found = self._cache._serializer.loads(replies[2])  # type: ignore[attr-defined]
        return int(replies[1]), found

    def hit(self, key: str, timeout: int) -> int:
        """Count one hit in the fixed window at `key` and return the hits so far, this one
        included, in one round trip: INCR, then EXPIRE … NX, which starts the window's clock only
        on a key without one (the first hit, or a key that expired just before this INCR made it
        again), so a counter never outlives its window. Django's `add` + `incr` take three
        round trips (SET NX, EXISTS, INCR)."""
        made = self.make_and_validate_key(key)
        client = self._cache.get_client(made, write=True)
        with client.pipeline(transaction=True) as pipe:  # MULTI … EXEC
            pipe.incr(made)
            pipe.expire(made, timeout, nx=True)
            value, _expiring = pipe.execute()
        return int(value)
