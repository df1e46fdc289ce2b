"""Read-only history for the planner, standards and reports: arrivals, services, duty,
attendance and period figures."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count
from django.utils import timezone

from bianmin.core import clock
from bianmin.hall.enums import EventKind, TicketStatus
from bianmin.hall.models import GuideCall, Ticket, TicketEvent, WindowSession

# --- history for the staffing planner (read-only) ---------------------------------------------


@dataclass(frozen=True)
class ArrivalRecord:
    """One ticket issued: when, for which category, at which priority weight."""

    ticket_id: str
    at: datetime
    category: str
    priority_weight: int


@dataclass(frozen=True)
class ServiceRecord:
    """One finish: the item, its category and the seconds since the (last) call."""

    item_id: int
    category: str
    seconds: int


@dataclass(frozen=True)
class DutySpan:
    """An officer signed in at a window, from sign-in to sign-out (clipped to the period)."""

    officer_id: int
    start: datetime
    end: datetime


def arrivals_between(*, center_id: int, start: datetime, end: datetime) -> list[ArrivalRecord]:
    """Every ticket issued in [start, end), from the issue events."""
    rows = (
        TicketEvent.objects.filter(
            center_id=center_id, kind=EventKind.ISSUE, at__gte=start, at__lt=end
        )
        .order_by("at", "pk")
        .values_list("ticket_id", "at", "item__category", "ticket__priority_weight")
    )
    return [
        ArrivalRecord(ticket_id=str(t), at=at, category=str(cat or ""), priority_weight=int(w or 0))
        for t, at, cat, w in rows
    ]


def services_between(*, center_id: int, start: datetime, end: datetime) -> list[ServiceRecord]:
    """Every service time recorded by a finish event in [start, end)."""
    rows = TicketEvent.objects.filter(
        center_id=center_id,
        kind=EventKind.FINISH,
        at__gte=start,
        at__lt=end,
        service_seconds__isnull=False,
        item__isnull=False,
    ).values_list("item_id", "item__category", "service_seconds")
    return [
        ServiceRecord(item_id=int(i), category=str(cat), seconds=int(s or 0)) for i, cat, s in rows
    ]


def first_call_waits_between(*, center_id: int, start: datetime, end: datetime) -> dict[str, int]:
    """Seconds from arrival to the first call, per ticket called in [start, end)."""
    waits: dict[str, int] = {}
    rows: Any = (
        TicketEvent.objects.filter(
            center_id=center_id,
            kind=EventKind.CALL,
            at__gte=start,
            at__lt=end,
            wait_seconds__isnull=False,
        )
        .order_by("at", "pk")
        .values_list("ticket_id", "wait_seconds")
    )
    for ticket_id, wait in rows:
        waits.setdefault(str(ticket_id), int(wait))
    return waits


def duty_spans_between(*, center_id: int, start: datetime, end: datetime) -> list[DutySpan]:
    """Who was signed in at a window when, from the sign-in and sign-out events (a session
    still open at `end` ends there). Pauses count as time on duty."""
    rows = (
        TicketEvent.objects.filter(
            center_id=center_id,
            kind__in=[EventKind.SIGN_IN, EventKind.SIGN_OUT],
            at__gte=start,
            at__lt=end,
            officer__isnull=False,
        )
        .order_by("at", "pk")
        .values_list("officer_id", "kind", "at")
    )
    opened: dict[int, datetime] = {}
    spans: list[DutySpan] = []
    for officer_id, kind, at in rows:
        if kind == EventKind.SIGN_IN:
            opened.setdefault(int(officer_id), at)
        elif int(officer_id) in opened:
            spans.append(DutySpan(int(officer_id), opened.pop(int(officer_id)), at))
    spans.extend(DutySpan(o, s, end) for o, s in opened.items())
    return sorted(spans, key=lambda s: (s.start, s.officer_id))


# --- attendance facts for the standards context (劳动纪律星, the certification board) ----------


@dataclass(frozen=True)
class AttendanceDay:
    day: Any  # date, the center's day
    first_sign_in: datetime  # local time of the day's first window sign-in
    paused_seconds: int  # pauses ended (恢复服务) that day, in seconds


def officer_attendance(
    *, center_id: int, officer_id: int, start: Any, end: Any
) -> list[AttendanceDay]:
    """Per day in [start, end) on which the officer signed in at a window: the first sign-in
    and the pause time that day (read-only; from window sessions and RESUME events)."""
    zone = timezone.get_current_timezone()
    since = datetime.combine(start, datetime.min.time(), tzinfo=zone)
    until = datetime.combine(end, datetime.min.time(), tzinfo=zone)
    first: dict[Any, datetime] = {}
    for started in WindowSession.objects.filter(
        center_id=center_id, officer_id=officer_id, started_at__gte=since, started_at__lt=until
    ).values_list("started_at", flat=True):
        local = clock.local(started)
        if local.date() not in first or local < first[local.date()]:
            first[local.date()] = local
    paused: dict[Any, int] = {}
    for at, data in TicketEvent.objects.filter(
        center_id=center_id,
        officer_id=officer_id,
        kind=EventKind.RESUME,
        at__gte=since,
        at__lt=until,
    ).values_list("at", "data"):
        day = clock.local(at).date()
        paused[day] = paused.get(day, 0) + int((data or {}).get("paused_seconds") or 0)
    return [
        AttendanceDay(day=day, first_sign_in=first[day], paused_seconds=paused.get(day, 0))
        for day in sorted(first)
    ]


def officer_weekdays(*, center_id: int, since: Any) -> dict[int, set[int]]:
    """{officer id: weekdays (0 = Monday) on which they signed in at a window since `since`}."""
    start = datetime.combine(since, datetime.min.time(), tzinfo=timezone.get_current_timezone())
    out: dict[int, set[int]] = {}
    for officer_id, started in WindowSession.objects.filter(
        center_id=center_id, started_at__gte=start
    ).values_list("officer_id", "started_at"):
        out.setdefault(officer_id, set()).add(clock.local(started).weekday())
    return out


# --- period figures (the reports context's briefing and periodic reports) -------------------


@dataclass(frozen=True)
class HallPeriodFigures:
    """Tickets whose service day falls in `start`..`end` (inclusive), from tickets and events."""

    visits: int
    by_category: dict[str, int]  # catalogue Category value → tickets
    by_day: dict[str, int]  # ISO date → tickets
    served: int  # tickets finished
    no_shows: int
    waits_counted: int  # tickets called at least once (their first call's wait)
    median_wait_minutes: float | None
    p90_wait_minutes: float | None
    longest_wait_minutes: float | None
    officers_at_windows: int  # distinct officers who signed in at a window


def _day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def _nearest_rank(ordered: list[int], share: float) -> int:
    """The nearest-rank percentile of sorted values (p90 of 10 values is the 9th)."""
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def period_figures(*, center_id: int, start: date, end: date) -> HallPeriodFigures:
    tickets = Ticket.objects.filter(
        center_id=center_id, service_day__gte=start, service_day__lte=end
    )
    statuses: dict[str, int] = {}
    by_category: dict[str, int] = {}
    by_day: dict[str, int] = {}
    grouped: Any = (  # one pass over the period's tickets for all three tallies
        tickets.values_list("status", "item__category", "service_day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for status, category, day, n in grouped:
        statuses[status] = statuses.get(status, 0) + n
        by_category[category] = by_category.get(category, 0) + n
        by_day[day.isoformat()] = by_day.get(day.isoformat(), 0) + n
    since, until = _day_bounds(start, end)
    first_waits: dict[str, int] = {}
    wait_rows: Any = (
        TicketEvent.objects.filter(
            center_id=center_id,
            kind=EventKind.CALL,
            at__gte=since,
            at__lt=until,
            wait_seconds__isnull=False,
        )
        .order_by("at")  # the (center, kind, at) index's order: no sort step
        .values_list("ticket_id", "wait_seconds")
    )
    for ticket_id, wait in wait_rows:
        first_waits.setdefault(ticket_id, wait)
    waits = sorted(first_waits.values())
    officers = (
        WindowSession.objects.filter(
            center_id=center_id, started_at__gte=since, started_at__lt=until
        )
        .values("officer_id")
        .distinct()
        .count()
    )
    return HallPeriodFigures(
        visits=sum(statuses.values()),
        by_category=by_category,
        by_day=by_day,
        served=statuses.get(TicketStatus.FINISHED, 0),
        no_shows=statuses.get(TicketStatus.NO_SHOW, 0),
        waits_counted=len(waits),
        median_wait_minutes=round(statistics.median(waits) / 60, 1) if waits else None,
        p90_wait_minutes=round(_nearest_rank(waits, 0.9) / 60, 1) if waits else None,
        longest_wait_minutes=round(waits[-1] / 60, 1) if waits else None,
        officers_at_windows=officers,
    )


def guide_calls_open(*, center_id: int) -> list[GuideCall]:
    """The kiosks' open "call a guide" requests, oldest first (the guide desk's list)."""
    return list(GuideCall.objects.filter(center_id=center_id, answered_at__isnull=True)[:20])


def tickets_finished_between(
    *, center_id: int, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Finished visits (办结) in [start, end): what the ratings demo rates, as plain values."""
    return [
        dict(row)
        for row in Ticket.objects.filter(
            center_id=center_id,
            status=TicketStatus.FINISHED,
            finished_at__gte=start,
            finished_at__lt=end,
        )
        .order_by("finished_at", "pk")
        .values("id", "number", "officer_id", "window__code", "item__code", "finished_at")
    ]
