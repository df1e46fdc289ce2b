"""One fixed-window hit counter in the cache, for every throttle (progress lookups, public
search, hall devices, the desk's sign-in codes)."""

from __future__ import annotations

from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches

from bianmin.core.redis_cache import RedisCache


def cache_hit(key: str, timeout: int) -> int:
    """Count one hit at `key` (the window starts at the first hit and lasts `timeout` seconds);
    the hits counted in the window so far, this one included."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, RedisCache):  # one round trip instead of three
        return backend.hit(key, timeout)
    cache.add(key, 0, timeout)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout)
        return 1
