"""The big screen in chromium, served by `manage.py serve` (uvicorn, websockets): a call at a
window reaches the screen through the hall display's websocket and the figures change without
a reload."""

from datetime import datetime
from datetime import time as dtime
from zoneinfo import ZoneInfo

import httpx
import pytest
import time_machine

from bianmin.accounts.models import Center
from bianmin.accounts.services import api_token_create
from bianmin.core.permissions import Role
from bianmin.hall.enums import IssueChannel
from bianmin.hall.models import Window
from bianmin.hall.services import ticket_issue, window_sign_in
from tests.support.browser import session_cookie
from tests.support.clock import real_now
from tests.support.hours import open_all_day_today
from tests.support.served import served_product

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def server(django_db_setup):
    with served_product() as base:
        yield base


def test_a_call_updates_the_big_screen_without_a_reload(
    server, browser, catalogue, make_staff
) -> None:
    # Its own center (nothing shared with other browser modules), open all day: the server
    # runs on the real clock while this process may be travelling, so every row the server
    # reads (sign-in, ticket, token) is written at the real time.
    center = Center.objects.create(code="DP", name="大屏测试中心")
    open_all_day_today(center)
    for i in (1, 2, 3):
        Window.objects.create(center=center, code=f"W{i:02d}", name=f"{i}号窗口")
    officer = make_staff(Role.OFFICER, username="officer_screen", center_=center)
    leader = make_staff(Role.SHIFT_LEADER, username="leader_screen", center_=center)
    today = real_now().date()
    with time_machine.travel(real_now(), tick=True):
        window_sign_in(actor=officer, window_code="W03")
        token = api_token_create(staff=officer, label="screen")
    with time_machine.travel(datetime.combine(today, dtime(0, 1), tzinfo=SHANGHAI), tick=False):
        ticket_issue(actor=None, center=center, item_codes=["HZ02"], channel=IssueChannel.KIOSK)

    context = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
    context.add_cookies([session_cookie(leader, server)])
    page = context.new_page()
    page.goto(f"{server}/reports/screen/")
    assert page.text_content('[data-key="waiting_now"]') == "1"
    page.wait_for_selector("#screen-live.on", timeout=10_000)
    page.evaluate("() => { window.__loaded = true; }")

    response = httpx.post(
        f"{server}/api/v1/windows/W03/call-next",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 200

    page.wait_for_function(
        "() => document.querySelector('[data-key=\"waiting_now\"]').textContent === '0'",
        timeout=10_000,
    )
    assert page.evaluate("() => window.__loaded") is True  # the same page: no reload
    assert page.text_content('[data-key="visits_today"]') == "1"
