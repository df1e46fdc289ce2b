"""The appointments context's rules as pure code (no database): the slot grid and its
capacity, the booking and home-visit state machines, the check-in window, the no-show block
and the home-visit route planner (nearest neighbour over the town list)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from bianmin.appointments.enums import AppointmentStatus as A
from bianmin.appointments.enums import HomeVisitStatus as V

# --- state machines --------------------------------------------------------------------------

APPOINTMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    A.BOOKED: frozenset({A.CHECKED_IN, A.LATE, A.NO_SHOW, A.CANCELLED}),
    A.CHECKED_IN: frozenset(),
    A.LATE: frozenset(),
    A.NO_SHOW: frozenset(),
    A.CANCELLED: frozenset(),
}

VISIT_TRANSITIONS: dict[str, frozenset[str]] = {
    V.REQUESTED: frozenset({V.APPROVED, V.REFUSED, V.CANCELLED}),
    V.APPROVED: frozenset({V.SCHEDULED, V.CANCELLED}),
    V.SCHEDULED: frozenset({V.SCHEDULED, V.APPROVED, V.DONE, V.CANCELLED}),
    V.DONE: frozenset({V.DELIVERY_DUE}),
    V.DELIVERY_DUE: frozenset({V.DELIVERED}),
    V.DELIVERED: frozenset(),
    V.REFUSED: frozenset(),
    V.CANCELLED: frozenset(),
}


def can_book_transition(current: str, to: str) -> bool:
    return to in APPOINTMENT_TRANSITIONS.get(current, frozenset())


def can_visit_transition(current: str, to: str) -> bool:
    return to in VISIT_TRANSITIONS.get(current, frozenset())


# --- slots -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """Bookable hours of one day: [start, end) with `windows` windows serving bookings."""

    start: time
    end: time
    windows: int
    kind: str = "regular"  # regular / holiday / evening


@dataclass(frozen=True)
class SlotSpec:
    start: time
    end: time
    capacity: int
    kind: str


def capacity_per_slot(
    *, windows: int, slot_minutes: int, median_minutes: float, override: int | None = None
) -> int:
    """windows × slot length ÷ the item's median service time (at least 1), or the director's."""
    if override is not None:
        return max(0, override)
    if median_minutes <= 0:
        median_minutes = 1
    return max(1, math.floor(windows * slot_minutes / median_minutes))


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def slot_grid(
    spans: Iterable[Span],
    *,
    slot_minutes: int,
    median_minutes: float,
    override: int | None = None,
    closed: Sequence[tuple[time, time]] = (),
) -> list[SlotSpec]:
    """Slots of `slot_minutes` inside each span (a slot must end by the span's end); slots that
    overlap a closed range are left out."""
    out: dict[time, SlotSpec] = {}
    for span in spans:
        start = _minutes(span.start)
        end = _minutes(span.end) if span.end != time(0) else 24 * 60
        cap = capacity_per_slot(
            windows=span.windows,
            slot_minutes=slot_minutes,
            median_minutes=median_minutes,
            override=override,
        )
        while start + slot_minutes <= end:
            s, e = start, start + slot_minutes
            if not any(_minutes(a) < e and s < _minutes(b) for a, b in closed):
                begin = _time(s)
                out.setdefault(begin, SlotSpec(begin, _time(e % (24 * 60)), cap, span.kind))
            start = e
    return [out[k] for k in sorted(out)]


def regular_spans(
    *, opens_at: time, closes_at: time, lunch: tuple[time, time] | None, windows: int
) -> list[Span]:
    if lunch and opens_at < lunch[0] < lunch[1] < closes_at:
        return [Span(opens_at, lunch[0], windows), Span(lunch[1], closes_at, windows)]
    return [Span(opens_at, closes_at, windows)]


# --- check-in --------------------------------------------------------------------------------


class CheckInVerdict(StrEnum):
    IN_WINDOW = "in_window"
    TOO_EARLY = "too_early"
    LATE = "late"
    OTHER_DAY = "other_day"


def check_in_verdict(
    *, slot_start: datetime, now: datetime, before_minutes: int, after_minutes: int
) -> CheckInVerdict:
    """From `before_minutes` before the slot start to `after_minutes` after it (both edges
    included) the booking checks in with priority; later it is late; earlier too early."""
    if slot_start.date() != now.date():
        return CheckInVerdict.OTHER_DAY
    if now < slot_start - timedelta(minutes=before_minutes):
        return CheckInVerdict.TOO_EARLY
    if now > slot_start + timedelta(minutes=after_minutes):
        return CheckInVerdict.LATE
    return CheckInVerdict.IN_WINDOW


# --- no-show block ---------------------------------------------------------------------------


def blocked_until(
    *, missed_days: Sequence[date], today: date, limit: int, window_days: int, block_days: int
) -> date | None:
    """Online booking is blocked for `block_days` after the `limit`-th missed appointment within
    `window_days`; returns the last blocked day, or None when booking is open."""
    recent = sorted(d for d in missed_days if today - timedelta(days=window_days) < d <= today)
    if limit <= 0 or len(recent) < limit:
        return None
    until = recent[-1] + timedelta(days=block_days)
    return until if until >= today else None


# --- reminders -------------------------------------------------------------------------------


def eve_reminder_at(slot_start: datetime) -> datetime:
    """18:00 on the day before the appointment."""
    eve = slot_start - timedelta(days=1)
    return eve.replace(hour=18, minute=0, second=0, microsecond=0)


def hour_reminder_at(slot_start: datetime) -> datetime:
    return slot_start - timedelta(hours=1)


# --- home-visit routes -----------------------------------------------------------------------


@dataclass(frozen=True)
class Stop:
    visit_id: int
    town: str
    weekdays: frozenset[int] = frozenset()  # the requester's preferred days (0 = Monday); none: any

    def fits(self, day: date) -> bool:
        return not self.weekdays or day.weekday() in self.weekdays


@dataclass(frozen=True)
class Route:
    day: date
    stops: tuple[Stop, ...]
    distance_km: float


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def nearest_neighbour(
    stops: Sequence[Stop], positions: dict[str, tuple[float, float]]
) -> tuple[list[Stop], float]:
    """Order stops from the center (0, 0) by nearest neighbour; unknown towns (out of the
    area) come last, in request order."""
    here = (0.0, 0.0)
    left = [s for s in stops if s.town in positions]
    order: list[Stop] = []
    total = 0.0
    while left:
        best = min(left, key=lambda s: (_distance(here, positions[s.town]), s.visit_id))
        total += _distance(here, positions[best.town])
        here = positions[best.town]
        order.append(best)
        left.remove(best)
    total += _distance(here, (0.0, 0.0))
    order.extend(s for s in stops if s.town not in positions)
    return order, round(total, 1)


def plan_routes(
    stops: Sequence[Stop],
    *,
    days: Sequence[date],
    positions: dict[str, tuple[float, float]],
    capacity: int,
) -> tuple[list[Route], list[Stop]]:
    """Group visits by area into days: towns sorted by their angle around the center so that
    one day covers neighbouring towns; each day takes at most `capacity` visits — only those
    whose requester prefers that weekday, or named no day — and is ordered by nearest
    neighbour. Returns the routes and the visits that did not fit."""

    def angle(stop: Stop) -> tuple[int, float, int]:
        if stop.town not in positions:
            return (1, 0.0, stop.visit_id)
        x, y = positions[stop.town]
        return (0, math.atan2(y, x), stop.visit_id)

    known = sorted((s for s in stops if s.town in positions), key=angle)
    if len(known) > 2:
        # Start the sweep after the widest empty sector, so that neighbours across the
        # -180°/180° line are not split into two days.
        angles = [angle(s)[1] for s in known]
        gaps = [
            (angles[(i + 1) % len(angles)] - angles[i]) % (2 * math.pi) for i in range(len(angles))
        ]
        widest = max(range(len(gaps)), key=lambda i: gaps[i])
        known = known[widest + 1 :] + known[: widest + 1]
    queue = known + [s for s in stops if s.town not in positions]
    routes: list[Route] = []
    for day in days:
        if not queue or capacity <= 0:
            break
        chunk = [s for s in queue if s.fits(day)][:capacity]
        if not chunk:
            continue
        queue = [s for s in queue if s not in chunk]
        ordered, distance = nearest_neighbour(chunk, positions)
        routes.append(Route(day=day, stops=tuple(ordered), distance_km=distance))
    return routes, list(queue)


def arrival_windows(
    count: int, *, start: time = time(9, 0), minutes: int = 60
) -> list[tuple[time, time]]:
    """The time window told to each contact: one hour per stop from 09:00, skipping 12:00–13:30."""
    out = []
    at = datetime.combine(date(2000, 1, 1), start)
    for _ in range(count):
        if time(12, 0) <= at.time() < time(13, 30):
            at = at.replace(hour=13, minute=30)
        out.append((at.time(), (at + timedelta(minutes=minutes)).time()))
        at += timedelta(minutes=minutes)
    return out
