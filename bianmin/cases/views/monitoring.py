"""The backlog board, the overdue panel and the citizens' progress page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bianmin.cases import selectors
from bianmin.cases.throttle import progress_lookup
from bianmin.cases.views.base import _need
from bianmin.core import clock
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Perm

# --- monitoring -----------------------------------------------------------------------------------------


@login_required
def backlog(request: HttpRequest) -> HttpResponse:
    """积压看板: open cases by pending step and age, and the daily trend (ECharts)."""
    _need(request, Perm.CASE_MONITOR, Perm.CASE_PROCESS)
    center_id = request.user.center_id  # type: ignore[union-attr]
    if center_id is None:
        raise HttpForbidden
    board = selectors.case_backlog(center_id=center_id)
    trend = selectors.case_backlog_trend(center_id=center_id, days=30)
    return render(
        request,
        "cases/backlog.html",
        {
            "board": board,
            "today": clock.today(),
            "trend": {
                "days": [p.day.strftime("%m-%d") for p in trend],
                "backlog": [p.backlog for p in trend],
                "accepted": [p.accepted for p in trend],
                "concluded": [p.concluded for p in trend],
            },
            "overdue": selectors.case_overdue_list(center_id=center_id, limit=50),
            "flagged": selectors.case_flagged_list(center_id=center_id),
        },
    )


def overdue_context(user: Any) -> dict[str, Any]:
    center_id = getattr(user, "center_id", None)
    return {
        "overdue": selectors.case_overdue_list(center_id=center_id, limit=10),
        "overdue_count": selectors.case_overdue_count(center_id=center_id) if center_id else 0,
        "warnings": selectors.case_warning_list(center_id=center_id, limit=10),
        "today": clock.today(),
    }


@login_required
def overdue_panel(request: HttpRequest) -> HttpResponse:
    """超期预警 fragment for the shift leader's home and the hall board (htmx)."""
    _need(request, Perm.CASE_MONITOR, Perm.HALL_MONITOR)
    return render(request, "cases/panels/overdue.html", {"panel": overdue_context(request.user)})


# --- public progress --------------------------------------------------------------------------------------


def progress(request: HttpRequest) -> HttpResponse:
    """办理进度查询 for citizens (phone-friendly): case number + last four digits of the phone."""
    ctx: dict[str, Any] = {"number": request.GET.get("number", "")[:24], "view": None, "error": ""}
    status = 200
    if request.method == "POST":
        number = request.POST.get("number", "")[:24]
        ctx["number"] = number
        try:
            ctx["view"] = progress_lookup(
                request=request, number=number, phone_last4=request.POST.get("phone_last4", "")
            )
        except DomainError as exc:
            ctx["error"], status = exc.message, exc.status
    return render(request, "cases/progress.html", ctx, status=status)
