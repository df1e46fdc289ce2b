"""Chromium walk of the rating pad at window W01: the shift leader shows a pairing code, the
tablet pairs (no staff session), the officer's 办结 brings up the five faces (polling here: the
test server speaks no websocket), the citizen taps; a bad face asks for reasons."""

import re

import pytest

from bianmin.ratings.enums import Channel, RectificationStatus
from bianmin.ratings.models import Rating
from tests.support.browser import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_pad_at_a_window(clock, hall, leader, officer, finish_visit, live_server, browser):
    staff = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    staff.add_cookies([session_cookie(leader, live_server.url)])
    tablet = browser.new_context(
        locale="zh-CN", viewport={"width": 1024, "height": 768}, has_touch=True
    )
    try:
        desk = staff.new_page()
        desk.goto(f"{live_server.url}/ratings/pads/")
        desk.get_by_test_id("pair-W01").click()
        code = desk.get_by_test_id("pad-code").inner_text().strip()
        assert re.fullmatch(r"\d{6}", code)

        pad = tablet.new_page()
        pad.goto(f"{live_server.url}/ratings/pad/TG/")
        pad.get_by_test_id("pair-code").fill(code)
        pad.get_by_test_id("pair-submit").click()
        pad.get_by_test_id("pad-idle").wait_for()
        assert all(c["name"] != "sessionid" for c in tablet.cookies())

        first = finish_visit(officer, window="W01")
        pad.get_by_test_id("face-5").wait_for(timeout=15000)
        assert first.number in pad.get_by_test_id("pad-state").inner_text()
        pad.get_by_test_id("face-5").tap()
        pad.get_by_test_id("rating-thanks").wait_for()
        rating = Rating.objects.get()
        assert (rating.level, rating.channel, rating.officer_id) == (5, Channel.PAD, officer.pk)

        finish_visit(officer, window="W01")
        pad.get_by_test_id("face-2").wait_for(timeout=20000)
        pad.get_by_test_id("face-2").tap()
        pad.get_by_label("多次跑腿").check()
        pad.get_by_label("意见（选填，500字以内）").fill("材料说了两次才说全")
        pad.get_by_test_id("rating-send").tap()
        pad.get_by_test_id("rating-thanks").wait_for()
        bad = Rating.objects.get(level=2)
        assert bad.reasons == ["repeated_trips"]
        assert bad.rectification.status == RectificationStatus.OPEN
        # The leader's board shows the new task.
        desk.goto(f"{live_server.url}/ratings/board/")
        assert "不满意" in desk.get_by_test_id("rectifications").inner_text()
    finally:
        staff.close()
        tablet.close()
