"""Huey entry points: ids in, one service call, idempotent. They return None so that no
result is stored for the tens of thousands of deliveries."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from bianmin.notifications import services


@db_task()
def sms_deliver_task(message_id: int) -> None:
    services.message_deliver(message_id=message_id)


@db_periodic_task(crontab(minute="*"))
def sms_watchdog_task() -> None:
    services.messages_watchdog()


@db_periodic_task(crontab(minute="15", hour="9"))
def sms_pickup_reminders_task() -> None:
    services.pickup_reminders_send()
