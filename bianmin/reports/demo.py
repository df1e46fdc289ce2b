"""Demo briefings: the scheduled 晨会通报 of the last working days, from the demo history, as
the 07:30 job would have left them (today's only once it is past 07:30 in the hall)."""

from datetime import time, timedelta
from typing import Any

from bianmin.core import clock
from bianmin.core.workdays import is_workday
from bianmin.reports.services import briefing_generate_scheduled
from bianmin.reports.tasks import BRIEFING_AT

DEMO_BRIEFINGS = 3


def reports_demo_load(*, center: Any) -> int:
    now = clock.local(clock.now())
    day = now.date()
    if now.time() < time(*BRIEFING_AT):
        day -= timedelta(days=1)
    made = 0
    for _step in range(14):
        if made >= DEMO_BRIEFINGS:
            break
        if is_workday(day) and briefing_generate_scheduled(center_id=center.pk, day=day):
            made += 1
        day -= timedelta(days=1)
    return made
