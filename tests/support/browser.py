"""Browser-test helpers: the session cookie that logs the root conftest's chromium in."""

from __future__ import annotations

from datetime import UTC, datetime
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


# A browser session must outlive every clock a test runs on: the suite may travel (CI's pass at
# 23:30 China time) while a served product reads the real clock, and a 10-hour session made at
# the travelled time had expired for it by 09:30.
SESSION_EXPIRES = datetime(2100, 1, 1, tzinfo=UTC)


def session_cookie(user: Any, url: str) -> dict[str, str]:
    """A fresh session of `user` as a browser cookie for `url`."""
    client = Client()
    client.force_login(user)
    session = client.session
    session.set_expiry(SESSION_EXPIRES)
    session.save()
    return client_cookie(client, url)
