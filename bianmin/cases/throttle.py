"""Failed public progress lookups, counted per client in the cache: after `FAILURE_LIMIT` wrong
or unknown pairs within `WINDOW_SECONDS` the client gets 429 until the window passes."""

from django.core.cache import cache
from django.http import HttpRequest

FAILURE_LIMIT = 10
WINDOW_SECONDS = 600


def client_key(request: HttpRequest) -> str:
    # The peer address only: X-Forwarded-For is client-controlled unless a trusted proxy sets it.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(client: str) -> str:
    return f"cases:progress-failures:{client}"


def progress_blocked(client: str) -> bool:
    return int(cache.get(_key(client), 0)) >= FAILURE_LIMIT


def progress_failed(client: str) -> None:
    key = _key(client)
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)
