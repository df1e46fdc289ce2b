"""Thin scheduled entrypoints of the desk (idempotent; they only read and report)."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from bianmin.family_desk.selectors import desk_alerts

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="30", hour="8"))
def desk_morning_alerts() -> dict[int, dict[str, int]]:
    """Every morning: overdue requests and stale procedures per center, for the operations log
    (the desk's board and the director's page show the same numbers live)."""
    alerts = desk_alerts()
    for center_id, counts in alerts.items():
        if counts["overdue"] or counts["stale"]:
            logger.warning("family desk alerts center=%s %s", center_id, counts)
    return alerts
