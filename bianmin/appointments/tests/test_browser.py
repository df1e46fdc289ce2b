"""Chromium at the home: the on-site page keeps the capture while the network is cut and sends
it when the network is back; the case is created once."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bianmin.appointments import services
from bianmin.appointments.models import BookingRules, HomeVisit
from bianmin.appointments.tests.factories import visit_input, white_photo
from bianmin.core.permissions import Role
from tests.support.browser import hold_first_request, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def daytime():
    with time_machine.travel(
        datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True
    ):
        yield


def test_on_site_capture_survives_a_network_cut(daytime, live_server, browser, hall, make_staff):
    leader, a, b = make_staff(Role.SHIFT_LEADER), make_staff(Role.OFFICER), make_staff(Role.OFFICER)
    BookingRules.objects.create(center=hall, towns=[{"name": "城关街道", "x": 0, "y": 0}])
    services.team_save(
        actor=leader,
        name="一队",
        officer_ids=[a.pk, b.pk],
        vehicle="车",
        kit=[],
        weekdays=[0, 1, 2, 3, 4, 5, 6],
    )
    visit = services.home_visit_request(actor=leader, center_code="TG", data=visit_input())
    services.home_visit_review(actor=leader, number=visit.number, approve=True)
    services.routes_plan(actor=leader, start=date(2026, 11, 30))

    tablet = browser.new_context(
        locale="zh-CN", viewport={"width": 800, "height": 1100}, has_touch=True
    )
    tablet.add_cookies([session_cookie(a, live_server.url)])
    page = tablet.new_page()
    page.goto(f"{live_server.url}/home-visits/v/{visit.number}/on-site/")
    page.set_input_files(
        "input[name=photo]",
        files=[{"name": "p.jpg", "mimeType": "image/jpeg", "buffer": white_photo()}],
    )
    box = page.locator("[data-testid=signature]").bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    page.mouse.move(box["x"] + 150, box["y"] + 90, steps=8)
    page.mouse.move(box["x"] + 260, box["y"] + 30, steps=8)
    page.mouse.up()
    page.fill("input[name=latitude]", "34.544000")
    page.fill("input[name=longitude]", "110.246000")

    tablet.set_offline(True)
    page.click("[data-testid=capture-submit]")
    status = page.locator("[data-testid=sync-status]")
    status.filter(has_text="网络不可用").wait_for(timeout=15000)
    assert (
        page.evaluate("JSON.parse(localStorage.getItem('bianmin.appointments.captures')).length")
        == 1
    )
    assert HomeVisit.objects.get().status == "scheduled"

    tablet.set_offline(False)
    status.filter(has_text="已受理").wait_for(timeout=30000)
    done = HomeVisit.objects.get()
    assert done.status == "done"
    assert done.case_number in status.inner_text()
    assert str(done.latitude) == "34.544000"
    assert (
        page.evaluate("JSON.parse(localStorage.getItem('bianmin.appointments.captures')).length")
        == 0
    )
    tablet.close()


def test_phone_booking_keeps_the_answers_after_an_error(
    daytime, live_server, browser, hall, tmp_path
):
    phone = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = phone.new_page()
    page.goto(f"{live_server.url}/appointments/TG/book/")
    # The answer to the item's change is held back until the date is chosen: the form must drop
    # it (a late answer without a date used to wipe the slots the date's answer had shown).
    held = hold_first_request(
        page,
        "**/appointments/TG/book/?*",
        lambda: page.select_option("select[name=item_code]", "HZ03"),
    )
    with page.expect_event("requestfailed") as dropped:
        page.select_option("select[name=date]", "2026-12-01")
    assert "date=&" in dropped.value.url + "&"
    assert len(held) == 1
    slot = page.locator("label.ap-slot:has(input[value='09:00'])")
    slot.wait_for(timeout=10000)  # loaded by htmx without leaving the page
    assert "余" in slot.inner_text()
    slot.click()
    page.locator("label:has(input[name=fact_lost])").click()
    page.fill("input[name=name]", "王秀英")
    page.fill("input[name=id_number]", "610522199005171238"[:17] + "0")
    page.fill("input[name=phone]", "13912345678")
    page.click("[data-testid=book-submit]")
    error = page.locator("[data-testid=book-error]")
    assert "身份证号码有误" in error.inner_text()
    from bianmin.appointments.tests.conftest import ID

    page.fill("input[name=id_number]", ID)
    page.locator("label.ap-slot:has(input[value='09:00'])").click()
    page.click("[data-testid=book-submit]")
    code = page.locator("[data-testid=booking-code]").inner_text().strip()
    assert len(code) == 8
    assert page.locator("[data-testid=materials] li").count() >= 2
    page.screenshot(path=str(tmp_path / "confirmation.png"), full_page=True)
    phone.close()

    from bianmin.appointments.models import Appointment

    assert Appointment.objects.get(code=code).facts.get("lost") is True
