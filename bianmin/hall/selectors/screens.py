"""The calling display and the hall board."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Min

from bianmin.accounts.selectors import staff_list
from bianmin.catalogue.enums import CATEGORY_PREFIX, Category
from bianmin.core import clock
from bianmin.hall.enums import EventKind, Priority, TicketStatus
from bianmin.hall.models import Ticket, TicketEvent, WindowSession
from bianmin.hall.selectors.hall_settings import hall_settings_get
from bianmin.hall.selectors.workspace import windows_of

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
