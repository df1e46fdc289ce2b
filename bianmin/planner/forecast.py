"""Arrivals and service times from the hall's own events: the planner's forecast.

Reads the hall only through its selectors, officers' authorizations (交叉授权) through the
accounts selectors, the calendar through `core.workdays` and campaign days through the fees
selectors. A day is forecast from the past days of the same kind (last N weeks, the day itself
and later never used): a working day from the same weekday (all working days when fewer than
two such days have tickets), a rest day or holiday from rest days, a campaign day from campaign
days (working days when the hall has never held one). Only days with tickets count: a day the
hall did not open tells nothing about demand.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from bianmin.accounts.selectors import DayHours, center_hours
from bianmin.core import clock
from bianmin.core.workdays import WorkdayCalendar
from bianmin.fees.selectors import campaign_list
from bianmin.hall.selectors import ArrivalRecord, arrivals_between, services_between
from bianmin.planner.enums import DayKind

DEFAULT_WEEKS = 6
# Service time assumed for a category the hall has never finished (minutes).
DEFAULT_SERVICE_MINUTES = 8.0
MAX_SERVICE_SAMPLES = 1500


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The center's day (Asia/Shanghai) as an aware [start, end)."""
    tz = clock.local(clock.now()).tzinfo
    start = datetime.combine(day, time(0, 0), tzinfo=tz)
    return start, start + timedelta(days=1)


def campaign_days(*, center_id: int, start: date, end: date) -> set[date]:
    days: set[date] = set()
    for campaign in campaign_list(center_id=center_id).filter(
        is_cancelled=False, starts_on__lte=end, ends_on__gte=start
    ):
        day = max(campaign.starts_on, start)
        while day <= min(campaign.ends_on, end):
            days.add(day)
            day += timedelta(days=1)
    return days


def day_kind(day: date, *, calendar: WorkdayCalendar, campaigns: set[date]) -> DayKind:
    if day in campaigns:
        return DayKind.CAMPAIGN
    return DayKind.WORKDAY if calendar.is_workday(day) else DayKind.REST_DAY


@dataclass
class History:
    """The hall's tickets of the last weeks, by day, hour and category."""

    start: date
    end: date  # exclusive
    counts: dict[date, Counter[tuple[int, str]]] = field(default_factory=dict)
    kinds: dict[date, DayKind] = field(default_factory=dict)
    priority_weights: Counter[int] = field(default_factory=Counter)

    def hourly(self, day: date) -> dict[int, float]:
        totals: dict[int, float] = defaultdict(float)
        for (hour, _category), n in self.counts.get(day, Counter()).items():
            totals[hour] += n
        return dict(totals)


def history_load(*, center_id: int, start: date, end: date) -> History:
    """Tickets issued in [start, end) per day, hour and category, and each day's kind."""
    first, _ = day_bounds(start)
    last, _ = day_bounds(end)
    history = History(start=start, end=end)
    arrivals: list[ArrivalRecord] = arrivals_between(center_id=center_id, start=first, end=last)
    for record in arrivals:
        local = clock.local(record.at)
        history.counts.setdefault(local.date(), Counter())[(local.hour, record.category)] += 1
        history.priority_weights[record.priority_weight] += 1
    calendar = WorkdayCalendar(start, end)
    campaigns = campaign_days(center_id=center_id, start=start, end=end)
    day = start
    while day < end:
        history.kinds[day] = day_kind(day, calendar=calendar, campaigns=campaigns)
        day += timedelta(days=1)
    return history


@dataclass(frozen=True)
class DayForecast:
    day: date
    kind: DayKind
    rates: dict[int, dict[str, float]]  # hour → category → expected arrivals
    basis: list[date]  # the past days it was made from
    is_open: bool

    def hourly(self) -> dict[int, float]:
        return {h: sum(cats.values()) for h, cats in sorted(self.rates.items())}

    @property
    def total(self) -> float:
        return sum(self.hourly().values())


def forecast_from(history: History, *, day: date, kind: DayKind, is_open: bool) -> DayForecast:
    """The expected arrivals of `day` from the days of `history` before it."""
    past = [d for d in sorted(history.counts) if d < day]
    same_kind = [d for d in past if history.kinds.get(d) == kind]
    if kind == DayKind.WORKDAY:
        same_weekday = [d for d in same_kind if d.weekday() == day.weekday()]
        basis = same_weekday if len(same_weekday) >= 2 else same_kind
    elif kind == DayKind.CAMPAIGN:
        basis = same_kind or [d for d in past if history.kinds.get(d) == DayKind.WORKDAY]
    else:
        basis = same_kind
    rates: dict[int, dict[str, float]] = {}
    if basis and is_open:
        sums: Counter[tuple[int, str]] = Counter()
        for d in basis:
            sums.update(history.counts[d])
        for (hour, category), n in sorted(sums.items()):
            rates.setdefault(hour, {})[category] = n / len(basis)
    return DayForecast(day=day, kind=kind, rates=rates, basis=basis, is_open=is_open)


def forecast_day(
    *, center_id: int, day: date, weeks: int = DEFAULT_WEEKS, history: History | None = None
) -> DayForecast:
    """Expected arrivals per hour and category on `day` (from the N weeks before it)."""
    history = history or history_load(
        center_id=center_id, start=day - timedelta(weeks=weeks), end=day + timedelta(days=1)
    )
    calendar = WorkdayCalendar(day, day)
    kind = history.kinds.get(day) or day_kind(
        day,
        calendar=calendar,
        campaigns=campaign_days(center_id=center_id, start=day, end=day),
    )
    hours = center_hours(center_id=center_id, day=day)
    return forecast_from(history, day=day, kind=kind, is_open=hours is not None)


def open_hours(hours: DayHours | None) -> list[int]:
    """The hours in which the hall is open for at least part of the hour."""
    if hours is None:
        return []
    result = []
    for hour in range(24):
        minutes = [time(hour, m) for m in range(0, 60, 15)]
        if any(hours.is_open_at(moment) for moment in minutes):
            result.append(hour)
    return result


@dataclass(frozen=True)
class ServiceProfile:
    """Service minutes per category from the finish events (the samples and their mean)."""

    samples: dict[str, list[float]]

    def mean(self, category: str) -> float:
        values = self.samples.get(category)
        if values:
            return statistics.fmean(values)
        every = [v for vs in self.samples.values() for v in vs]
        return statistics.fmean(every) if every else DEFAULT_SERVICE_MINUTES


def service_profile(*, center_id: int, until: date, weeks: int = DEFAULT_WEEKS) -> ServiceProfile:
    start, _ = day_bounds(until - timedelta(weeks=weeks))
    end, _ = day_bounds(until)
    samples: dict[str, list[float]] = {}
    for record in services_between(center_id=center_id, start=start, end=end):
        bucket = samples.setdefault(record.category, [])
        if len(bucket) < MAX_SERVICE_SAMPLES:
            bucket.append(max(record.seconds, 1) / 60.0)
    return ServiceProfile(samples=samples)
