"""Checking the planner's parameters (API query strings and the page's form alike).

Every nonsense value is refused with a Chinese message before any figure is computed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from bianmin.core.errors import DomainError
from bianmin.planner.errors import PlannerError

MAX_ARRIVALS_PER_HOUR = 10_000.0
MAX_SERVICE_MINUTES = 480.0
MAX_TARGET_WAIT_MINUTES = 480.0
MAX_EXTRA_DEMAND_PERCENT = 300
MAX_EXTRA_HOURS = 4
MAX_ABSENT = 200


def invalid(message: str) -> DomainError:
    return DomainError(message, code=PlannerError.INVALID_PARAMETER, status=400)


def number(raw: str | float | None, *, name: str, default: float | None = None) -> float:
    """A finite number from a query value; `name` is the Chinese name in the message."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if default is None:
            raise invalid(_("缺少参数：%s") % name)
        return default
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise invalid(_("%s 应为数字") % name) from None
    if not math.isfinite(value):
        raise invalid(_("%s 应为有限的数字") % name)
    return value


@dataclass(frozen=True)
class Targets:
    target_wait_minutes: float
    target_share: float


def targets(*, target_wait_minutes: float, target_share: float) -> Targets:
    if not 0 <= target_wait_minutes <= MAX_TARGET_WAIT_MINUTES:
        raise invalid(_("目标等候时间应在 0 到 %d 分钟之间") % int(MAX_TARGET_WAIT_MINUTES))
    if not 0 < target_share < 1:
        raise invalid(_("目标比例应大于 0 且小于 1（例如 0.8 表示 80%）"))
    return Targets(target_wait_minutes=target_wait_minutes, target_share=target_share)


def demand(*, arrivals_per_hour: float, mean_service_minutes: float) -> None:
    if not 0 <= arrivals_per_hour <= MAX_ARRIVALS_PER_HOUR:
        raise invalid(_("每小时到达人数应在 0 到 %d 之间") % int(MAX_ARRIVALS_PER_HOUR))
    if not 0 < mean_service_minutes <= MAX_SERVICE_MINUTES:
        raise invalid(_("平均办理时长应大于 0 且不超过 %d 分钟") % int(MAX_SERVICE_MINUTES))


FIRST_DAY = date(2004, 1, 1)  # the working-day calendar's first year
MAX_DAYS_AHEAD = 366


def day(raw: str | None, *, default: date) -> date:
    """A day to plan: ISO format, from 2004 (the calendar's first year) to a year ahead."""
    if raw is None or not raw.strip():
        return default
    try:
        value = date.fromisoformat(raw.strip())
    except ValueError:
        raise invalid(_("日期应为 YYYY-MM-DD 格式")) from None
    if not FIRST_DAY <= value <= default + timedelta(days=MAX_DAYS_AHEAD):
        raise invalid(_("只能测算 2004 年至今后一年内的日期"))
    return value


@dataclass(frozen=True)
class Scenario:
    """What-if: a campaign day (extra demand), a training day (officers away), longer hours."""

    extra_demand_percent: int = 0
    absent_officers: int = 0
    extra_hours: int = 0

    @property
    def is_plain(self) -> bool:
        return not (self.extra_demand_percent or self.absent_officers or self.extra_hours)


def scenario(
    *, extra_demand_percent: float, absent_officers: float, extra_hours: float
) -> Scenario:
    if not (0 <= extra_demand_percent <= MAX_EXTRA_DEMAND_PERCENT) or extra_demand_percent % 1:
        raise invalid(_("增加客流应为 0 到 %d 之间的整数百分比") % MAX_EXTRA_DEMAND_PERCENT)
    if not (0 <= absent_officers <= MAX_ABSENT) or absent_officers % 1:
        raise invalid(_("培训离岗人数应为 0 到 %d 之间的整数") % MAX_ABSENT)
    if not (0 <= extra_hours <= MAX_EXTRA_HOURS) or extra_hours % 1:
        raise invalid(_("延时服务应为 0 到 %d 之间的整数小时") % MAX_EXTRA_HOURS)
    return Scenario(int(extra_demand_percent), int(absent_officers), int(extra_hours))
