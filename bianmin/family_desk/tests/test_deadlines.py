"""Deadlines in working days across China's holidays (the real calendar, no DB overrides)."""

import datetime as dt

import pytest
import time_machine

from bianmin.family_desk.services import Asker, request_create

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.mark.parametrize(
    ("asked", "type_", "due"),
    [
        # National Day 2026: 1–7 October off; a consult asked on 30 September is due on the 8th.
        (dt.datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI), "consult", dt.date(2026, 10, 8)),
        # 帮办 (3 working days) asked on a Friday before a normal weekend.
        (dt.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI), "assisted", dt.date(2026, 11, 25)),
        # A consult asked on a Saturday: the next working day is Monday.
        (dt.datetime(2026, 11, 21, 10, 0, tzinfo=SHANGHAI), "consult", dt.date(2026, 11, 23)),
    ],
)
def test_due_dates_skip_weekends_and_holidays(officer, asked, type_, due):
    with time_machine.travel(asked, tick=False):
        created = request_create(
            asker=Asker.of_staff(officer), type=type_, question="请问怎么办理？"
        )
    assert created.due_on == due


def test_on_behalf_takes_the_procedures_own_limit(officer, procedure):
    procedure.time_limit_workdays = 5
    procedure.save()
    with time_machine.travel(dt.datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI), tick=False):
        created = request_create(
            asker=Asker.of_staff(officer),
            type="on_behalf",
            procedure_id=procedure.pk,
            question="代办提取",
        )
    # 29, 30 September, then 8, 9 October (1–7 off) and the 10th, a make-up Saturday? The
    # package decides; what matters is that holidays are never counted.
    import chinese_calendar

    day, left = dt.date(2026, 9, 28), 5
    while left:
        day += dt.timedelta(days=1)
        if chinese_calendar.is_workday(day):
            left -= 1
    assert created.due_on == day
    assert created.due_on > dt.date(2026, 10, 7)
