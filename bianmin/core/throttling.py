"""The API's throttle for anonymous clients: django-ninja's, counted in one cache round trip."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import throttling

from bianmin.core.ratelimit import cache_hit


class AnonWindowThrottle(throttling.AnonRateThrottle):
    """django-ninja's `AnonRateThrottle` (the same rate strings, the same client identity, staff
    with a token or a session never counted) with a fixed-window counter
    (`core.ratelimit.cache_hit`) instead of the list of request times that ninja reads, unpickles,
    pickles and writes back on every request: one round trip to Redis instead of two. A window
    starts at a client's first request; a client can spend its allowance at the end of one window
    and again at the start of the next, which the limits here (hundreds a minute per phone) allow
    for. The instance is shared by every request, so it keeps nothing of one."""

    def allow_request(self, request: HttpRequest) -> bool:
        key = self.get_cache_key(request)
        if key is None or self.num_requests is None or self.duration is None:
            return True
        # A key of its own (ninja's list of times under its key is no counter), per rate: the
        # API's limit and a router's own each count a request once.
        return cache_hit(f"api-window:{self.rate}:{key}", self.duration) <= self.num_requests

    def wait(self) -> float | None:
        """At most one window (the client's window started at its first request)."""
        return None if self.duration is None else float(self.duration)
