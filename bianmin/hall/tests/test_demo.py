"""Demo history: realistic, reproducible past days written quickly, consistent with the event
rules (one issue and one call per ticket, then a finish or a no-show)."""

import random
from collections import Counter
from datetime import datetime
from datetime import time as dtime
from zoneinfo import ZoneInfo

import pytest

from bianmin.core.permissions import Role
from bianmin.hall.demo import hall_demo_history
from bianmin.hall.enums import EventKind
from bianmin.hall.models import Ticket, TicketEvent
from bianmin.hall.selectors import service_minutes_by_item, today_kpis

pytestmark = pytest.mark.django_db


SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_demo_history_is_realistic(hall, make_staff, clock) -> None:
    for _ in range(12):
        make_staff(Role.OFFICER)

    total = hall_demo_history(center=hall, rng=random.Random(7), days=7)

    per_day = Counter(Ticket.objects.values_list("service_day", flat=True))
    assert len(per_day) == 5  # the working days among the last seven
    # within what twelve windows serve in a day, so no queue runs into the evening
    assert all(200 <= n <= 900 for n in per_day.values())
    assert sum(per_day.values()) == total
    kinds = Counter(TicketEvent.objects.exclude(ticket=None).values_list("kind", flat=True))
    assert kinds[EventKind.ISSUE] == kinds[EventKind.CALL] == total
    assert kinds[EventKind.FINISH] + kinds[EventKind.NO_SHOW] == total
    by_hour = Counter(
        t.hour
        for t in TicketEvent.objects.filter(kind="issue").values_list("at", flat=True).iterator()
    )
    assert max(by_hour, key=by_hour.get) in (1, 2)  # 09–10 h local = 01–02 h UTC: the peak
    day = min(per_day)
    tz = SHANGHAI
    kpis = today_kpis(
        center_id=hall.pk,
        start=datetime.combine(day, dtime(0), tzinfo=tz),
        end=datetime.combine(day, dtime(23, 59), tzinfo=tz),
    )
    assert kpis["avg_service_minutes"] > 3
    assert service_minutes_by_item(center_id=hall.pk)  # medians for the wait estimates


def test_demo_history_ends_each_day_in_the_afternoon_and_leaves_today_empty(
    hall, make_staff, clock
) -> None:
    # the walk's defect: a demo day ran past midnight, so the first morning's board counted
    # 2 issued but 31 finished and the display opened on yesterday's calls
    for _ in range(12):
        make_staff(Role.OFFICER)
    hall_demo_history(center=hall, rng=random.Random(3), days=10)

    latest = max(e.astimezone(SHANGHAI) for e in TicketEvent.objects.values_list("at", flat=True))
    for at in TicketEvent.objects.values_list("at", flat=True).iterator():
        local = at.astimezone(SHANGHAI)
        assert local.time() < dtime(20, 0), local
    assert latest.date() < datetime(2026, 12, 1).date()
    today = today_kpis(
        center_id=hall.pk,
        start=datetime(2026, 12, 1, tzinfo=SHANGHAI),
        end=datetime(2026, 12, 1, 10, tzinfo=SHANGHAI),
    )
    assert (today["avg_wait_minutes"], today["arrivals_by_hour"]) == (0, [0] * 12)
