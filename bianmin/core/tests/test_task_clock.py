"""Periodic tasks fire on the center's clock: a crontab hour is an hour in the hall
(Asia/Shanghai), not in UTC — with Huey's default the 08:30 desk task ran at 16:30."""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from huey.contrib.djhuey import HUEY

from bianmin.family_desk import tasks as desk_tasks
from bianmin.notifications import tasks as sms_tasks

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _due(task: object, at: datetime) -> bool:
    with time_machine.travel(at, tick=False):
        periodic = task.task_class()  # type: ignore[attr-defined]
        return bool(periodic.validate_datetime(HUEY._get_timestamp()))


def test_crontab_hours_are_the_centers_hours() -> None:
    desk = desk_tasks.desk_morning_alerts
    assert _due(desk, datetime(2026, 12, 1, 8, 30, tzinfo=SHANGHAI))
    assert not _due(desk, datetime(2026, 12, 1, 16, 30, tzinfo=SHANGHAI))
    reminders = sms_tasks.sms_pickup_reminders_task
    assert _due(reminders, datetime(2026, 12, 1, 9, 15, tzinfo=SHANGHAI))
    assert not _due(reminders, datetime(2026, 12, 1, 17, 15, tzinfo=SHANGHAI))
