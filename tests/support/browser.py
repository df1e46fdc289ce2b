"""Browser-test helpers: the session cookie that logs the root conftest's chromium in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import Client


def client_cookie(client: Client, url: str) -> dict[str, str]:
    """The session cookie of a logged-in test client, for `context.add_cookies([...])`."""
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": url,
    }


def session_cookie(user: Any, url: str) -> dict[str, str]:
    """A fresh session of `user` as a browser cookie for `url`."""
    client = Client()
    client.force_login(user)
    return client_cookie(client, url)
