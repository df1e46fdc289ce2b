"""Reads of the hall: the pool order, positions and wait estimates, the display and the board.

Everything is scoped by center; KPIs are derived from `TicketEvent` only.
"""

from __future__ import annotations

import math
import secrets
import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Min, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.accounts.selectors import DayHours, center_hours, staff_list
from bianmin.catalogue.enums import CATEGORY_PREFIX, Category
from bianmin.core import clock
from bianmin.hall.enums import EventKind, IssueChannel, Priority, TicketStatus
from bianmin.hall.models import (
    GuideCall,
    HallSettings,
    Ticket,
    TicketEvent,
    Window,
    WindowSession,
)

# Rank given to tickets over the waiting limit: above every priority class.
OVERDUE_RANK = 10_000
# Service time assumed for an item before the hall has served it today (minutes).
DEFAULT_SERVICE_MINUTES = 8.0


@dataclass(frozen=True)
class TicketSummary:
    id: str
    number: str
    center_id: int
    item_codes: list[str]
    status: str
    officer_id: int | None
    window_code: str | None
    priority: str
    issued_at: datetime


def ticket_summary(*, ticket_id: str, center_id: int) -> TicketSummary | None:
    """What other contexts (cases) need to know about a ticket of this center; None for an
    unknown id and for another center's ticket (they look the same)."""
    ticket = (
        Ticket.objects.select_related("window")
        .filter(pk=str(ticket_id)[:24], center_id=center_id)
        .first()
    )
    if ticket is None:
        return None
    codes = list(ticket.items.order_by("position").values_list("item__code", flat=True))
    return TicketSummary(
        id=ticket.pk,
        number=ticket.number,
        center_id=ticket.center_id,
        item_codes=codes,
        status=ticket.status,
        officer_id=ticket.officer_id,
        window_code=ticket.window.code if ticket.window else None,
        priority=ticket.priority,
        issued_at=ticket.arrived_at,
    )


# --- hours -----------------------------------------------------------------------------------


def hours_text(hours: DayHours | None) -> str:
    """08:30–12:00、14:00–17:30 (the lunch break left out), or 今日不办公."""
    if hours is None:
        return _("今日不办公")
    fmt = "%H:%M"
    if hours.lunch_from and hours.lunch_to:
        return f"{hours.opens_at.strftime(fmt)}–{hours.lunch_from.strftime(fmt)}、{hours.lunch_to.strftime(fmt)}–{hours.closes_at.strftime(fmt)}"
    return f"{hours.opens_at.strftime(fmt)}–{hours.closes_at.strftime(fmt)}"


def hall_hours_today(*, center_id: int) -> str:
    """Today's hours of the center as the kiosk, phone page and display show them."""
    return hours_text(center_hours(center_id=center_id, day=clock.today()))


# --- settings --------------------------------------------------------------------------------


SETTINGS_CACHE_SECONDS = 300


def _settings_key(center_id: int) -> str:
    return f"hall:settings:{center_id}"


def hall_settings_get(*, center_id: int) -> HallSettings:
    """The hall's settings, or the defaults (unsaved) when the director has set none.

    Read on every issue, call and position read, changed a few times a year: kept in the cache
    (shared by every worker with Redis) and forgotten whenever a row is saved or deleted
    (`hall_settings_forget`, connected in apps.ready)."""
    key = _settings_key(center_id)
    found = cache.get(key)
    if found is None:
        found = HallSettings.objects.filter(center_id=center_id).first()
        found = found if found is not None else HallSettings(center_id=center_id)
        cache.set(key, found, SETTINGS_CACHE_SECONDS)
    return found


def hall_settings_forget(*, center_id: int) -> None:
    """Drop the cached settings now and again when the changing transaction commits (a reader
    between the two could otherwise cache the row as it was before the commit)."""
    key = _settings_key(center_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
    hall_changed(center_id=center_id)  # the waiting limit and weights order the line


# --- the pool --------------------------------------------------------------------------------


def pool_ordered(
    *,
    center_id: int,
    now: datetime,
    settings: HallSettings,
    officer_id: int | None = None,
    item_ids: set[int] | None = None,
) -> QuerySet[Ticket]:
    """Today's waiting tickets in calling order.

    The rule: tickets transferred to this officer first; then anyone who has waited longer
    than the limit (longest first, whatever their class); then priority classes by weight;
    then the longest wait. With `officer_id`, only tickets this officer may take (items they
    are authorized for, not transferred to someone else).
    """
    limit_at = now - timedelta(minutes=settings.wait_limit_minutes)
    qs = Ticket.objects.filter(
        center_id=center_id, status=TicketStatus.WAITING, service_day=clock.local(now).date()
    )
    if officer_id is not None:
        qs = qs.filter(Q(target_officer__isnull=True) | Q(target_officer_id=officer_id))
        mine: Any = Case(
            When(target_officer_id=officer_id, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    else:
        mine = Value(0, output_field=IntegerField())
    if item_ids is not None:
        qs = qs.filter(item_id__in=item_ids)
    return qs.annotate(
        mine=mine,
        rank=Case(
            When(queue_at__lte=limit_at, then=Value(OVERDUE_RANK)),
            default="priority_weight",
            output_field=IntegerField(),
        ),
    ).order_by("-mine", "-rank", "queue_at", "seq")


def _ahead_filter(ticket: Ticket, *, now: datetime, settings: HallSettings) -> Q:
    """Waiting tickets that the calling rule puts before `ticket` (for the pooled hall)."""
    limit_at = now - timedelta(minutes=settings.wait_limit_minutes)
    earlier = Q(queue_at__lt=ticket.queue_at) | Q(queue_at=ticket.queue_at, seq__lt=ticket.seq)
    overdue = Q(queue_at__lte=limit_at)
    if ticket.queue_at <= limit_at:
        return overdue & earlier
    return (
        overdue
        | Q(priority_weight__gt=ticket.priority_weight)
        | (Q(priority_weight=ticket.priority_weight) & earlier)
    )


def ticket_people_ahead(
    ticket: Ticket, *, now: datetime | None = None, settings: HallSettings | None = None
) -> int | None:
    """How many people the rule calls before this ticket; None when it is not waiting today."""
    now = now or clock.now()
    if ticket.status != TicketStatus.WAITING or ticket.service_day != clock.local(now).date():
        return None
    settings = settings or hall_settings_get(center_id=ticket.center_id)
    base = Ticket.objects.filter(
        center_id=ticket.center_id,
        status=TicketStatus.WAITING,
        service_day=ticket.service_day,
    ).exclude(pk=ticket.pk)
    if ticket.target_officer_id is None:
        base = base.filter(target_officer__isnull=True)
    return base.filter(_ahead_filter(ticket, now=now, settings=settings)).count()


# --- wait estimates --------------------------------------------------------------------------


def service_minutes_by_item(
    *, center_id: int, now: datetime | None = None, window_hours: int = 3, min_samples: int = 3
) -> dict[int, float]:
    """Median service time per item over recent finish events (cached for a minute).

    Items with fewer than `min_samples` recent services fall back to the last 14 days.
    """
    now = now or clock.now()
    key = f"hall:svc:{center_id}:{int(now.timestamp()) // 60}"
    cached = cache.get(key)
    if cached is not None:
        return dict(cached)
    result: dict[int, float] = {}
    for since in (now - timedelta(hours=window_hours), now - timedelta(days=14)):
        rows = (
            TicketEvent.objects.filter(
                center_id=center_id,
                kind=EventKind.FINISH,
                at__gte=since,
                at__lte=now,
                service_seconds__isnull=False,
            )
            .exclude(item_id__in=list(result))
            .order_by("-at")
            .values_list("item_id", "service_seconds")[:3000]
        )
        samples: dict[int, list[int]] = {}
        for item_id, seconds in rows:
            samples.setdefault(item_id, []).append(int(seconds or 0))
        for item_id, values in samples.items():
            if item_id not in result and len(values) >= min_samples:
                result[item_id] = statistics.median(values) / 60
    cache.set(key, result, 90)
    return result


def open_window_count(*, center_id: int) -> int:
    return WindowSession.objects.filter(
        center_id=center_id, ended_at__isnull=True, paused_at__isnull=True
    ).count()


def estimate_wait_minutes(
    ticket: Ticket,
    *,
    ahead: int | None,
    now: datetime | None = None,
    settings: HallSettings | None = None,
) -> int | None:
    """People ahead × their items' recent median service time, shared by the open windows."""
    if ahead is None:
        return None
    if ahead == 0:
        return 0
    now = now or clock.now()
    settings = settings or hall_settings_get(center_id=ticket.center_id)
    medians = service_minutes_by_item(center_id=ticket.center_id, now=now)
    fallback = statistics.median(medians.values()) if medians else DEFAULT_SERVICE_MINUTES
    ahead_items = (
        Ticket.objects.filter(
            center_id=ticket.center_id, status=TicketStatus.WAITING, service_day=ticket.service_day
        )
        .exclude(pk=ticket.pk)
        .filter(_ahead_filter(ticket, now=now, settings=settings))
        .values("item_id")
        .annotate(n=Count("pk"))
    )
    work = sum(row["n"] * medians.get(row["item_id"], fallback) for row in ahead_items)
    windows = max(open_window_count(center_id=ticket.center_id), 1)
    return max(1, round(work / windows))


def ticket_get(*, ticket_id: str) -> Ticket | None:
    return (
        Ticket.objects.select_related("item", "window", "center")
        .filter(pk=str(ticket_id)[:24])
        .first()
    )


def _ahead_and_estimate(
    ticket: Ticket, *, now: datetime, settings: HallSettings
) -> tuple[int | None, int | None]:
    """`ticket_people_ahead` and `estimate_wait_minutes` from ONE grouped query: the waiting
    tickets ahead counted per item and per "transferred to a named officer" (the position
    leaves those out for a pooled ticket; the estimate counts everyone's work)."""
    if ticket.status != TicketStatus.WAITING or ticket.service_day != clock.local(now).date():
        return None, None
    rows = (
        Ticket.objects.filter(
            center_id=ticket.center_id, status=TicketStatus.WAITING, service_day=ticket.service_day
        )
        .exclude(pk=ticket.pk)
        .filter(_ahead_filter(ticket, now=now, settings=settings))
        .values_list("item_id", "target_officer_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counted = [(item_id, targeted is not None, n) for item_id, targeted, n in rows]
    pooled = ticket.target_officer_id is None
    ahead = sum(n for _item, targeted, n in counted if not (pooled and targeted))
    if ahead == 0:
        return 0, 0
    medians = service_minutes_by_item(center_id=ticket.center_id, now=now)
    fallback = statistics.median(medians.values()) if medians else DEFAULT_SERVICE_MINUTES
    work = sum(n * medians.get(item_id, fallback) for item_id, _targeted, n in counted)
    windows = max(open_window_count(center_id=ticket.center_id), 1)
    return ahead, max(1, round(work / windows))


# --- the center's line, computed once per change ---------------------------------------------
#
# Every waiting phone polls its position; with 100 people waiting that is 20 reads a second per
# center, and each read counted the people ahead with its own query. The whole line is now
# computed once (one query for all waiting tickets) and kept in the cache under the center's
# version, which every change of a ticket, window or setting bumps (`hall_changed`): a read is a
# cache look-up, a change costs one recomputation per center, not one per client.

_VERSION = "hall:ver:{}"
POSITIONS_SECONDS = 120


def hall_changed(*, center_id: int) -> None:
    """The center's line changed: bump its version now and again when the change commits (a
    reader between the two would otherwise keep the line as it was before the commit)."""
    key = _VERSION.format(center_id)

    def bump() -> None:
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, secrets.randbits(62), None)

    bump()
    transaction.on_commit(bump)


def _center_version(center_id: int) -> int:
    # A fresh random start after an eviction, so no older line can be taken for the new one.
    version = cache.get_or_set(_VERSION.format(center_id), secrets.randbits(62), None)
    return int(version or 0)


@dataclass(frozen=True)
class _Line:
    spots: dict[str, tuple[int, int]]  # ticket id -> (people ahead, estimated minutes)
    valid_until: datetime  # the next moment a waiting ticket passes the waiting limit


def _line_compute(*, center_id: int, day: date, now: datetime, settings: HallSettings) -> _Line:
    """People ahead and wait estimate of every waiting ticket, by the rule of `_ahead_filter`:
    a ticket is ahead when its key (overdue first, then weight, then queue time, then number)
    is strictly smaller; a pooled ticket does not count tickets transferred to a named officer,
    the estimate counts everyone's work."""
    limit = timedelta(minutes=settings.wait_limit_minutes)
    limit_at = now - limit
    rows = list(
        Ticket.objects.filter(center_id=center_id, status=TicketStatus.WAITING, service_day=day)
        .values_list("pk", "item_id", "target_officer_id", "priority_weight", "queue_at", "seq")
        .order_by()
    )
    medians = service_minutes_by_item(center_id=center_id, now=now) if rows else {}
    fallback = statistics.median(medians.values()) if medians else DEFAULT_SERVICE_MINUTES
    windows = max(open_window_count(center_id=center_id), 1) if rows else 1

    def key(row: tuple[Any, ...]) -> tuple[int, datetime, int]:
        rank = OVERDUE_RANK if row[4] <= limit_at else row[3]
        return (-rank, row[4], row[5])

    rows.sort(key=key)
    spots: dict[str, tuple[int, int]] = {}
    before_all = before_pooled = 0
    work = 0.0
    i = 0
    while i < len(rows):
        j, group_key = i, key(rows[i])
        while j < len(rows) and key(rows[j]) == group_key:  # equal keys: none ahead of another
            j += 1
        for pk, _item, target, *_rest in rows[i:j]:
            ahead = before_pooled if target is None else before_all
            spots[pk] = (ahead, 0 if ahead == 0 else max(1, round(work / windows)))
        for _pk, item_id, target, *_rest in rows[i:j]:
            before_all += 1
            before_pooled += target is None
            work += medians.get(item_id, fallback)
        i = j
    later = [row[4] + limit for row in rows if row[4] > limit_at]
    valid_until = min(later) if later else now + timedelta(days=1)
    return _Line(spots=spots, valid_until=valid_until)


def _line(
    *, center_id: int, day: date, now: datetime, settings: HallSettings, compute: bool
) -> _Line | None:
    """The center's line as of now: cached, else computed and kept (`compute`), else None."""
    minute = int(now.timestamp()) // 60  # the service-time medians move per minute
    key = f"hall:line:{center_id}:{_center_version(center_id)}:{day.isoformat()}:{minute}"
    line = cache.get(key)
    if line is not None and now < line.valid_until:
        return line  # type: ignore[no-any-return]
    if not compute:
        return None
    line = _line_compute(center_id=center_id, day=day, now=now, settings=settings)
    cache.set(key, line, POSITIONS_SECONDS)
    return line


def ticket_public_get(*, ticket_id: str) -> Ticket | None:
    """The ticket alone (no joins): all that its public state needs."""
    return Ticket.objects.filter(pk=str(ticket_id)[:24]).first()


def ticket_state(
    ticket: Ticket, *, now: datetime | None = None, shared_line: bool = True
) -> dict[str, Any]:
    """The public shape of a ticket (API and live position page).

    Reads (`shared_line`, the default) take the center's cached line and compute it when it is
    missing; a write's own answer (the ticket just issued, which has changed the line) asks
    one grouped query instead of recomputing the whole line for nobody else yet."""
    now = now or clock.now()
    settings = hall_settings_get(center_id=ticket.center_id)
    ahead: int | None = None
    estimate: int | None = None
    if ticket.status == TicketStatus.WAITING and ticket.service_day == clock.local(now).date():
        line = _line(
            center_id=ticket.center_id,
            day=ticket.service_day,
            now=now,
            settings=settings,
            compute=shared_line,
        )
        spot = line.spots.get(ticket.pk) if line is not None else None
        if spot is None:  # no line, or a ticket committed after the line was made
            ahead, estimate = _ahead_and_estimate(ticket, now=now, settings=settings)
        else:
            ahead, estimate = spot
    expired = ticket.service_day < clock.local(now).date() and ticket.status in (
        TicketStatus.WAITING,
        TicketStatus.PARKED,
        TicketStatus.CALLED,
    )
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "status": "expired" if expired else ticket.status,
        "position": ahead,
        "estimated_wait_minutes": estimate,
    }


# --- the officer's workspace -----------------------------------------------------------------


def session_current(*, officer_id: int, center_id: int | None = None) -> WindowSession | None:
    """The officer's open window session (in `center_id`, the actor's center, when given)."""
    qs = WindowSession.objects.select_related("window").filter(
        officer_id=officer_id, ended_at__isnull=True
    )
    if center_id is not None:
        qs = qs.filter(center_id=center_id)
    return qs.first()


def ticket_current_for(*, officer_id: int, center_id: int) -> Ticket | None:
    return (
        Ticket.objects.select_related("item", "window")
        .filter(officer_id=officer_id, center_id=center_id, status=TicketStatus.CALLED)
        .order_by("-called_at")
        .first()
    )


def tickets_parked_by(*, officer_id: int, center_id: int) -> QuerySet[Ticket]:
    return (
        Ticket.objects.select_related("item")
        .filter(
            center_id=center_id,
            officer_id=officer_id,
            status=TicketStatus.PARKED,
            service_day=clock.today(),
        )
        .order_by("arrived_at")
    )


def tickets_priority_pending(*, center_id: int) -> QuerySet[Ticket]:
    """Today's waiting tickets whose self-declared priority the guide desk has not yet decided."""
    return (
        Ticket.objects.select_related("item")
        .filter(
            center_id=center_id,
            status=TicketStatus.WAITING,
            service_day=clock.today(),
        )
        .exclude(priority_claim="")
        .order_by("arrived_at")
    )


def sessions_open(*, center_id: int) -> list[WindowSession]:
    """The center's open window sessions with their officers (who sits where)."""
    return list(
        WindowSession.objects.select_related("officer").filter(
            center_id=center_id, ended_at__isnull=True
        )
    )


def tickets_issued_at_guide_today(*, center_id: int, limit: int = 10) -> list[Ticket]:
    """本台今日取号: the guide desk's latest tickets of today."""
    return list(
        Ticket.objects.select_related("item")
        .filter(center_id=center_id, service_day=clock.today(), channel=IssueChannel.GUIDE)
        .order_by("-arrived_at")[:limit]
    )


def windows_of(*, center_id: int) -> QuerySet[Window]:
    return Window.objects.filter(center_id=center_id, is_active=True).order_by("code")


def waiting_count_for(*, center_id: int, officer_id: int, item_ids: set[int] | None) -> int:
    now = clock.now()
    return pool_ordered(
        center_id=center_id,
        now=now,
        settings=hall_settings_get(center_id=center_id),
        officer_id=officer_id,
        item_ids=item_ids,
    ).count()


# --- the calling display ---------------------------------------------------------------------


def announcement_text(*, number: str, window_number: int) -> str:
    """请 A 0 1 2 号 到 3 号窗口办理: letter and digits read one by one."""
    spaced = " ".join(number)
    return f"请 {spaced} 号 到 {window_number} 号窗口办理"


def call_was_made(*, number: str, window_number: int) -> bool:
    """Whether a ticket with this number was called (or recalled) today at a window with this
    number: the only announcements the voice endpoint speaks."""
    start = clock.local(clock.now()).replace(hour=0, minute=0, second=0, microsecond=0)
    calls = TicketEvent.objects.filter(
        kind__in=[EventKind.CALL, EventKind.RECALL], at__gte=start, ticket__number=number
    ).select_related("window")[:50]
    return any(e.window is not None and e.window.number == window_number for e in calls)


def display_state(*, center_id: int, recent: int = 8) -> dict[str, Any]:
    """Current call per window and the latest calls, for the hall TV."""
    today = clock.today()
    current = {
        t.window_id: t
        for t in Ticket.objects.select_related("window").filter(
            center_id=center_id, status=TicketStatus.CALLED, service_day=today
        )
    }
    sessions = {
        s.window_id: s
        for s in WindowSession.objects.filter(center_id=center_id, ended_at__isnull=True)
    }
    windows = []
    for window in windows_of(center_id=center_id):
        ticket = current.get(window.pk)
        session = sessions.get(window.pk)
        windows.append(
            {
                "code": window.code,
                "name": window.name,
                "number": window.number,
                "ticket": ticket.number if ticket else None,
                "state": (
                    "closed" if session is None else "paused" if session.is_paused else "open"
                ),
            }
        )
    start = clock.local(clock.now()).replace(hour=0, minute=0, second=0, microsecond=0)
    calls = (
        TicketEvent.objects.filter(
            center_id=center_id, kind__in=[EventKind.CALL, EventKind.RECALL], at__gte=start
        )
        .select_related("ticket", "window")
        .order_by("-at", "-pk")[:recent]
    )
    waiting = Ticket.objects.filter(
        center_id=center_id, status=TicketStatus.WAITING, service_day=today
    ).count()
    return {
        "waiting": waiting,
        "windows": windows,
        "recent": [
            {
                "number": e.ticket.number if e.ticket else "",
                "window_code": e.window.code if e.window else "",
                "window_number": e.window.number if e.window else 0,
                "at": clock.local(e.at).strftime("%H:%M"),
            }
            for e in calls
        ],
    }


# --- the hall board --------------------------------------------------------------------------


def hall_board(*, center_id: int, now: datetime | None = None) -> dict[str, Any]:
    """Live figures for the shift leader, all derived from tickets waiting now and events."""
    now = now or clock.now()
    settings = hall_settings_get(center_id=center_id)
    today = clock.local(now).date()
    waiting = Ticket.objects.filter(
        center_id=center_id, status=TicketStatus.WAITING, service_day=today
    )
    per_cat = {
        row["item__category"]: row
        for row in waiting.values("item__category").annotate(
            n=Count("pk"), oldest=Min("arrived_at")
        )
    }
    categories = []
    for value, label in Category.choices:
        row = per_cat.get(value)
        longest = int((now - row["oldest"]).total_seconds() // 60) if row else 0
        categories.append(
            {
                "code": value,
                "label": str(label),
                "prefix": CATEGORY_PREFIX[Category(value)],
                "waiting": row["n"] if row else 0,
                "longest_minutes": longest,
            }
        )
    oldest = waiting.aggregate(m=Min("arrived_at"))["m"]
    longest_wait = int((now - oldest).total_seconds() // 60) if oldest else 0
    priority_waiting = waiting.exclude(priority=Priority.NORMAL).count()

    sessions = {
        s.window_id: s
        for s in WindowSession.objects.filter(
            center_id=center_id, ended_at__isnull=True
        ).select_related("officer")
    }
    serving = {
        t.window_id: t
        for t in Ticket.objects.filter(
            center_id=center_id, status=TicketStatus.CALLED, service_day=today
        ).select_related("item")
    }
    windows = []
    for window in windows_of(center_id=center_id):
        session = sessions.get(window.pk)
        ticket = serving.get(window.pk)
        state = (
            "closed"
            if session is None
            else "paused"
            if session.is_paused
            else ("serving" if ticket else "idle")
        )
        windows.append(
            {
                "code": window.code,
                "name": window.name,
                "state": state,
                "officer": str(session.officer) if session else "",
                "ticket": ticket.number if ticket else "",
                "item": ticket.item.name if ticket else "",
                "since_minutes": int((now - ticket.called_at).total_seconds() // 60)
                if ticket and ticket.called_at
                else None,
            }
        )
    signed_in = {s.officer_id for s in sessions.values()}
    officers = [
        {"name": str(o), "state": "signed_in" if o.pk in signed_in else "off"}
        for o in staff_list(user=_CenterUser(center_id))
        if o.role == "officer"
    ]

    start = clock.local(now).replace(hour=0, minute=0, second=0, microsecond=0)
    events = TicketEvent.objects.filter(
        center_id=center_id, at__gte=start, at__lte=now, ticket__service_day=today
    )
    counts = dict(events.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    kpis = today_kpis(center_id=center_id, start=start, end=now)
    return {
        "now": clock.local(now).strftime("%H:%M:%S"),
        "period": "{} 00:00–{}".format(
            today.strftime("%m月%d日"), clock.local(now).strftime("%H:%M")
        ),
        "total_waiting": sum(c["waiting"] for c in categories),
        "priority_waiting": priority_waiting,
        "longest_wait_minutes": longest_wait,
        "alert": longest_wait >= settings.alert_wait_minutes,
        "alert_minutes": settings.alert_wait_minutes,
        "categories": categories,
        "windows": windows,
        "windows_open": sum(1 for w in windows if w["state"] in ("idle", "serving")),
        "windows_paused": sum(1 for w in windows if w["state"] == "paused"),
        "officers": officers,
        "issued": counts.get(EventKind.ISSUE, 0),
        "finished": counts.get(EventKind.FINISH, 0),
        "no_show": counts.get(EventKind.NO_SHOW, 0),
        **kpis,
    }


@dataclass(frozen=True)
class _CenterUser:
    """Scope for `staff_list`: the officers of one center."""

    center_id: int


def today_kpis(*, center_id: int, start: datetime, end: datetime) -> dict[str, Any]:
    """Average and longest wait (first call per ticket) and average service time, from the
    events of tickets issued in the period (a ticket of another day never counts)."""
    events = TicketEvent.objects.filter(
        center_id=center_id,
        at__gte=start,
        at__lte=end,
        ticket__service_day__gte=clock.local(start).date(),
        ticket__service_day__lte=clock.local(end).date(),
    )
    waits: dict[str, int] = {}
    wait_rows: Any = (
        events.filter(kind=EventKind.CALL, wait_seconds__isnull=False)
        .order_by("at")
        .values_list("ticket_id", "wait_seconds")
    )
    for ticket_id, wait in wait_rows:
        waits.setdefault(ticket_id, wait)
    services = [
        int(seconds or 0)
        for seconds in events.filter(
            kind=EventKind.FINISH, service_seconds__isnull=False
        ).values_list("service_seconds", flat=True)
    ]
    hourly: dict[int, int] = {}
    for at in events.filter(kind=EventKind.ISSUE).values_list("at", flat=True):
        hour = clock.local(at).hour
        hourly[hour] = hourly.get(hour, 0) + 1
    # 7时–18时, widened to show every hour that had arrivals (a 24-hour or holiday shift)
    hours = list(range(min([7, *hourly]), max([18, *hourly]) + 1))
    return {
        "avg_wait_minutes": round(statistics.mean(waits.values()) / 60, 1) if waits else 0,
        "max_wait_minutes": round(max(waits.values()) / 60) if waits else 0,
        "avg_service_minutes": round(statistics.mean(services) / 60, 1) if services else 0,
        "arrivals_hours": hours,
        "arrivals_by_hour": [hourly.get(h, 0) for h in hours],
    }


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
