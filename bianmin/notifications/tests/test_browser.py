"""In chromium: the live character count while the director types. (The one-click arrival
batch moved to cases/tests/test_browser.py with arrival.)"""

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from tests.support.browser import client_cookie, hold_first_request

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("templates"),
]

# A weekday mid-morning: outside the 21:00–08:00 quiet hours, whatever the hour the suite runs.
DAYTIME = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def daytime() -> Iterator[Any]:
    """Server-side clock pinned to a daytime hour and ticking, so the live server and the Huey
    worker thread see the same moment the browser's requests arrive in."""
    with time_machine.travel(DAYTIME, tick=True) as traveller:
        yield traveller


def _page_for(browser: Any, client: Client, url: str) -> Any:
    """A page of the root conftest's chromium, logged in with the client's session."""
    context = browser.new_context(locale="zh-CN")
    context.add_cookies([client_cookie(client, url)])
    return context.new_page()


def test_live_count_updates_while_typing(
    live_server: Any,
    browser: Any,
    center: Any,
    province_director: Any,
    login_client_for: Callable[[Any], Client],
) -> None:
    from playwright.sync_api import expect

    page = _page_for(browser, login_client_for(province_director), live_server.url)
    page.goto(f"{live_server.url}/sms/templates/new/")
    page.fill("input[name=code]", "test_notice")
    page.fill("input[name=name]", "测试")
    page.fill("#id_body", "您好" * 31)  # 62 + 【潼关县公安局】 8 = 70
    expect(page.locator("[data-testid=chars]")).to_have_text("70")
    assert page.inner_text("[data-testid=segments]") == "1"
    page.type("#id_body", "。")
    expect(page.locator("[data-testid=chars]")).to_have_text("71")
    assert page.inner_text("[data-testid=segments]") == "2"
    assert "超长" in page.inner_text("#sms-count")
    # The count of the text typed last is held back while the allowed segments change: the
    # newer request replaces it, so a late answer cannot show the count of an older form.
    held = hold_first_request(
        page, "**/sms/templates/preview/", lambda: page.type("#id_body", "好")
    )
    with page.expect_event("requestfailed"):
        page.select_option("select[name=max_segments]", "2")
    expect(page.locator("[data-testid=chars]")).to_have_text("72")
    assert "合规" in page.inner_text("#sms-count")
    assert len(held) == 1
    page.select_option("select[name=max_segments]", "1")
    expect(page.locator("#sms-count")).to_contain_text("超长")
    page.click("text=保存为草稿")
    assert "模板超长" in page.inner_text("[role=alert]")
