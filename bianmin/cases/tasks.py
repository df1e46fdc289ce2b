"""Periodic work of the cases context: thin entrypoints calling one idempotent service."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from bianmin.cases.services import SweepResult, case_deadline_sweep


@db_periodic_task(crontab(minute="*/10"))
def cases_deadline_sweep() -> SweepResult:
    """Every 10 minutes: deadline warnings, overdue alerts, 容缺 terminations (each raised once)."""
    return case_deadline_sweep()
