"""Public calendar endpoint: the same function every deadline uses."""

from datetime import date

from django.http import HttpRequest
from ninja import Router, Schema

from bianmin.core.codes import CoreError
from bianmin.core.errors import DomainError
from bianmin.core.throttling import AnonWindowThrottle
from bianmin.core.workdays import add_workdays

router = Router(tags=["工作日历"])


class WorkdayOut(Schema):
    date: date


@router.get(
    "/calendar/add-workdays",
    response=WorkdayOut,
    summary="加工作日（公开）",
    description="start 之后第 days 个工作日（不含 start）；days=0 返回 start。按国务院节假日安排与调休计算。",
    throttle=[AnonWindowThrottle("120/m")],
)
def calendar_add_workdays(request: HttpRequest, start: date, days: int) -> dict[str, date]:
    if days < 0 or days > 3650:
        raise DomainError("days 应为 0 到 3650 之间的整数", code=CoreError.INVALID_DAYS)
    return {"date": add_workdays(start, days)}
