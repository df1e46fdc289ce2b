"""Browser-test helpers: the session cookie that logs the root conftest's chromium in, and a
request held back to prove a page drops a late answer."""

from __future__ import annotations

from collections.abc import Callable
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


def hold_first_request(page: Any, pattern: str, action: Callable[[], Any]) -> list[Any]:
    """Run `action` and hold back the first request it sends to `pattern` (never answered;
    later ones pass): a test then proves the page drops an answer that would come late. The
    request has left the page when this returns; the held route is in the list."""
    held: list[Any] = []

    def hold_first(route: Any) -> None:
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route(pattern, hold_first)
    with page.expect_request(pattern):
        action()
    return held
