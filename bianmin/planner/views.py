"""The director's staffing planner page (排班测算): thin, every figure from the selectors."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from bianmin.catalogue.enums import Category
from bianmin.core import clock
from bianmin.core.actors import home_center_id
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Perm, has_perm
from bianmin.planner import params, selectors


@login_required
def plan(request: HttpRequest) -> HttpResponse:
    """排班测算: forecast, hourly need pooled vs specialized, the simulated check, the week's
    roster with its warnings, what-if, and the accuracy on the hall's history."""
    if not has_perm(request.user, Perm.STAFFING_PLAN):
        raise HttpForbidden
    actor: Any = request.user
    query = request.GET
    form = {
        "date": query.get("date", "") or clock.today().isoformat(),
        "target_wait_minutes": query.get("target_wait_minutes", "") or "10",
        "target_share": query.get("target_share", "") or "0.8",
        "extra_demand_percent": query.get("extra_demand_percent", "") or "0",
        "absent_officers": query.get("absent_officers", "") or "0",
        "extra_hours": query.get("extra_hours", "") or "0",
    }
    try:
        center_id = home_center_id(actor)
        day = params.day(form["date"], default=clock.today())
        targets = params.targets(
            target_wait_minutes=params.number(form["target_wait_minutes"], name=_("目标等候时间")),
            target_share=params.number(form["target_share"], name=_("目标比例")),
        )
        scenario = params.scenario(
            extra_demand_percent=params.number(form["extra_demand_percent"], name=_("增加客流")),
            absent_officers=params.number(form["absent_officers"], name=_("培训离岗人数")),
            extra_hours=params.number(form["extra_hours"], name=_("延时服务")),
        )
        day_plan = selectors.day_plan(
            center_id=center_id, day=day, targets=targets, scenario=scenario
        )
        roster = selectors.week_roster(
            center_id=center_id, day=day, targets=targets, scenario=scenario
        )
        accuracy = selectors.accuracy(center_id=center_id, until=clock.today(), targets=targets)
        history = selectors.forecast_vs_actual(center_id=center_id, until=clock.today())
    except DomainError as error:  # bad input, or a year the working-day calendar lacks
        return render(
            request, "planner/plan.html", {"form": form, "error": error.message}, status=400
        )
    categories = sorted({c for h in day_plan.hours for c in h.specialized_by_category})
    chart = {
        "hours": [f"{h.hour:02d}时" for h in day_plan.hours],
        "arrivals": [h.arrivals for h in day_plan.hours],
        "pooled": [h.officers_pooled for h in day_plan.hours],
        "specialized": [h.officers_specialized for h in day_plan.hours],
        "erlang": [round(h.erlang_share_pooled * 100, 1) for h in day_plan.hours],
        "simulated": [_percent(h.simulated_share_pooled) for h in day_plan.hours],
        "simulated_specialized": [_percent(h.simulated_share_specialized) for h in day_plan.hours],
        "history_days": [d.day.strftime("%m-%d") for d in history],
        "history_forecast": [d.forecast for d in history],
        "history_actual": [d.actual for d in history],
        "accuracy_days": [d.day.strftime("%m-%d") for d in accuracy.days],
        "accuracy_predicted": [_percent(d.predicted_share) for d in accuracy.days],
        "accuracy_simulated": [_percent(d.simulated_share) for d in accuracy.days],
        "accuracy_actual": [_percent(d.actual_share) for d in accuracy.days],
        "target": round(targets.target_share * 100, 1),
    }
    return render(
        request,
        "planner/plan.html",
        {
            "form": form,
            "plan": day_plan,
            "roster": roster,
            "accuracy": accuracy,
            "chart": chart,
            "categories": [(c, selectors.category_label(c)) for c in categories],
            "category_labels": {c.value: str(c.label) for c in Category},
        },
    )


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)
