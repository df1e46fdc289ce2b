import datetime as dt

import chinese_calendar
import pytest

from bianmin.core.errors import DomainError
from bianmin.core.models import CalendarOverride, CalendarYear
from bianmin.core.workdays import (
    CalendarUnknown,
    add_workdays,
    is_workday,
    statutory_holidays,
    workdays_between,
    year_status,
)

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (D(2026, 9, 30), 0, D(2026, 9, 30)),  # days=0 returns start
        (D(2026, 9, 30), 1, D(2026, 10, 8)),  # National Day Oct 1–7 skipped
        (D(2026, 9, 30), 3, D(2026, 10, 10)),  # Sat Oct 10 is a make-up working day
        (D(2026, 9, 18), 1, D(2026, 9, 20)),  # Sun Sep 20 is a make-up working day
        (D(2026, 2, 13), 1, D(2026, 2, 14)),  # Sat Feb 14 make-up before Spring Festival
        (D(2026, 2, 14), 1, D(2026, 2, 24)),  # Feb 15–23 off
        (D(2026, 2, 27), 1, D(2026, 2, 28)),  # Sat Feb 28 make-up
        (D(2026, 4, 30), 1, D(2026, 5, 6)),  # Labour Day May 1–5
        (D(2026, 5, 8), 1, D(2026, 5, 9)),  # Sat May 9 make-up
        (D(2026, 1, 3), 1, D(2026, 1, 4)),  # Sun Jan 4 make-up after New Year
        (D(2026, 11, 27), 7, D(2026, 12, 8)),  # an ordinary promised time of 7 days
    ],
)
def test_add_workdays_follows_2026_schedule(start: dt.date, days: int, expected: dt.date) -> None:
    assert add_workdays(start, days) == expected


def test_2026_has_248_working_days() -> None:
    assert workdays_between(D(2025, 12, 31), D(2026, 12, 31)) == 248


def test_negative_days_are_refused() -> None:
    with pytest.raises(DomainError) as exc:
        add_workdays(D(2026, 1, 5), -1)
    assert exc.value.code == "negative_days"


def test_override_wins_over_the_package() -> None:
    CalendarOverride.objects.create(day=D(2026, 12, 1), is_workday=False, note="local closure")
    assert not is_workday(D(2026, 12, 1))
    assert add_workdays(D(2026, 11, 30), 1) == D(2026, 12, 2)


def test_statutory_rule_agrees_with_published_years() -> None:
    # The fallback's lunar and solar-term arithmetic reproduces the days off the State
    # Council published for years the package knows.
    for year in (2025, 2026):  # the 2024 revision (with 除夕) applies from 2025
        for day in statutory_holidays(year):
            assert not chinese_calendar.is_workday(day), day


def test_year_after_the_package_is_provisional_with_lunar_holidays() -> None:
    assert year_status(2027).is_provisional
    # 2027 Spring Festival: Feb 5 (eve) to Feb 8; Thu Feb 4 + 1 working day skips to Tue Feb 9.
    assert add_workdays(D(2027, 2, 4), 1) == D(2027, 2, 9)
    assert add_workdays(D(2027, 9, 14), 1) == D(2027, 9, 16)  # Mid-Autumn Sep 15


def test_confirmed_year_uses_only_the_directors_entries() -> None:
    CalendarYear.objects.create(year=2027, source="国办发明电〔2026〕X号")
    CalendarOverride.objects.create(day=D(2027, 2, 10), is_workday=False, note="春节")
    assert not year_status(2027).is_provisional
    assert is_workday(D(2027, 2, 8))  # not entered, so an ordinary Monday
    assert not is_workday(D(2027, 2, 10))


def test_unknown_year_raises_a_chinese_message() -> None:
    with pytest.raises(CalendarUnknown) as exc:
        add_workdays(D(2035, 1, 2), 1)
    assert "2035" in exc.value.message
    assert exc.value.code == "calendar_unknown"
