"""Per-device limits for anonymous ticket issuing (kiosk page, phone page, public API).

A device is the `bm_device` cookie the public pages set (a random token), else the client IP.
Every anonymous issue also counts against the IP, so clearing cookies does not lift the limit.
Staff (guide desk, tokens) are never throttled.
"""

from __future__ import annotations

import re
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

COOKIE = "bm_device"
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,40}$")

# (requests, seconds) per scope; overridable in settings as HALL_THROTTLE = {...}.
DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "phone": (3, 600),  # a phone takes a ticket or three, not more
    "kiosk": (12, 60),  # a kiosk serves a line of people, one every few seconds
    "api": (5, 600),
    "ip": (60, 60),
}


def _limits(scope: str) -> tuple[int, int]:
    configured = getattr(settings, "HALL_THROTTLE", {}) or {}
    return configured.get(scope, DEFAULT_LIMITS[scope])


def client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def device_id(request: HttpRequest) -> str:
    token = request.COOKIES.get(COOKIE, "")
    return token if _TOKEN_RE.match(token) else f"ip:{client_ip(request)}"


def ensure_device_cookie(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if not _TOKEN_RE.match(request.COOKIES.get(COOKIE, "")):
        response.set_cookie(
            COOKIE,
            secrets.token_urlsafe(18),
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
        )
    return response


def _hit(key: str, limit: int, seconds: int) -> bool:
    bucket = f"hall:thr:{key}:{int(time.time()) // seconds}"
    cache.add(bucket, 0, seconds + 5)
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.set(bucket, 1, seconds + 5)
        count = 1
    return count <= limit


def allow_anonymous_issue(request: HttpRequest, *, scope: str) -> bool:
    """Count one anonymous issue attempt; False when the device or the IP is over its limit."""
    limit, seconds = _limits(scope)
    device_ok = _hit(f"{scope}:{device_id(request)}", limit, seconds)
    ip_limit, ip_seconds = _limits("ip")
    ip_ok = _hit(f"ip:{client_ip(request)}", ip_limit, ip_seconds)
    return device_ok and ip_ok
