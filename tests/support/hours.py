"""A center open all day on the real (China) date, for browser tests whose server runs on the
real clock: whatever the weekday or holiday the suite runs on, and whatever hour (the test side
issues at a pinned hour of that date)."""

from datetime import time
from typing import Any

from bianmin.accounts.models import CenterDayHours
from tests.support.clock import real_now

ALL_DAY = {"is_open": True, "opens_at": time(0, 0), "closes_at": time(23, 59, 59)}


def open_all_day_today(center: Any) -> None:
    """The center's plain hours cover the whole day, and today's date is set open all day (a
    center without a week serves Monday to Friday only: a Saturday run found it closed)."""
    center.opens_at, center.closes_at = ALL_DAY["opens_at"], ALL_DAY["closes_at"]
    center.save()
    CenterDayHours.objects.update_or_create(
        center=center, day=real_now().date(), defaults={**ALL_DAY, "note": "browser test"}
    )
