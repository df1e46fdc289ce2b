"""Limits for anonymous ticket issuing (kiosk page, phone page, public API).

A device is the `bm_device` cookie, signed by the server when it hands it out: a value the
client made up (or a fresh one per request) is no device, and counts as its address. The server
hands out only a few new devices per address and hour, and every anonymous issue also counts
against the client's address (`core.client_ip`: X-Forwarded-For is believed only from
configured proxies), so neither rotating cookies nor a spoofed header lifts the limit.
Staff (guide desk, tokens) are never throttled.
"""

from __future__ import annotations

import secrets
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from bianmin.core.client_ip import client_ip
from bianmin.core.ratelimit import cache_hit

COOKIE = "bm_device"
SALT = "bianmin.hall.device"

# (requests, seconds) per scope; overridable in settings as HALL_THROTTLE = {...}.
DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    # per device
    "phone": (3, 600),  # a phone takes a ticket or three, not more
    "kiosk": (12, 60),  # a kiosk serves a line of people, one every few seconds
    "api": (5, 600),
    # per client address, whatever the cookie
    "ip:phone": (30, 600),
    "ip:api": (30, 600),
    "ip:kiosk": (120, 600),
    "new_device": (10, 3600),  # device cookies handed out per address
}


def _limits(scope: str) -> tuple[int, int]:
    configured = getattr(settings, "HALL_THROTTLE", {}) or {}
    return configured.get(scope, DEFAULT_LIMITS[scope])


def _signed_device(request: HttpRequest) -> str | None:
    value = request.get_signed_cookie(COOKIE, default=None, salt=SALT)
    return value if value and 16 <= len(value) <= 40 else None


def device_id(request: HttpRequest) -> str:
    token = _signed_device(request)
    return token if token else f"ip:{client_ip(request)}"


def _hit(key: str, limit: int, seconds: int) -> bool:
    bucket = f"hall:thr:{key}:{int(time.time()) // seconds}"
    return cache_hit(bucket, seconds + 5) <= limit


def ensure_device_cookie(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Hand out a signed device cookie, at most `new_device` per address and hour."""
    if _signed_device(request) is None and _hit(
        f"new_device:{client_ip(request)}", *_limits("new_device")
    ):
        response.set_signed_cookie(
            COOKIE,
            secrets.token_urlsafe(18),
            salt=SALT,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
        )
    return response


def allow_anonymous_issue(request: HttpRequest, *, scope: str) -> bool:
    """Count one anonymous issue attempt; False when the device or the address is over its
    limit for this channel."""
    device_ok = _hit(f"{scope}:{device_id(request)}", *_limits(scope))
    address_ok = _hit(f"ip:{scope}:{client_ip(request)}", *_limits(f"ip:{scope}"))
    return device_ok and address_ok
