"""The client's address, for throttles and login limits.

``X-Forwarded-For`` is believed only when the request comes from a proxy listed in
``settings.TRUSTED_PROXIES`` (``BIANMIN_TRUSTED_PROXIES``); otherwise anyone could name any
address and lift a limit. With proxies configured, the right-most address that is not itself a
trusted proxy is the client.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(value: object) -> str:
    """The address in canonical form, or "" when it is not an IP address at all."""
    try:
        return str(ipaddress.ip_address(str(value or "").strip()))
    except ValueError:
        return ""


def client_ip(request: HttpRequest) -> str:
    """The client's IP address, or "" when the request carries none (a test's forced login).

    Always a valid address or "": it is stored in IP-address columns (login records)."""
    remote = _address(request.META.get("REMOTE_ADDR"))
    trusted = {_address(p) for p in getattr(settings, "TRUSTED_PROXIES", ()) or ()}
    if not remote or remote not in trusted:
        return remote
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
    for hop in reversed([_address(part) for part in forwarded.split(",")]):
        if hop and hop not in trusted:
            return hop
    return remote
