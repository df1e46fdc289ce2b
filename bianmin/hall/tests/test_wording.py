"""No English word on any hall screen a user reads (state names, field names, "PDF"…)."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from bianmin.core.permissions import Role
from bianmin.hall.services import ticket_call_next, window_sign_in

pytestmark = pytest.mark.django_db

WORD = re.compile(r"[A-Za-z]{3,}")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in ("script", "style", "template"):
            self._skip += 1

    def handle_endtag(self, tag) -> None:
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data) -> None:
        if not self._skip:
            self.parts.append(data)


def _english_words(html: str) -> set[str]:
    parser = _Text()
    parser.feed(html)
    text = re.sub(r"https?://\S+", "", " ".join(parser.parts))  # a printed address is fine
    return set(WORD.findall(text))


def test_no_english_word_on_hall_screens(
    hall, issue, staff_by_role, login_client_for, clock
) -> None:
    officer = staff_by_role[Role.OFFICER]
    ticket = issue("HZ02", priority="elderly")
    window_sign_in(actor=officer, window_code="W03")
    ticket_call_next(actor=officer, window_code="W03")
    issue("JG01", priority="military")  # a pending claim on the guide desk
    public = Client()
    pages = {
        url: public.get(url).content.decode()
        for url in (
            "/hall/kiosk/TG/",
            "/hall/kiosk/TG/ticket/",
            "/hall/take/TG/",
            "/hall/door/TG/",
            "/hall/display/TG/",
            f"/t/{ticket.pk}/",
            f"/t/{ticket.pk}/print/",
        )
    }
    for role, url in [
        (Role.OFFICER, "/hall/workspace/"),
        (Role.GUIDE, "/hall/guide/"),
        (Role.SHIFT_LEADER, "/hall/board/"),
        (Role.DIRECTOR, "/hall/settings/"),
    ]:
        pages[url] = login_client_for(staff_by_role[role]).get(url).content.decode()

    found = {url: words for url, html in pages.items() if (words := _english_words(html))}
    assert found == {}
