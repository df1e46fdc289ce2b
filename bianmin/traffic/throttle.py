"""Kiosk and API queries count per client address in the cache (the traffic platform is not
ours to flood, and a plate + VIN pair must not be guessed)."""

from django.http import HttpRequest
from django.utils.translation import gettext as _

from bianmin.core.client_ip import client_ip
from bianmin.core.errors import DomainError
from bianmin.core.ratelimit import cache_hit
from bianmin.traffic.errors import TrafficError

#: name → (requests allowed, window in seconds)
LIMITS = {"query": (20, 600)}


def throttle(request: HttpRequest, name: str) -> None:
    allowed, window = LIMITS[name]
    if cache_hit(f"traffic:{name}:{client_ip(request)}", window) > allowed:
        raise DomainError(_("查询过于频繁，请稍后再试"), code=TrafficError.THROTTLED, status=429)
