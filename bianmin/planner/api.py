"""The staffing planner's API (issue 16): Erlang C for given figures, and a center's day plan.
Thin: parse and check the parameters, authorise, call one selector."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from bianmin.accounts.api import staff_auth
from bianmin.core import clock
from bianmin.core.errors import PermissionDenied
from bianmin.core.permissions import Perm, has_perm
from bianmin.planner import erlang, params, selectors
from bianmin.planner.errors import PlannerError

router = Router(tags=["排班测算"])


class ErrorOut(Schema):
    code: str
    message: str


class ErlangOut(Schema):
    officers: int
    share_within_target: float
    mean_wait_minutes: float
    utilisation: float


class PlanHourOut(Schema):
    hour: int
    arrivals: float
    officers_pooled: int
    officers_specialized: int
    simulated_share_pooled: float | None


class PlanOut(Schema):
    hours: list[PlanHourOut]
    total_officer_hours_pooled: int
    total_officer_hours_specialized: int


@router.get(
    "/planner/erlang",
    response={200: ErlangOut, 400: ErrorOut, 401: ErrorOut},
    auth=staff_auth,
    url_name="planner_erlang",
    summary="Erlang C 测算：满足服务水平的最少窗口民警数（工作人员）",
    description="M/M/c 排队模型：officers 为使“等候不超过 target_wait_minutes 分钟的比例”"
    "达到 target_share 的最少人数。参数不合理（负数、比例不在 0 与 1 之间……）时返回 400。",
)
def planner_erlang(
    request: HttpRequest,
    arrivals_per_hour: str | None = None,
    mean_service_minutes: str | None = None,
    target_wait_minutes: str | None = None,
    target_share: str | None = None,
) -> dict[str, Any]:
    arrivals = params.number(arrivals_per_hour, name=_("每小时到达人数 arrivals_per_hour"))
    service = params.number(mean_service_minutes, name=_("平均办理时长 mean_service_minutes"))
    targets = params.targets(
        target_wait_minutes=params.number(
            target_wait_minutes, name=_("目标等候时间 target_wait_minutes")
        ),
        target_share=params.number(target_share, name=_("目标比例 target_share")),
    )
    params.demand(arrivals_per_hour=arrivals, mean_service_minutes=service)
    answer = erlang.officers_needed(
        arrivals_per_hour=arrivals,
        mean_service_minutes=service,
        target_wait_minutes=targets.target_wait_minutes,
        target_share=targets.target_share,
    )
    return {
        "officers": answer.officers,
        "share_within_target": round(answer.share_within_target, 6),
        "mean_wait_minutes": round(answer.mean_wait_minutes, 4),
        "utilisation": round(answer.utilisation, 6),
    }


@router.get(
    "/planner/plan",
    response={200: PlanOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=staff_auth,
    url_name="planner_plan",
    summary="某中心某日的逐时排班测算：全科窗口与专科窗口（值班长、中心主任）",
    description="按近几周取号记录预测客流，用 Erlang C 求每小时所需民警，并以大厅实际叫号规则"
    "模拟抽样日检验（simulated_share_pooled）。center 为中心代码（默认本中心）。",
)
def planner_plan(
    request: HttpRequest,
    center: str | None = None,
    date: str | None = None,
    target_wait_minutes: str | None = None,
    target_share: str | None = None,
) -> dict[str, Any]:
    actor = request.auth  # type: ignore[attr-defined]
    if not has_perm(actor, Perm.STAFFING_PLAN):
        raise PermissionDenied(_("您没有执行此操作的权限"), code=PlannerError.PERMISSION_DENIED)
    targets = params.targets(
        target_wait_minutes=params.number(
            target_wait_minutes, name=_("目标等候时间"), default=10.0
        ),
        target_share=params.number(target_share, name=_("目标比例"), default=0.8),
    )
    day = params.day(date, default=clock.today())
    center_id = selectors.center_id_for(actor=actor, code=center)
    plan = selectors.day_plan(center_id=center_id, day=day, targets=targets)
    return {
        "hours": [
            {
                "hour": h.hour,
                "arrivals": h.arrivals,
                "officers_pooled": h.officers_pooled,
                "officers_specialized": h.officers_specialized,
                "simulated_share_pooled": h.simulated_share_pooled,
            }
            for h in plan.hours
        ],
        "total_officer_hours_pooled": plan.total_officer_hours_pooled,
        "total_officer_hours_specialized": plan.total_officer_hours_specialized,
    }
