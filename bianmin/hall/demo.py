"""Demo data of the hall: thirty past working days of ticket life, consistent with "today".

Every past day ends well before midnight (the center's day, Asia/Shanghai): arrivals stop at
17:00, the volume stays within what the staffed windows can serve, and a ticket that could not
be called by 18:00 is left out, so the first morning's board and display start from zero.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from bianmin.accounts.selectors import staff_list
from bianmin.catalogue.enums import CATEGORY_PREFIX, Category
from bianmin.catalogue.selectors import item_list
from bianmin.core import clock
from bianmin.core.permissions import Role
from bianmin.core.workdays import is_workday
from bianmin.hall.enums import EventKind, IssueChannel, Priority, TicketStatus
from bianmin.hall.models import Ticket, TicketCounter, TicketEvent, TicketItem, Window

# Nothing of a demo day happens after this local time (calls, finishes, sign-outs).
DAY_END = time(18, 0)

# Relative arrival intensity per hour of a working day (peaks mid-morning, dip at lunch).
_HOURLY_SHAPE = {
    8: 0.6,
    9: 1.6,
    10: 2.0,
    11: 1.4,
    12: 0.5,
    13: 0.4,
    14: 1.1,
    15: 1.2,
    16: 0.9,
}


def hall_demo_history(*, center: Any, rng: random.Random, days: int = 30) -> int:
    """Thirty past working days of realistic ticket life (issue → call → finish, some
    no-shows and transfers), written with bulk_create; returns the number of tickets."""
    items = [(i.pk, i.category, i.average_service_minutes) for i in item_list()]
    if not items:
        return 0
    weights = [
        3.0 if cat in (Category.HOUSEHOLD, Category.TRAFFIC) else 1.0 for _pk, cat, _m in items
    ]
    windows = list(Window.objects.filter(center=center, is_active=True).order_by("code"))
    officers = [s for s in staff_list(user=_CenterScope(center.pk)) if s.role == Role.OFFICER]
    if not windows or not officers:
        return 0
    today = clock.today()
    tz = clock.local(clock.now()).tzinfo
    total = 0
    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        if not is_workday(day):
            continue
        total += _demo_day(
            center_id=center.pk,
            day=day,
            tz=tz,
            rng=rng,
            items=items,
            weights=weights,
            windows=windows,
            officers=officers,
        )
    return total


class _CenterScope:
    def __init__(self, center_id: int) -> None:
        self.center_id = center_id


def _demo_day(
    *,
    center_id: int,
    day: date,
    tz: Any,
    rng: random.Random,
    items: list[tuple[int, str, int]],
    weights: list[float],
    windows: list[Window],
    officers: list[Any],
) -> int:
    staffed = windows[: min(len(windows), len(officers))]
    mean_minutes = sum(m for _pk, _cat, m in items) / len(items)
    # What the staffed windows serve in a day (8.5 h), kept below full so queues stay short.
    capacity = int(len(staffed) * 510 / max(mean_minutes, 1) * 0.8)
    volume = rng.randint(min(200, capacity), max(capacity, 1))
    scale = volume / sum(_HOURLY_SHAPE.values())
    arrivals: list[datetime] = []
    for hour, shape in _HOURLY_SHAPE.items():
        for _n in range(round(shape * scale)):
            arrivals.append(
                datetime.combine(day, time(hour, 0), tzinfo=tz)
                + timedelta(seconds=rng.uniform(0, 3600))
            )
    arrivals.sort()
    day_end = datetime.combine(day, DAY_END, tzinfo=tz)
    free_at = {w.pk: datetime.combine(day, time(8, 30), tzinfo=tz) for w in staffed}
    officer_of = {w.pk: officers[i] for i, w in enumerate(staffed)}
    counters: dict[str, int] = {}
    tickets: list[Ticket] = []
    links: list[TicketItem] = []
    events: list[TicketEvent] = []
    for w in staffed:
        events.append(
            TicketEvent(
                center_id=center_id,
                kind=EventKind.SIGN_IN,
                at=free_at[w.pk],
                officer=officer_of[w.pk],
                window=w,
            )
        )
    for arrived in arrivals:
        window = min(staffed, key=lambda w: free_at[w.pk])
        called = max(arrived, free_at[window.pk]) + timedelta(seconds=rng.uniform(5, 40))
        if called >= day_end:
            break  # the hall closes; later arrivals were sent home by the guide desk
        item_id, category, minutes = rng.choices(items, weights=weights)[0]
        prefix = CATEGORY_PREFIX[Category(category)]
        counters[prefix] = counters.get(prefix, 0) + 1
        priority = Priority.ELDERLY if rng.random() < 0.08 else Priority.NORMAL
        officer = officer_of[window.pk]
        ticket = Ticket(
            center_id=center_id,
            service_day=day,
            prefix=prefix,
            seq=counters[prefix],
            number=f"{prefix}{counters[prefix]:03d}",
            item_id=item_id,
            priority=priority,
            priority_weight=20 if priority != Priority.NORMAL else 0,
            channel=rng.choice(
                [IssueChannel.KIOSK, IssueChannel.KIOSK, IssueChannel.GUIDE, IssueChannel.PHONE]
            ),
            arrived_at=arrived,
            queue_at=arrived,
            called_at=called,
            officer=officer,
            window=window,
        )
        events.append(
            TicketEvent(
                center_id=center_id,
                ticket=ticket,
                kind=EventKind.ISSUE,
                at=arrived,
                item_id=item_id,
            )
        )
        events.append(
            TicketEvent(
                center_id=center_id,
                ticket=ticket,
                kind=EventKind.CALL,
                at=called,
                officer=officer,
                window=window,
                item_id=item_id,
                wait_seconds=int((called - arrived).total_seconds()),
            )
        )
        service: float | None = None
        if rng.random() < 0.03:
            done = called + timedelta(seconds=rng.uniform(60, 120))
            ticket.status, kind = TicketStatus.NO_SHOW, EventKind.NO_SHOW
        else:
            service = max(60.0, rng.gauss(minutes * 60, minutes * 20))
            done = called + timedelta(seconds=service)
            ticket.status, kind = TicketStatus.FINISHED, EventKind.FINISH
        events.append(
            TicketEvent(
                center_id=center_id,
                ticket=ticket,
                kind=kind,
                at=done,
                officer=officer,
                window=window,
                item_id=item_id,
                service_seconds=int(service) if service is not None else None,
            )
        )
        ticket.finished_at = done
        free_at[window.pk] = done
        tickets.append(ticket)
        links.append(TicketItem(ticket=ticket, item_id=item_id, position=0))
    end = max([*free_at.values(), datetime.combine(day, time(17, 30), tzinfo=tz)])
    for w in staffed:
        events.append(
            TicketEvent(
                center_id=center_id,
                kind=EventKind.SIGN_OUT,
                at=end,
                officer=officer_of[w.pk],
                window=w,
            )
        )
    Ticket.objects.bulk_create(tickets, batch_size=500)
    TicketItem.objects.bulk_create(links, batch_size=1000)
    TicketEvent.objects.bulk_create(events, batch_size=1000)
    counters_rows = [
        TicketCounter(center_id=center_id, service_day=day, prefix=p, last=n)
        for p, n in counters.items()
    ]
    TicketCounter.objects.bulk_create(counters_rows)
    return len(tickets)


def hall_demo_windows(*, center: Any, count: int = 12) -> list[Window]:
    """The demo hall's windows W01…W12 (1号窗口…)."""
    return Window.objects.bulk_create(
        Window(center=center, code=f"W{i:02d}", name=f"{i}号窗口") for i in range(1, count + 1)
    )
