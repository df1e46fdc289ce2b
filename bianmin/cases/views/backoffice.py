"""The back-office queue and the case record."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from bianmin.cases import pipeline, selectors, services
from bianmin.cases.documents import progress_url
from bianmin.cases.views.base import _need, _notify, _staff
from bianmin.core import clock
from bianmin.core.errors import DomainError
from bianmin.core.htmx import template_for
from bianmin.core.permissions import Perm, has_perm
from bianmin.core.qr import qr_svg

# --- back office ------------------------------------------------------------------------------------


def _queue_context(
    request: HttpRequest, stage: str, *, error: str = "", message: str = ""
) -> dict[str, Any]:
    if stage not in selectors.QUEUE_STAGES:
        stage = selectors.QUEUE_STAGES[0]
    today = clock.today()
    rows = []
    for case in selectors.case_queue(user=request.user, next_stage=stage)[:200]:
        rows.append(
            {
                "case": case,
                "state": pipeline.deadline_state(
                    today=today, deadline=case.deadline, warn_on=case.warn_on
                ),
            }
        )
    counts = selectors.case_queue_counts(user=request.user)
    role = getattr(request.user, "role", None)
    return {
        "stage": stage,
        "rows": rows,
        "error": error,
        "message": message,
        "tabs": [
            (s, pipeline.STEPS[s].queue_label, counts.get(s, 0)) for s in selectors.QUEUE_STAGES
        ],
        "rule": pipeline.STEPS[stage],
        "may_act": pipeline.role_may(role, stage),
        "may_send_back": pipeline.STEPS[stage].may_send_back,
        "route": pipeline.STEPS[stage].route,
        "may_notify": has_perm(request.user, Perm.SMS_SEND),
        "today": today,
    }


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """后台办件: one queue per pending step, urgent first then by deadline."""
    _need(request, Perm.CASE_PROCESS)
    ctx = _queue_context(request, request.GET.get("stage", "review"))
    return render(request, template_for(request, "cases/queue.html", "queue"), ctx)


@login_required
@require_POST
def queue_action(request: HttpRequest) -> HttpResponse:
    _need(request, Perm.CASE_PROCESS)
    stage = request.POST.get("stage", "review")
    action = request.POST.get("action", "")
    error = message = ""
    try:
        case = selectors.case_get(user=request.user, number=request.POST.get("case", ""))
        if action == "claim":
            services.case_claim(actor=_staff(request), case=case)
            message = f"已认领 {case.number}"
        elif action == "release":
            services.case_release(actor=_staff(request), case=case)
            message = f"已释放 {case.number}"
        elif action == "advance":
            services.case_advance(
                actor=_staff(request), case=case, to_stage=stage, note=request.POST.get("note", "")
            )
            message = f"{case.number} 已完成“{pipeline.stage_label(stage)}”"
        elif action == "arrival":
            notify = _notify(request)
            services.case_register_arrival(actor=_staff(request), case=case, notify=notify)
            message = f"{case.number} 已登记到证" + ("，领取通知已排队发送" if notify else "")
        elif action == "send_back":
            services.case_send_back(
                actor=_staff(request), case=case, reason=request.POST.get("reason", "")
            )
            message = f"{case.number} 已退回"
        else:
            raise HttpForbidden
    except DomainError as exc:
        error = exc.message
    return render(
        request,
        "cases/queue.html#queue",
        _queue_context(request, stage, error=error, message=message),
    )


@login_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    _need(request, Perm.CASE_ACCEPT, Perm.CASE_PROCESS, Perm.CASE_MONITOR)
    case = selectors.case_get(user=request.user, number=number)
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "events": selectors.case_events(case=case),
            "materials": case.materials.all(),
            "notices": case.notices.order_by("seq"),
            "status_label": pipeline.progress_label(
                status=case.status, next_stage_=case.next_stage
            ),
            "confirmations": case.confirmations.all(),
        },
    )


@login_required
def receipt_slip(request: HttpRequest, number: str) -> HttpResponse:
    """受理回执 on 80 mm roll paper: one click prints it (`?print=1` prints on opening)."""
    _need(request, Perm.CASE_ACCEPT)
    case = selectors.case_get(user=request.user, number=number)
    if case.accepted_at is None:
        raise Http404
    return render(
        request,
        "cases/receipt_slip.html",
        {
            "case": case,
            "qr": qr_svg(progress_url(case, request), scale=3),
            "autoprint": request.GET.get("print") == "1",
        },
    )
