"""Public pages and endpoints count requests per client address in the cache (one rule for the
HTML pages and the API); over the limit the client waits for the window to pass."""

from django.http import HttpRequest
from django.utils.translation import gettext as _

from bianmin.appointments.errors import AppointmentError
from bianmin.core.client_ip import client_ip
from bianmin.core.errors import DomainError
from bianmin.core.ratelimit import cache_hit

#: name → (requests allowed, window in seconds)
LIMITS = {"slots": (120, 60), "book": (10, 600), "manage": (20, 600), "visit": (5, 3600)}


def throttle(request: HttpRequest, name: str) -> None:
    allowed, window = LIMITS[name]
    if cache_hit(f"appointments:{name}:{client_ip(request)}", window) > allowed:
        raise DomainError(
            _("操作过于频繁，请稍后再试。"), code=AppointmentError.THROTTLED, status=429
        )
