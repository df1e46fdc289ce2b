"""China's working-day calendar: the one function every deadline goes through.

Sources, in order of precedence:
1. `CalendarOverride` rows the director enters (next year's schedule the day it is announced,
   local closures);
2. the `chinesecalendar` package (pinned; it covers 2004 to its last published year);
3. for the years just past the package's coverage, the statutory holidays of
   全国年节及纪念日放假办法 (2024 revision, lunar dates included) on top of Monday–Friday. Such a
   year is *provisional*: make-up working days (调休) cannot be predicted, and the director's
   page warns until the year is confirmed.
Years outside all of these raise `CalendarUnknown` rather than guessing.
"""

import datetime as dt
from dataclasses import dataclass
from functools import cache

import chinese_calendar
from django.utils.translation import gettext as _
from lunardate import LunarDate

from bianmin.core.errors import CoreError, DomainError

FIRST_YEAR = 2004
FALLBACK_YEARS = 2  # how far past the package's coverage the statutory fallback may reach


class CalendarUnknown(DomainError):
    code = "calendar_unknown"


@dataclass(frozen=True)
class YearStatus:
    year: int
    source: str  # "package", "confirmed", "provisional"

    @property
    def is_provisional(self) -> bool:
        return self.source == "provisional"


@cache
def package_last_year() -> int:
    year = dt.datetime.now(dt.UTC).year + 5
    while year > FIRST_YEAR:
        try:
            chinese_calendar.is_workday(dt.date(year, 6, 1))
        except NotImplementedError:
            year -= 1
            continue
        return year
    return FIRST_YEAR


def _qingming(year: int) -> dt.date:
    # Solar-term approximation valid for 2000–2099: [Y·0.2422 + C] − [Y/4] with C = 4.81.
    y = year % 100
    return dt.date(year, 4, int(y * 0.2422 + 4.81) - y // 4)


@cache
def statutory_holidays(year: int) -> frozenset[dt.date]:
    """Days off under 全国年节及纪念日放假办法 (2024 revision), without make-up arrangements."""
    new_year_lunar = LunarDate(year, 1, 1).to_solar_date()
    spring = [new_year_lunar - dt.timedelta(days=1)] + [
        new_year_lunar + dt.timedelta(days=i) for i in range(3)
    ]
    days = [
        dt.date(year, 1, 1),
        *spring,
        _qingming(year),
        dt.date(year, 5, 1),
        dt.date(year, 5, 2),
        LunarDate(year, 5, 5).to_solar_date(),
        LunarDate(year, 8, 15).to_solar_date(),
        dt.date(year, 10, 1),
        dt.date(year, 10, 2),
        dt.date(year, 10, 3),
    ]
    return frozenset(d for d in days if d.year == year)


def year_status(year: int, *, confirmed_years: frozenset[int] | None = None) -> YearStatus:
    if confirmed_years is None:
        confirmed_years = _confirmed_years()
    if year in confirmed_years:
        return YearStatus(year, "confirmed")
    if FIRST_YEAR <= year <= package_last_year():
        return YearStatus(year, "package")
    if package_last_year() < year <= package_last_year() + FALLBACK_YEARS:
        return YearStatus(year, "provisional")
    raise CalendarUnknown(
        _("工作日历没有 %(year)s 年的数据，请主任先录入该年的节假日安排。") % {"year": year},
        year=year,
    )


def _confirmed_years() -> frozenset[int]:
    from bianmin.core.models import CalendarYear

    return frozenset(CalendarYear.objects.values_list("year", flat=True))


def _overrides(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    from bianmin.core.models import CalendarOverride

    rows = CalendarOverride.objects.filter(day__range=(start, end)).values_list("day", "is_workday")
    return dict(rows)


class WorkdayCalendar:
    """Answers is_workday for a span of dates with one query for the overrides."""

    def __init__(self, start: dt.date, end: dt.date) -> None:
        self.overrides = _overrides(start, end)
        self.confirmed_years = _confirmed_years()

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        status = year_status(day.year, confirmed_years=self.confirmed_years)
        if status.source == "package":
            return bool(chinese_calendar.is_workday(day))
        if status.source == "confirmed":
            # A confirmed year is described entirely by its overrides on top of Mon–Fri.
            return day.weekday() < 5
        return day.weekday() < 5 and day not in statutory_holidays(day.year)


def add_workdays(start: dt.date, days: int) -> dt.date:
    """The `days`-th working day after `start` (start itself not counted); 0 returns `start`."""
    if days < 0:
        raise DomainError(_("工作日天数不能为负数"), code=CoreError.NEGATIVE_DAYS)
    if days == 0:
        return start
    # A generous window for the one override query: holidays never stretch N days to 3N + 30.
    calendar = WorkdayCalendar(start, start + dt.timedelta(days=days * 3 + 30))
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if calendar.is_workday(day):
            counted += 1
    return day


def is_workday(day: dt.date) -> bool:
    return WorkdayCalendar(day, day).is_workday(day)


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; negative when end is before start."""
    if end < start:
        return -workdays_between(end, start)
    calendar = WorkdayCalendar(start, end)
    return sum(
        calendar.is_workday(start + dt.timedelta(days=i)) for i in range(1, (end - start).days + 1)
    )
