"""Demo history: realistic, reproducible past days written quickly, consistent with the event
rules (one issue and one call per ticket, then a finish or a no-show)."""

import random
import time
from collections import Counter

import pytest

from bianmin.core.permissions import Role
from bianmin.hall.enums import EventKind
from bianmin.hall.models import Ticket, TicketEvent
from bianmin.hall.selectors import service_minutes_by_item, today_kpis
from bianmin.hall.demo import hall_demo_history

pytestmark = pytest.mark.django_db


def test_demo_history_is_realistic_and_quick(hall, make_staff, clock) -> None:
    for _ in range(12):
        make_staff(Role.OFFICER)

    started = time.perf_counter()
    total = hall_demo_history(center=hall, rng=random.Random(7), days=7)
    elapsed = time.perf_counter() - started

    per_day = Counter(Ticket.objects.values_list("service_day", flat=True))
    assert len(per_day) == 5  # the working days among the last seven
    assert all(300 <= n <= 1500 for n in per_day.values())
    assert sum(per_day.values()) == total
    assert elapsed < total / 100  # over 100 tickets a second even on a busy CI machine
    kinds = Counter(TicketEvent.objects.exclude(ticket=None).values_list("kind", flat=True))
    assert kinds[EventKind.ISSUE] == kinds[EventKind.CALL] == total
    assert kinds[EventKind.FINISH] + kinds[EventKind.NO_SHOW] == total
    by_hour = Counter(
        t.hour
        for t in TicketEvent.objects.filter(kind="issue").values_list("at", flat=True).iterator()
    )
    assert max(by_hour, key=by_hour.get) in (1, 2)  # 09–10 h local = 01–02 h UTC: the peak
    day = min(per_day)
    from datetime import datetime
    from datetime import time as dtime
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Shanghai")
    kpis = today_kpis(
        center_id=hall.pk,
        start=datetime.combine(day, dtime(0), tzinfo=tz),
        end=datetime.combine(day, dtime(23, 59), tzinfo=tz),
    )
    assert kpis["avg_service_minutes"] > 3
    assert service_minutes_by_item(center_id=hall.pk)  # medians for the wait estimates
