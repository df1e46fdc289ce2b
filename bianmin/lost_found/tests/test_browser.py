"""Chromium walk of the sanitation worker's phone intake with a photo, then the officer's
item page (receive, publish) and the public phone search."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bianmin.lost_found.models import FoundItem, FoundItemPhoto
from bianmin.lost_found.tests.factories import jpeg_bytes
from tests.support.browser import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def daytime():
    with time_machine.travel(
        datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True
    ):
        yield


def test_sanitation_phone_intake_with_a_photo(
    daytime, live_server, browser, sanitation, officer, point, templates
):
    phone = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    phone.add_cookies([session_cookie(sanitation, live_server.url)])
    page = phone.new_page()
    page.goto(f"{live_server.url}/lost/intake/")

    page.locator("label:has(input[value=bag])").click()
    page.set_input_files(
        "input[name=photos]",
        files=[{"name": "find.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes((640, 480))}],
    )
    page.fill("textarea[name=description]", "红色双肩包，内有课本")
    page.fill("input[name=place]", "人民路与东风街交叉口")
    page.fill("input[name=finder_team]", "城关环卫一班")
    page.click("button.lf-submit")

    number = page.locator("[data-testid=intake-number]").inner_text().strip()
    assert number == "SW-20261130-0001"
    item = FoundItem.objects.get(number=number)
    assert item.category == "bag"
    assert item.finder_team == "城关环卫一班"
    assert FoundItemPhoto.objects.filter(item=item).count() == 1
    page.goto(f"{live_server.url}/lost/intake/")
    assert number in page.content()  # the worker's own list
    phone.close()

    desk = browser.new_context(locale="zh-CN")
    desk.add_cookies([session_cookie(officer, live_server.url)])
    page = desk.new_page()
    page.goto(f"{live_server.url}/lost/items/{number}/")
    assert page.locator("img[alt=拾得物照片]").count() == 1
    page.fill("input[name=storage_location]", "A柜3层")
    page.click("text=确认入库")
    page.click("button:has-text('发布')")
    assert page.locator("[data-testid=status]").inner_text() == "招领中"
    assert "认领期限至 2027年11月30日" in page.locator("[data-testid=deadline]").inner_text()
    desk.close()

    public = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = public.new_page()
    page.goto(f"{live_server.url}/lost/?q=双肩包")
    results = page.locator("[data-testid=public-results]")
    assert number in results.inner_text()
    assert "课本" in results.inner_text()
    public.close()


def test_a_bad_photo_gets_a_chinese_message(daytime, live_server, browser, sanitation):
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    phone.add_cookies([session_cookie(sanitation, live_server.url)])
    page = phone.new_page()
    page.goto(f"{live_server.url}/lost/intake/")
    page.locator("label:has(input[value=keys])").click()
    page.set_input_files(
        "input[name=photos]",
        files=[{"name": "x.jpg", "mimeType": "image/jpeg", "buffer": b"this is not a picture"}],
    )
    page.fill("textarea[name=description]", "钥匙一串")
    page.fill("input[name=place]", "东风街")
    page.click("button.lf-submit")
    assert "不是可识别的图片" in page.locator("[data-testid=intake-error]").inner_text()
    assert FoundItem.objects.count() == 0
    phone.close()
