"""The public guide (`/items/`) is rendered once and served with each visitor's own CSP nonce
and CSRF token (core.pages): the nonce matches the response's header, the token is one the
CSRF check accepts, and staff or a visitor with a message waiting get the page rendered."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, RequestFactory

from bianmin.core import pages
from bianmin.core.permissions import Role
from bianmin.hall.enums import IssueChannel
from bianmin.hall.services import ticket_issue

pytestmark = pytest.mark.django_db

MORNING = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _nonce(response) -> str:
    body = response.content.decode()
    found = re.search(r'<script[^>]* nonce="([^"]+)"', body)
    assert found is not None
    return found.group(1)


def _token(response) -> str:
    found = re.search(r'"X-CSRFToken": "([^"]+)"', response.content.decode())
    assert found is not None
    return found.group(1)


def test_each_visitor_gets_the_kept_page_with_their_own_nonce_and_token(catalogue, center):
    with time_machine.travel(MORNING, tick=False):
        first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
        one = first.get("/items/")
        two = second.get("/items/")  # from the kept page
        assert one.status_code == two.status_code == 200
        assert "catalogue/public_list.html" in [t.name for t in one.templates]
        assert two.templates == []  # not rendered again: the kept page
        for response in (one, two):
            body = response.content.decode()
            assert pages.NONCE_HOLE not in body
            assert pages.CSRF_HOLE not in body
            assert f"'nonce-{_nonce(response)}'" in response["Content-Security-Policy"]
            assert "办事指南" in body
        assert _nonce(one) != _nonce(two)
        assert one.content.replace(_nonce(one).encode(), b"").replace(
            _token(one).encode(), b""
        ) == two.content.replace(_nonce(two).encode(), b"").replace(_token(two).encode(), b"")

        # the token htmx would send is one the CSRF check accepts (a phone registered for SMS)
        ticket = ticket_issue(
            actor=None, center=center, item_codes=["HZ02"], channel=IssueChannel.KIOSK
        )
        refused = Client(enforce_csrf_checks=True).post(
            f"/t/{ticket.pk}/", {"phone": "13912345678"}, HTTP_X_CSRFTOKEN=_token(two)
        )
        assert refused.status_code == 403  # another visitor's token, without its cookie
        accepted = second.post(
            f"/t/{ticket.pk}/", {"phone": "13912345678"}, HTTP_X_CSRFTOKEN=_token(two)
        )
        assert accepted.status_code == 302
        ticket.refresh_from_db()
        assert ticket.has_phone


def _request(user, *, message: str = ""):
    request = RequestFactory().get("/items/")
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    if message:
        request._messages.add(20, message)
    return request


def test_staff_and_a_waiting_message_get_the_page_rendered(catalogue, center, make_staff):
    """The layout shows who is signed in and the flash messages: those are never kept."""
    staff = make_staff(Role.OFFICER)
    page = pages.public_page(_request(AnonymousUser()), "base.html", dict, key="test-layout")
    assert staff.full_name not in page.content.decode()
    signed_in = pages.public_page(_request(staff), "base.html", dict, key="test-layout")
    assert staff.full_name in signed_in.content.decode()  # the staff header, rendered
    flashed = pages.public_page(
        _request(AnonymousUser(), message="已登记，快到您时会发短信提醒"),
        "base.html",
        dict,
        key="test-layout",
    )
    assert "已登记，快到您时会发短信提醒" in flashed.content.decode()
    again = pages.public_page(_request(AnonymousUser()), "base.html", dict, key="test-layout")
    assert "已登记" not in again.content.decode()  # the kept page has no message in it
    for response in (page, signed_in, flashed, again):
        assert pages.CSRF_HOLE not in response.content.decode()
