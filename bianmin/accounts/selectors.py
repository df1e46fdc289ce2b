from dataclasses import dataclass
from datetime import date, time
from typing import Any, Protocol

import chinese_calendar
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models import QuerySet

from bianmin.accounts.models import (
    Authorization,
    Center,
    CenterDayHours,
    CenterWeekday,
    HoursFields,
    Staff,
)
from bianmin.core.actors import StaffActor
from bianmin.core.caching import Generation, KeptHere
from bianmin.core.permissions import Role
from bianmin.core.workdays import is_workday, statutory_holidays


class CenterScoped(Protocol):
    """Whoever asks: a staff actor, or any object naming the center to look in."""

    @property
    def center_id(self) -> int | None: ...


def staff_may_serve(*, staff: StaffActor, item_id: int) -> bool:
    """交叉授权: all-round officers serve every item; others the items they are authorized for."""
    if staff.is_all_round:
        return True
    return Authorization.objects.filter(staff_id=staff.pk, item_id=item_id).exists()


def staff_item_ids(*, staff: StaffActor) -> set[int] | None:
    """The item ids an officer may serve, or None for all (all-round)."""
    if staff.is_all_round:
        return None
    return set(Authorization.objects.filter(staff_id=staff.pk).values_list("item_id", flat=True))


def staff_list(*, user: CenterScoped | AnonymousUser, role: Role | None = None) -> QuerySet[Staff]:
    """The staff `user` may see: their own center's, or every center's for a province-wide
    administrator (ADR 0006). An account without a center sees nobody."""
    qs = Staff.objects.select_related("center").filter(is_active=True)
    if not getattr(user, "is_province_wide", False):
        center_id = getattr(user, "center_id", None)
        qs = qs.filter(center_id=center_id) if center_id else qs.none()
    if role is not None:
        qs = qs.filter(role=role)
    return qs.order_by("username")


def staff_of_center(*, center_id: int, role: Role | None = None) -> QuerySet[Staff]:
    """The active staff of one center (for system work: demo data, rosters)."""
    qs = Staff.objects.select_related("center").filter(is_active=True, center_id=center_id)
    return (qs.filter(role=role) if role is not None else qs).order_by("username")


def center_get(*, code: str) -> Center | None:
    return Center.objects.filter(code=code).first()


def center_list_active() -> QuerySet[Center]:
    """Every active center (system tasks that run per center)."""
    return Center.objects.filter(is_active=True).order_by("pk")


def center_ids_active() -> list[int]:
    """Every active center, for jobs that run once per center (the morning briefing)."""
    return list(Center.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))


def center_name(*, center_id: int) -> str:
    return Center.objects.filter(pk=center_id).values_list("name", flat=True).first() or ""


def center_default() -> Center | None:
    return Center.objects.filter(is_active=True).order_by("pk").first()


@dataclass(frozen=True)
class DayHours:
    """A center's service hours on one day; the lunch break, when set, is closed."""

    opens_at: time
    closes_at: time
    lunch_from: time | None = None
    lunch_to: time | None = None

    def is_open_at(self, moment: time) -> bool:
        if not self.opens_at <= moment < self.closes_at:
            return False
        if self.lunch_from and self.lunch_to:
            return not self.lunch_from <= moment < self.lunch_to
        return True


HOURS_CACHE_SECONDS = 600
_HOURS_GENERATION = Generation("accounts:hours:gen", read_together=True)
# A key names one center's hours on one day under one generation for good: kept in the process
# too (DayHours is frozen), so an issue reads the generation and nothing more.
_HOURS_HERE: KeptHere[tuple[DayHours | None]] = KeptHere(max_entries=4096)


def center_hours_forget() -> None:
    """Every center's cached hours are stale: a center, its week, a dated exception or the
    working-day calendar changed."""
    _HOURS_GENERATION.bump()


def center_hours(*, center_id: int, day: date) -> DayHours | None:
    """The hours the center serves on `day`, cached per center and day (every ticket issue
    asks; five queries otherwise) until any hours or calendar row changes."""
    generation = _HOURS_GENERATION.current()
    key = f"accounts:hours:{generation}:{center_id}:{day.isoformat()}"
    cached = _HOURS_HERE.get(key)
    if cached is not None:
        return cached[0]
    hours = _center_hours(center_id=center_id, day=day)
    cache.set(key, (hours,), HOURS_CACHE_SECONDS)
    _HOURS_HERE.keep(key, (hours,))
    return hours


def _center_hours(*, center_id: int, day: date) -> DayHours | None:
    """The hours the center serves on `day` (its own calendar), or None when closed all day.

    The one source for ticket issuing, notices and the hall screens. In order:
    1. a date the director set (`CenterDayHours`: a holiday opening, a closure);
    2. statutory holidays and other non-working days of `core.workdays` are closed, except an
       ordinary weekend, which follows the week (a center may open on Saturday mornings);
    3. the director's week (`CenterWeekday`); a make-up working Saturday or Sunday (调休)
       takes the first open weekday's hours;
    4. a center without a week set serves Monday to Friday on its plain opening hours.
    """
    override = CenterDayHours.objects.filter(center_id=center_id, day=day).first()
    if override is not None:
        return _day_hours(override)
    center = Center.objects.filter(pk=center_id).only("opens_at", "closes_at").first()
    if center is None:
        return None
    week = {row.weekday: row for row in CenterWeekday.objects.filter(center_id=center_id)}
    working = is_workday(day)
    if not working and (day.weekday() < 5 or _is_festival(day)):
        return None
    if not week:
        if not working:
            return None
        return DayHours(opens_at=_as_time(center.opens_at), closes_at=_as_time(center.closes_at))
    row = week.get(day.weekday())
    if working and day.weekday() >= 5:
        row = next((week[d] for d in range(5) if d in week and week[d].is_open), row)
    return _day_hours(row) if row is not None else None


def center_week(*, center_id: int) -> dict[int, CenterWeekday]:
    return {row.weekday: row for row in CenterWeekday.objects.filter(center_id=center_id)}


def center_day_hours_list(*, center_id: int, since: date) -> QuerySet[CenterDayHours]:
    return CenterDayHours.objects.filter(center_id=center_id, day__gte=since).order_by("day")


def _day_hours(row: HoursFields) -> DayHours | None:
    if not row.is_open or row.opens_at is None or row.closes_at is None:
        return None
    return DayHours(
        opens_at=_as_time(row.opens_at),
        closes_at=_as_time(row.closes_at),
        lunch_from=_as_time(row.lunch_from) if row.lunch_from else None,
        lunch_to=_as_time(row.lunch_to) if row.lunch_to else None,
    )


def _is_festival(day: date) -> bool:
    """A day off that belongs to a statutory holiday (not an ordinary weekend)."""
    try:
        _on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return day in statutory_holidays(day.year)
    return name is not None


def _as_time(value: Any) -> time:
    if isinstance(value, str):
        hours, minutes = value.split(":")[:2]
        return time(int(hours), int(minutes))
    return value


def center_sms_signature(*, center_id: int) -> str | None:
    """The center's SMS signature ("" when unset), or None when there is no such center."""
    return Center.objects.filter(pk=center_id).values_list("sms_signature", flat=True).first()


def center_sms_signatures() -> list[str]:
    """The SMS signatures set by active centers (templates are checked against the longest)."""
    return list(
        Center.objects.filter(is_active=True)
        .exclude(sms_signature="")
        .values_list("sms_signature", flat=True)
    )
