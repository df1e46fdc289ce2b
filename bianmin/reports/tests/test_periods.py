"""Which days a report covers (pure: a calendar function stands in for the database)."""

from datetime import date, timedelta

import pytest

from bianmin.reports.periods import briefing_span, month_span, range_span, week_span, year_span

HOLIDAY = {date(2026, 10, d) for d in range(1, 9)}  # 国庆 2026: 1–8 October off


def workday(day: date) -> bool:
    if day == date(2026, 10, 10):  # an adjusted working Saturday
        return True
    return day.weekday() < 5 and day not in HOLIDAY


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (date(2026, 4, 21), date(2026, 4, 20), date(2026, 4, 20)),  # Tuesday: Monday
        (date(2026, 4, 20), date(2026, 4, 17), date(2026, 4, 19)),  # Monday: Fri–Sun
        (date(2026, 10, 9), date(2026, 9, 30), date(2026, 10, 8)),  # after the holiday
        (date(2026, 10, 10), date(2026, 10, 9), date(2026, 10, 9)),  # working Saturday
        (date(2026, 10, 12), date(2026, 10, 10), date(2026, 10, 11)),  # Monday after it
    ],
)
def test_briefing_covers_since_the_previous_working_day(day: date, start: date, end: date) -> None:
    span = briefing_span(day, is_workday=workday)
    assert (span.start, span.end) == (start, end)
    week = timedelta(days=7)
    assert (span.previous_start, span.previous_end) == (start - week, end - week)


def test_consecutive_briefings_leave_no_day_out_and_count_none_twice() -> None:
    covered: list[date] = []
    day = date(2026, 9, 1)
    while day < date(2026, 11, 1):
        if workday(day):
            span = briefing_span(day, is_workday=workday)
            covered += [
                date.fromordinal(o) for o in range(span.start.toordinal(), span.end.toordinal() + 1)
            ]
        day = date.fromordinal(day.toordinal() + 1)
    assert covered == sorted(set(covered))
    assert covered == [
        date.fromordinal(o) for o in range(covered[0].toordinal(), covered[-1].toordinal() + 1)
    ]


def test_week_month_year_and_range_spans() -> None:
    week = week_span(date(2026, 4, 22))
    assert (week.start, week.end, week.previous_start) == (
        date(2026, 4, 20),
        date(2026, 4, 26),
        date(2026, 4, 13),
    )
    month = month_span(date(2026, 3, 15))
    assert (month.start, month.end, month.previous_start, month.previous_end) == (
        date(2026, 3, 1),
        date(2026, 3, 31),
        date(2026, 2, 1),
        date(2026, 2, 28),
    )
    year = year_span(date(2026, 6, 1))
    assert (year.start, year.end, year.previous_start, year.previous_end) == (
        date(2026, 1, 1),
        date(2026, 12, 31),
        date(2025, 1, 1),
        date(2025, 12, 31),
    )
    custom = range_span(date(2026, 4, 13), date(2026, 4, 20))
    assert (custom.previous_start, custom.previous_end, custom.days) == (
        date(2026, 4, 5),
        date(2026, 4, 12),
        8,
    )
    with pytest.raises(ValueError, match="end before start"):
        range_span(date(2026, 4, 20), date(2026, 4, 13))
