"""The client's address, for throttles and login limits.

``X-Forwarded-For`` is believed only when the request comes from a proxy listed in
``settings.TRUSTED_PROXIES`` (``BIANMIN_TRUSTED_PROXIES``); otherwise anyone could name any
address and lift a limit. With proxies configured, the right-most address that is not itself a
trusted proxy is the client.
"""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = str(request.META.get("REMOTE_ADDR") or "unknown")
    trusted = set(getattr(settings, "TRUSTED_PROXIES", ()) or ())
    if remote not in trusted:
        return remote
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
    for hop in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        if hop not in trusted:
            return hop
    return remote
