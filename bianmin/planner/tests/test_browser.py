"""Chromium on the planner page: the charts draw, and a what-if changes the figures.

The clock is not pinned: the browser keeps the real clock and would drop a session cookie
whose expiry the server computed from a pinned one. The demo history is written relative to
the real today, and the page plans the next working day."""

import random
from datetime import timedelta

import pytest

from bianmin.core import clock
from bianmin.core.permissions import Role
from bianmin.core.workdays import add_workdays
from bianmin.hall.demo import hall_demo_history
from tests.support.browser import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_shift_leader_reads_the_plan_and_tries_a_campaign_day(
    live_server, browser, catalogue, center, windows, make_staff
):
    for i in range(1, 21):
        make_staff(Role.OFFICER, username=f"officer{i:02d}")
    hall_demo_history(center=center, rng=random.Random(16), days=15)
    day = add_workdays(clock.today() - timedelta(days=1), 1)
    leader = make_staff(Role.SHIFT_LEADER, username="leader01")
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    context.add_cookies([session_cookie(leader, live_server.url)])
    page = context.new_page()
    page.goto(f"{live_server.url}/planner/?date={day.isoformat()}")

    page.wait_for_selector("[data-chart=need] canvas")
    assert page.locator("[data-chart=history] canvas").count() == 1
    assert page.locator("[data-chart=accuracy] canvas").count() == 1
    pooled = int(page.locator("[data-testid=planner-headcount-pooled]").inner_text())
    specialized = int(page.locator("[data-testid=planner-headcount-specialized]").inner_text())
    assert 0 < pooled < specialized
    plain = float(page.locator("[data-testid=planner-arrivals]").inner_text())

    page.fill("input[name=extra_demand_percent]", "50")
    with page.expect_navigation():
        page.press("input[name=extra_demand_percent]", "Enter")
    page.wait_for_selector("[data-chart=need] canvas")
    assert page.locator("input[name=extra_demand_percent]").input_value() == "50"
    busier = float(page.locator("[data-testid=planner-arrivals]").inner_text())
    assert busier == pytest.approx(plain * 1.5, abs=1)
    context.close()
