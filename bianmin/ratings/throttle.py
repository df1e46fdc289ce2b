"""Public pages and endpoints count requests per client address in the cache."""

from django.http import HttpRequest
from django.utils.translation import gettext as _

from bianmin.core.client_ip import client_ip
from bianmin.core.errors import DomainError
from bianmin.core.ratelimit import cache_hit
from bianmin.ratings.errors import RatingError

#: name → (requests allowed, window in seconds)
LIMITS = {"rate": (30, 600), "complaint": (5, 3600), "pair": (10, 600), "kiosk": (60, 600)}


def throttle(request: HttpRequest, name: str) -> None:
    """Count one request; raise a 429 DomainError when the client is over the limit."""
    allowed, window = LIMITS[name]
    if cache_hit(f"ratings:{name}:{client_ip(request)}", window) > allowed:
        raise DomainError(_("操作过于频繁，请稍后再试。"), code=RatingError.THROTTLED, status=429)
