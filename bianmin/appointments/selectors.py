"""Reads of the appointments context, always scoped by center (and, for home visits, by what
the user may see: a team member sees only the visits of their own team)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from bianmin.accounts.selectors import center_hours
from bianmin.appointments import pipeline
from bianmin.appointments.enums import AppointmentStatus, HomeVisitStatus
from bianmin.appointments.models import (
    ACTIVE_STATUSES,
    Appointment,
    BookingRules,
    CapacityOverride,
    Closure,
    ExtraOpening,
    HomeVisit,
    MobileTeam,
)
from bianmin.catalogue.selectors import item_list
from bianmin.core import clock
from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.permissions import Perm, has_perm
from bianmin.hall.selectors import service_minutes_by_item


def rules_get(*, center_id: int) -> BookingRules:
    return BookingRules.objects.filter(center_id=center_id).first() or BookingRules(
        center_id=center_id
    )


@dataclass(frozen=True)
class Slot:
    start: time
    end: time
    capacity: int
    booked: int
    kind: str

    @property
    def available(self) -> int:
        return max(0, self.capacity - self.booked)


def median_minutes(*, center_id: int, item: Any) -> float:
    """The median service time of the item's group (its catalogue category, served by the same
    windows): each item's median from the hall's finished tickets, else the catalogue's."""
    measured = service_minutes_by_item(center_id=center_id)
    values = [
        float(measured.get(other.pk) or other.average_service_minutes or 8)
        for other in item_list()
        if other.category == item.category
    ]
    return float(statistics.median(values)) if values else float(item.average_service_minutes or 8)


def closed_ranges(*, center_id: int, day: date, category: str) -> list[tuple[time, time]] | None:
    """Closed hours of the day for this item's category; None when the whole day is closed."""
    ranges: list[tuple[time, time]] = []
    for closure in Closure.objects.filter(center_id=center_id, day=day).filter(
        Q(category="") | Q(category=category)
    ):
        if closure.starts_at is None or closure.ends_at is None:
            return None
        ranges.append((closure.starts_at, closure.ends_at))
    return ranges


def slot_specs(*, center_id: int, item: Any, day: date) -> list[pipeline.SlotSpec]:
    rules = rules_get(center_id=center_id)
    closed = closed_ranges(center_id=center_id, day=day, category=item.category)
    if closed is None:
        return []
    spans: list[pipeline.Span] = []
    hours = center_hours(center_id=center_id, day=day)
    if hours is not None:
        lunch = (hours.lunch_from, hours.lunch_to) if hours.lunch_from and hours.lunch_to else None
        spans += pipeline.regular_spans(
            opens_at=hours.opens_at, closes_at=hours.closes_at, lunch=lunch, windows=rules.windows
        )
    extra: list[pipeline.Span] = []
    for opening in ExtraOpening.objects.filter(center_id=center_id, day=day):
        extra.append(
            pipeline.Span(opening.starts_at, opening.ends_at, opening.windows, opening.kind)
        )
        if opening.gap_from and opening.gap_to:
            closed.append((opening.gap_from, opening.gap_to))
    if extra:  # the opening's own hours and windows win where they overlap the day's hours
        spans = extra + spans
    if not spans:
        return []
    override = (
        CapacityOverride.objects.filter(center_id=center_id, group=item.category)
        .values_list("capacity", flat=True)
        .first()
    )
    return pipeline.slot_grid(
        spans,
        slot_minutes=rules.slot_minutes,
        median_minutes=median_minutes(center_id=center_id, item=item),
        override=override,
        closed=closed,
    )


def slots_for(*, center_id: int, item: Any, day: date, now: datetime | None = None) -> list[Slot]:
    """The day's slots for an item with what is left; past slots and those inside the minimum
    notice are not offered."""
    rules = rules_get(center_id=center_id)
    now = clock.local(now or clock.now())
    earliest = now + timedelta(minutes=rules.min_notice_minutes)
    booked = dict(
        Appointment.objects.filter(
            center_id=center_id, group=item.category, day=day, status__in=ACTIVE_STATUSES
        )
        .values_list("starts_at")
        .annotate(n=Count("pk"))
        .values_list("starts_at", "n")
    )
    out = []
    for spec in slot_specs(center_id=center_id, item=item, day=day):
        start = clock.local(now).replace(
            year=day.year,
            month=day.month,
            day=day.day,
            hour=spec.start.hour,
            minute=spec.start.minute,
            second=0,
            microsecond=0,
        )
        if start < earliest:
            continue
        out.append(Slot(spec.start, spec.end, spec.capacity, booked.get(spec.start, 0), spec.kind))
    return out


def next_free_slot(
    *, center_id: int, item: Any, after: date, days: int = 30
) -> tuple[date, Slot] | None:
    for offset in range(1, days + 1):
        day = after + timedelta(days=offset)
        for slot in slots_for(center_id=center_id, item=item, day=day):
            if slot.available > 0:
                return day, slot
    return None


def appointment_by_code(*, code: str, center_id: int | None = None) -> Appointment | None:
    rows = Appointment.objects.select_related("item").filter(code=code)
    if center_id is not None:
        rows = rows.filter(center_id=center_id)
    return rows.first()


def appointments_of_day(*, actor: StaffActor, day: date) -> QuerySet[Appointment]:
    return Appointment.objects.select_related("item").filter(
        center_id=home_center_id(actor), day=day
    )


def missed_days(*, id_index: str) -> list[date]:
    return list(
        Appointment.objects.filter(
            id_index=id_index, status__in=(AppointmentStatus.NO_SHOW, AppointmentStatus.LATE)
        ).values_list("day", flat=True)
    )


def booking_blocked_until(*, center_id: int, id_index: str) -> date | None:
    rules = rules_get(center_id=center_id)
    return pipeline.blocked_until(
        missed_days=missed_days(id_index=id_index),
        today=clock.today(),
        limit=rules.no_show_limit,
        window_days=rules.no_show_window_days,
        block_days=rules.block_days,
    )


def openings_list(*, actor: StaffActor, since: date) -> QuerySet[ExtraOpening]:
    return (
        ExtraOpening.objects.filter(center_id=home_center_id(actor), day__gte=since)
        .prefetch_related("duty_officers")
        .order_by("day", "starts_at")
    )


def closures_list(*, actor: StaffActor, since: date) -> QuerySet[Closure]:
    return Closure.objects.filter(center_id=home_center_id(actor), day__gte=since).order_by("day")


def overrides_list(*, actor: StaffActor) -> QuerySet[CapacityOverride]:
    return CapacityOverride.objects.filter(center_id=home_center_id(actor)).order_by("group")


# --- home visits -----------------------------------------------------------------------------


def visits_visible(*, actor: StaffActor) -> QuerySet[HomeVisit]:
    """Shift leaders and the director see the center's visits; a team member sees only the
    visits of the teams they belong to (home addresses and health reasons are personal data)."""
    rows = HomeVisit.objects.select_related("team").filter(center_id=home_center_id(actor))
    if has_perm(actor, Perm.HOME_VISIT_REVIEW) or has_perm(actor, Perm.HOME_VISIT_PLAN):
        return rows
    return rows.filter(team__officers__pk=int(getattr(actor, "pk", 0) or 0)).distinct()


def teams_list(*, actor: StaffActor) -> QuerySet[MobileTeam]:
    return MobileTeam.objects.filter(center_id=home_center_id(actor)).prefetch_related("officers")


def route_of(*, actor: StaffActor, team_id: int, day: date) -> QuerySet[HomeVisit]:
    return (
        visits_visible(actor=actor)
        .filter(team_id=team_id, visit_day=day)
        .order_by("route_order", "pk")
    )


def deliveries_due(*, actor: StaffActor) -> QuerySet[HomeVisit]:
    return visits_visible(actor=actor).filter(status=HomeVisitStatus.DELIVERY_DUE)


# --- figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppointmentFigures:
    booked: int
    checked_in: int
    no_shows: int
    cancelled: int
    home_visits_requested: int
    home_visits_done: int
    deliveries_done: int
    towns_covered: int
    mean_days_request_to_visit: float | None
    mean_days_request_to_delivery: float | None


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The inclusive day range as [first midnight, midnight after the last day), local time."""
    lo = timezone.make_aware(datetime.combine(start, time(0)))
    return lo, timezone.make_aware(datetime.combine(end + timedelta(days=1), time(0)))


def _mean_days(pairs: list[tuple[datetime, datetime]]) -> float | None:
    if not pairs:
        return None
    total = sum((b - a).total_seconds() for a, b in pairs) / 86400
    return round(total / len(pairs), 1)


def period_figures(*, center_id: int, start: date, end: date) -> AppointmentFigures:
    """Counts over the inclusive day range (the center's days): bookings by their slot day,
    home visits by request, visit and delivery day."""
    bookings = Appointment.objects.filter(center_id=center_id, day__gte=start, day__lte=end)
    by_status = dict(
        bookings.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    lo, hi = _bounds(start, end)
    visits = HomeVisit.objects.filter(center_id=center_id)
    done = list(visits.filter(done_at__gte=lo, done_at__lt=hi))
    delivered = list(visits.filter(delivered_at__gte=lo, delivered_at__lt=hi))
    return AppointmentFigures(
        booked=sum(by_status.values()),
        checked_in=by_status.get(AppointmentStatus.CHECKED_IN, 0),
        no_shows=by_status.get(AppointmentStatus.NO_SHOW, 0)
        + by_status.get(AppointmentStatus.LATE, 0),
        cancelled=by_status.get(AppointmentStatus.CANCELLED, 0),
        home_visits_requested=visits.filter(requested_at__gte=lo, requested_at__lt=hi).count(),
        home_visits_done=len(done),
        deliveries_done=len(delivered),
        towns_covered=len({v.town for v in done}),
        mean_days_request_to_visit=_mean_days(
            [(v.requested_at, v.done_at) for v in done if v.done_at]
        ),
        mean_days_request_to_delivery=_mean_days(
            [(v.requested_at, v.delivered_at) for v in delivered if v.delivered_at]
        ),
    )


def figures_per_team(*, center_id: int, start: date, end: date) -> list[dict[str, Any]]:
    lo, hi = _bounds(start, end)
    out = []
    for team in MobileTeam.objects.filter(center_id=center_id):
        done = HomeVisit.objects.filter(team=team, done_at__gte=lo, done_at__lt=hi)
        out.append(
            {
                "team": team.name,
                "done": done.count(),
                "delivered": HomeVisit.objects.filter(
                    team=team, delivered_at__gte=lo, delivered_at__lt=hi
                ).count(),
                "towns": done.values("town").distinct().count(),
            }
        )
    return out


def visits_total(*, center_id: int) -> int:
    """The seed's number (先后上门服务100余人次): every visit done, all time."""
    return HomeVisit.objects.filter(center_id=center_id, done_at__isnull=False).count()


@dataclass(frozen=True)
class HomeVisitService:
    """What a rating of a home visit names, and where its SMS link goes (the contact)."""

    item_code: str
    case_number: str
    contact_phone: str


def home_visit_service(*, center_id: int, visit_id: int) -> HomeVisitService | None:
    visit = HomeVisit.objects.filter(center_id=center_id, pk=visit_id).first()
    if visit is None:
        return None
    return HomeVisitService(
        item_code=(visit.item_codes or [""])[0],
        case_number=visit.case_number,
        contact_phone=visit.contact_phone or "",
    )


def home_visit_map(*, center_id: int, start: date, end: date) -> list[dict[str, Any]]:
    """Home visits planned or done on [start, end] per town, at the town's position on the
    director's town list (x/y in km from the center): the big screen's map. Towns only —
    never a household."""
    towns = {t.get("name"): t for t in rules_get(center_id=center_id).towns or []}
    rows = (
        HomeVisit.objects.filter(center_id=center_id, visit_day__gte=start, visit_day__lte=end)
        .exclude(status__in=[HomeVisitStatus.REFUSED, HomeVisitStatus.CANCELLED])
        .values("town")
        .annotate(
            planned=Count("pk"),
            done=Count("pk", filter=Q(done_at__isnull=False)),
        )
        .order_by("town")
    )
    return [
        {
            "town": row["town"],
            "x": towns[row["town"]].get("x", 0),
            "y": towns[row["town"]].get("y", 0),
            "planned": row["planned"],
            "done": row["done"],
        }
        for row in rows
        if row["town"] in towns
    ]
