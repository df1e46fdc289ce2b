"""Public pages and endpoints count requests per client address in the cache (one rule for the
HTML pages and the API); over the limit the client waits for the window to pass."""

from django.http import HttpRequest
from django.utils.translation import gettext as _

from bianmin.core.client_ip import client_ip
from bianmin.core.errors import DomainError
from bianmin.core.ratelimit import cache_hit
from bianmin.lost_found.errors import LostFoundError

#: name → (requests allowed, window in seconds)
LIMITS = {"search": (60, 60), "report": (5, 3600), "follow": (10, 600)}


def throttle(request: HttpRequest, name: str) -> None:
    """Count one request; raise a 429 DomainError when the client is over the limit."""
    allowed, window = LIMITS[name]
    key = f"lost_found:{name}:{client_ip(request)}"
    if cache_hit(key, window) > allowed:
        raise DomainError(
            _("操作过于频繁，请稍后再试。"), code=LostFoundError.THROTTLED, status=429
        )
