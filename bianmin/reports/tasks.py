"""Thin scheduled entrypoints of the reports context (idempotent)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from bianmin.reports.services import briefings_generate_due

BRIEFING_AT = (7, 30)  # the center's clock (Asia/Shanghai), before the 08:00 morning meeting


@db_periodic_task(crontab(hour=str(BRIEFING_AT[0]), minute=str(BRIEFING_AT[1])))
def morning_briefing_task() -> list[int]:
    """07:30 every day: each active center's 晨会通报 when today is a working day. Running it
    twice (a retry, a second worker) adds nothing: one scheduled briefing per center and day."""
    return [briefing.pk for briefing in briefings_generate_due()]
