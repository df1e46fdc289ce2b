"""The citizen's position page in chromium, served by `manage.py serve` (uvicorn, websockets):
it listens to the center's line; while the socket is down it polls its fragment, once the socket
is back the polling stops, and a call made through the officer's API shows on the page from the
pushed message alone, with no HTTP request in between."""

from datetime import datetime
from datetime import time as dtime
from zoneinfo import ZoneInfo

import httpx
import pytest
import time_machine

from bianmin.accounts.services import api_token_create
from bianmin.core.permissions import Role
from bianmin.hall.enums import IssueChannel
from bianmin.hall.services import ticket_issue, window_sign_in
from tests.support.clock import real_now
from tests.support.hours import open_all_day_today
from tests.support.served import served_product

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def server(django_db_setup):
    with served_product() as base:
        yield base


@pytest.fixture
def open_hall(center, windows, catalogue, make_staff):
    # The server runs on the real clock: keep the hall open all day, any day, for this test.
    open_all_day_today(center)
    officer = make_staff(Role.OFFICER)
    window_sign_in(actor=officer, window_code="W03")
    return {"center": center, "token": api_token_create(staff=officer, label="browser")}


def _issue_in_opening_hours(center, code: str):
    """Issue as at 10:00 of the server's (real) day (see test_browser)."""
    today = real_now().date()
    with time_machine.travel(datetime.combine(today, dtime(10, 0), tzinfo=SHANGHAI), tick=False):
        return ticket_issue(
            actor=None, center=center, item_codes=[code], channel=IssueChannel.KIOSK
        )


def test_position_page_polls_only_while_its_socket_is_down_and_shows_the_call_pushed(
    server, browser, open_hall
) -> None:
    first = _issue_in_opening_hours(open_hall["center"], "HZ02")
    mine = _issue_in_opening_hours(open_hall["center"], "HZ02")
    page = browser.new_context(locale="zh-CN").new_page()
    polls: list[str] = []
    fragment = f"/t/{mine.pk}/"
    page.on("request", lambda r: polls.append(r.url) if r.url.endswith(fragment) else None)

    # The socket is refused at first (a proxy that drops websockets, a server restarting).
    blocked = {"on": True}

    def route(ws) -> None:
        if blocked["on"]:
            ws.close()
        else:
            ws.connect_to_server()

    page.route_web_socket("**/ws/hall/**", route)
    page.goto(f"{server}{fragment}")
    assert page.text_content("[data-testid=ahead]") == "1"
    page.wait_for_function(
        "() => document.getElementById('hall-live').dataset.state === 'offline'", timeout=10_000
    )
    # polling resumes: the page load, then at least two fragment requests
    page.wait_for_event("request", lambda r: r.url.endswith(fragment), timeout=10_000)
    page.wait_for_event("request", lambda r: r.url.endswith(fragment), timeout=10_000)
    assert len(polls) >= 3

    blocked["on"] = False  # the socket comes back by itself (backoff), the polling stops
    page.wait_for_function(
        "() => document.getElementById('hall-live').dataset.state === 'online'", timeout=40_000
    )
    page.wait_for_timeout(300)  # a poll already in flight when the socket opened may land
    seen = len(polls)
    all_requests: list[str] = []
    page.on("request", lambda r: all_requests.append(r.url))

    # The first ticket is called: the page hears its new position, without asking.
    response = httpx.post(
        f"{server}/api/v1/windows/W03/call-next",
        headers={"Authorization": f"Bearer {open_hall['token']}"},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.json()["number"] == first.number
    page.wait_for_function(
        "() => document.querySelector('[data-testid=ahead]').textContent === '0'", timeout=10_000
    )
    assert page.is_visible("[data-live-near]")  # 0 ahead: 快到您了

    # The officer finishes and calls again: this page's ticket, shown at once from the push.
    headers = {"Authorization": f"Bearer {open_hall['token']}"}
    finished = httpx.post(f"{server}/api/v1/tickets/{first.pk}/finish", headers=headers, timeout=10)
    assert finished.status_code == 200
    called = httpx.post(f"{server}/api/v1/windows/W03/call-next", headers=headers, timeout=10)
    assert called.json()["number"] == mine.number
    page.wait_for_function(
        "() => document.getElementById('live').dataset.status === 'called'", timeout=10_000
    )
    assert "到您了！请到 3号窗口 办理" in page.text_content("#live")
    assert all_requests == []  # not one HTTP request: the call came over the socket
    assert len(polls) == seen
