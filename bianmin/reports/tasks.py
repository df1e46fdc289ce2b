"""Thin scheduled entrypoints of the reports context (idempotent)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from huey.contrib.djhuey import HUEY, db_periodic_task

from bianmin.reports.services import briefings_generate_due

BRIEFING_AT = (7, 30)  # the center's clock (Asia/Shanghai), before the 08:00 morning meeting


def at_center_time(timestamp: datetime, *, hour: int, minute: int) -> bool:
    """Huey's scheduler hands periodic tasks a naive UTC time (its default ``utc=True``) or a
    naive server-local one; `crontab` would compare it as is and fire at 07:30 UTC (15:30 in
    the hall). This compares the hall's own clock instead."""
    aware = timestamp.replace(tzinfo=UTC) if HUEY.utc else timestamp.astimezone()
    local = aware.astimezone(ZoneInfo(settings.TIME_ZONE))
    return (local.hour, local.minute) == (hour, minute)


def _briefing_due(timestamp: datetime) -> bool:
    return at_center_time(timestamp, hour=BRIEFING_AT[0], minute=BRIEFING_AT[1])


@db_periodic_task(_briefing_due)
def morning_briefing_task() -> list[int]:
    """07:30 every day: each active center's 晨会通报 when today is a working day. Running it
    twice (a retry, a second worker) adds nothing: one scheduled briefing per center and day."""
    return [briefing.pk for briefing in briefings_generate_due()]
