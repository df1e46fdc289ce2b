"""Huey entry points of the hall: ids in, one service call, idempotent."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from bianmin.hall import services


@db_task()
def ticket_notify_near_task(center_id: int) -> None:
    services.ticket_notify_near_queued(center_id=center_id)


@db_periodic_task(crontab(hour="3", minute="40"))
def waiting_tally_prune_task() -> int:
    """Nightly: the waiting tally's rows of past days are deleted."""
    return services.waiting_tally_prune()
