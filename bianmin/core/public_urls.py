"""Absolute addresses for what a citizen opens from paper or a phone: QR codes, SMS links.

One rule everywhere (door poster, kiosk, tickets, notices, receipts): the configured
``BIANMIN_PUBLIC_BASE_URL`` when set, else the address of the request being served, else the
address the server was started on (``serve`` records it), else the local default.
"""

import os

from django.conf import settings
from django.http import HttpRequest

LOCAL_DEFAULT = "http://127.0.0.1:8000"
SERVED_AT_ENV = "BIANMIN_SERVED_AT"


def public_base_url(request: HttpRequest | None = None) -> str:
    configured = str(getattr(settings, "PUBLIC_BASE_URL", "") or "").rstrip("/")
    if configured:
        return configured
    if request is not None:
        return f"{request.scheme}://{request.get_host()}"
    return os.environ.get(SERVED_AT_ENV, LOCAL_DEFAULT).rstrip("/")


def public_url(path: str, request: HttpRequest | None = None) -> str:
    """`path` (starting with /) under the public base address."""
    return public_base_url(request) + path
