"""Periodic work of the lost-and-found context: thin entrypoints calling one idempotent service."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from bianmin.lost_found.services import lost_reports_expire


@db_periodic_task(crontab(hour="2", minute="15"))
def lost_found_reports_expire() -> int:
    """Nightly: lost reports older than the one-year claim period are closed."""
    return lost_reports_expire()
