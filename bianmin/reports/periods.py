"""Which days a report covers and which days it is compared with. Pure: no database.

The morning briefing (晨会通报) of working day D covers every day since the previous working day
(that day included) up to D-1: Tuesday's covers Monday, Monday's covers Friday and the weekend,
the first day after a holiday covers the last working day before it and the whole holiday. So
consecutive briefings never leave a day out and never count one twice. Each figure is compared
with the same days one week earlier (the same weekdays).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from bianmin.reports.enums import ReportKind

MAX_RANGE_DAYS = 366 * 3
_LOOKBACK_DAYS = 40  # the longest run of non-working days a calendar could hold, with room


@dataclass(frozen=True)
class Span:
    kind: ReportKind
    start: date
    end: date
    previous_start: date
    previous_end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def briefing_span(day: date, *, is_workday: Callable[[date], bool]) -> Span:
    start = day - timedelta(days=1)
    for _step in range(_LOOKBACK_DAYS):
        if is_workday(start):
            break
        start -= timedelta(days=1)
    else:  # no working day in sight (an unconfigured calendar): the day before only
        start = day - timedelta(days=1)
    end = day - timedelta(days=1)
    week = timedelta(days=7)
    return Span(ReportKind.BRIEFING, start, end, start - week, end - week)


def week_span(day: date) -> Span:
    """The Monday-to-Sunday week holding `day`, against the week before."""
    start = day - timedelta(days=day.weekday())
    end = start + timedelta(days=6)
    week = timedelta(days=7)
    return Span(ReportKind.WEEK, start, end, start - week, end - week)


def _month_end(start: date) -> date:
    following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def month_span(day: date) -> Span:
    """The calendar month holding `day`, against the month before."""
    start = day.replace(day=1)
    previous_end = start - timedelta(days=1)
    return Span(
        ReportKind.MONTH, start, _month_end(start), previous_end.replace(day=1), previous_end
    )


def year_span(day: date) -> Span:
    start = day.replace(month=1, day=1)
    return Span(
        ReportKind.YEAR,
        start,
        day.replace(month=12, day=31),
        start.replace(year=start.year - 1),
        start - timedelta(days=1),
    )


def range_span(start: date, end: date) -> Span:
    """Any days `start`..`end`, against as many days just before."""
    if end < start:
        raise ValueError("end before start")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise ValueError("range too long")
    length = end - start + timedelta(days=1)
    return Span(ReportKind.RANGE, start, end, start - length, end - length)


def span_for(kind: ReportKind, *, day: date, end: date | None = None) -> Span:
    if kind == ReportKind.WEEK:
        return week_span(day)
    if kind == ReportKind.MONTH:
        return month_span(day)
    if kind == ReportKind.YEAR:
        return year_span(day)
    return range_span(day, end or day)
