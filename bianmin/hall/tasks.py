"""Huey entry points of the hall: ids in, one service call, idempotent."""

from huey.contrib.djhuey import db_task

from bianmin.hall import services


@db_task()
def ticket_notify_near_task(center_id: int) -> None:
    services.ticket_notify_near_queued(center_id=center_id)
