"""The demo leaves the briefings the 07:30 job would have made on the last working days."""

from datetime import date
from typing import Any

import pytest
import time_machine

from bianmin.reports.demo import reports_demo_load
from bianmin.reports.models import Briefing
from bianmin.reports.tests.factories import at

pytestmark = pytest.mark.django_db


def test_demo_briefings_are_the_last_working_days_up_to_today(center: Any, catalogue: None) -> None:
    with time_machine.travel(at(date(2026, 4, 20), 9), tick=False):  # a Monday, 09:00
        assert reports_demo_load(center=center) == 3
    days = list(Briefing.objects.order_by("-day").values_list("day", "is_scheduled"))
    assert days == [(date(2026, 4, 20), True), (date(2026, 4, 17), True), (date(2026, 4, 16), True)]


def test_before_0730_today_has_no_briefing_yet(center: Any, catalogue: None) -> None:
    with time_machine.travel(at(date(2026, 4, 20), 7, 10), tick=False):
        reports_demo_load(center=center)
    assert Briefing.objects.order_by("-day").values_list("day", flat=True)[0] == date(2026, 4, 17)
