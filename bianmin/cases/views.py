"""Thin HTML layer: the window panel (one page, htmx), the back-office queue, arrival, the
backlog board, the overdue panel, and the citizens' progress page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bianmin.accounts.selectors import staff_list
from bianmin.cases import pipeline, selectors, services
from bianmin.cases.checklist import DECLARED_FACTS, facts_summary
from bianmin.cases.enums import (
    CaseStatus,
    ConfirmationStage,
    IdType,
    InquiryStatus,
    MaterialState,
    PickupMethod,
)
from bianmin.cases.models import Case
from bianmin.cases.throttle import progress_lookup
from bianmin.catalogue.selectors import item_list
from bianmin.core import clock
from bianmin.core.actors import StaffActor
from bianmin.core.errors import DomainError
from bianmin.core.htmx import template_for
from bianmin.core.permissions import Perm, Role, has_perm
from bianmin.hall.selectors import ticket_summary
from bianmin.notifications.enums import BatchKind
from bianmin.people.idnumber import check_id_number

MAX_UPLOAD_BYTES = 5 * 1024 * 1024

GROUPS = {"low_income": "特困群体（低保、五保等）", "student": "中小学生"}


def _staff(request: HttpRequest) -> StaffActor:
    """The signed-in staff member (every view here is behind login_required)."""
    return cast(StaffActor, request.user)


def _need(request: HttpRequest, *perms: Perm) -> None:
    if not any(has_perm(request.user, p) for p in perms):
        raise HttpForbidden


# --- the window panel ------------------------------------------------------------------------------


def _panel_context(
    request: HttpRequest,
    *,
    case: Case | None,
    ticket_id: str = "",
    error: str = "",
    message: str = "",
) -> dict[str, Any]:
    user = _staff(request)
    ticket = ticket_summary(ticket_id=ticket_id) if ticket_id else None
    if ticket is not None and ticket.center_id != user.center_id:
        # another center's ticket is unknown here (no number, no item leaks across centers)
        ticket, ticket_id = None, ""
    inquiry = selectors.inquiry_for_ticket(user=user, ticket_id=ticket_id) if ticket_id else None
    if case is None and inquiry is not None:
        case = selectors.case_for_inquiry(inquiry=inquiry)
    if case is not None:
        case = selectors.case_get(user=user, number=case.number)
    ctx: dict[str, Any] = {
        "case": case,
        "ticket": ticket,
        "ticket_id": ticket_id,
        "inquiry": inquiry,
        "error": error,
        "message": message,
        "id_types": IdType.choices,
        "declared": DECLARED_FACTS,
        "groups": GROUPS,
        "pickup_methods": PickupMethod.choices,
    }
    if case is None:
        items = list(item_list())
        ctx["items"] = items
        ctx["default_item"] = ticket.item_codes[0] if ticket and ticket.item_codes else ""
        ctx["variants"] = [
            (f"{i.code}", v.code, v.name) for i in items for v in i.fee_variants.all()
        ]
        ctx["colleagues"] = [s for s in staff_list(user=user, role=Role.OFFICER) if s.pk != user.pk]
        ctx["inquiry_open"] = inquiry is not None and inquiry.status in (
            InquiryStatus.OPEN,
            InquiryStatus.HANDOVER_PENDING,
        )
        ctx["handover"] = (
            inquiry.handovers.filter(received_at__isnull=True).first() if inquiry else None
        )
        return ctx
    materials = list(case.materials.all())
    lacking = [m for m in materials if m.is_required and m.state != MaterialState.PROVIDED]
    reviewed = all(m.state != MaterialState.NOT_CHECKED for m in materials if m.is_required)
    only_secondary = bool(lacking) and all(not m.is_primary for m in lacking)
    ctx.update(
        {
            "materials": materials,
            "lacking": lacking,
            "reviewed": reviewed,
            "is_pre": case.status in (CaseStatus.PRE_REVIEW, CaseStatus.AWAITING_SUPPLEMENT),
            "window_confirmed": case.confirmations.filter(stage=ConfirmationStage.WINDOW).exists(),
            "may_gaps": reviewed and only_secondary and case.item.allows_accept_with_gaps,
            "notices": list(case.notices.order_by("seq")),
            "facts_text": facts_summary(case.facts),
            "status_label": pipeline.progress_label(
                status=case.status, next_stage_=case.next_stage
            ),
            "deadline_state": pipeline.deadline_state(
                today=clock.today(),
                deadline=case.deadline,
                warn_on=case.warn_on,
                status=case.status,
            ),
            "may_close": case.status == CaseStatus.ACCEPTED
            and case.next_stage == "closed"
            and pipeline.role_may(getattr(user, "role", None), "closed"),
            "may_arrival": case.status == CaseStatus.ACCEPTED and case.next_stage == "arrival",
            "may_notify": has_perm(user, Perm.SMS_SEND),
            "may_pickup": case.status == CaseStatus.ACCEPTED and case.next_stage == "pickup",
            "states": [
                (MaterialState.PROVIDED, "已提供"),
                (MaterialState.MISSING, "缺少"),
                (MaterialState.DEFECTIVE, "不符合要求"),
            ],
        }
    )
    return ctx


def _render_panel(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return render(request, "cases/window_panel.html", _panel_context(request, **kwargs))


@login_required
def window_page(request: HttpRequest) -> HttpResponse:
    """窗口受理: the panel on a page of its own (the hall workspace embeds the fragment)."""
    _need(request, Perm.CASE_ACCEPT)
    number = request.GET.get("case", "").strip()
    case = None
    error = ""
    if number:
        try:
            case = selectors.case_get(user=request.user, number=number)
        except DomainError as exc:
            error = exc.message
    ctx = _panel_context(
        request, case=case, ticket_id=request.GET.get("ticket", "")[:64], error=error
    )
    ctx["number"] = number
    return render(request, "cases/window.html", ctx)


@login_required
def window_panel(request: HttpRequest) -> HttpResponse:
    """The fragment: `?ticket=<id>` (a called ticket) or `?case=<number>`."""
    _need(request, Perm.CASE_ACCEPT)
    number = request.GET.get("case", "").strip()
    if number:
        try:
            case = selectors.case_get(user=request.user, number=number)
        except DomainError as exc:
            return _render_panel(request, case=None, error=exc.message)
        return _render_panel(request, case=case)
    return _render_panel(request, case=None, ticket_id=request.GET.get("ticket", "")[:64])


def _declared(post: Any) -> dict[str, bool]:
    return {key: post.get(f"fact_{key}") == "on" for key in DECLARED_FACTS}


def _act_start(request: HttpRequest, case: Case | None) -> Case | None:
    post = request.POST
    fee_variant = post.get("fee_variant", "")
    item_code = post.get("item_code", "")
    if fee_variant and ":" in fee_variant:
        variant_item, fee_variant = fee_variant.split(":", 1)
        if variant_item != item_code:
            fee_variant = ""
    return services.case_create(
        actor=_staff(request),
        item_code=item_code,
        applicant=services.ApplicantInput(
            name=post.get("name", ""),
            id_number=post.get("id_number", ""),
            gender=post.get("gender", ""),
            phone=post.get("phone", ""),
            id_type=post.get("id_type", IdType.RESIDENT_ID),
        ),
        declared=_declared(post),
        ticket_id=post.get("ticket_id", "")[:64],
        groups=[g for g in post.getlist("groups") if g in GROUPS],
        fee_variant=fee_variant,
        is_urgent=post.get("is_urgent") == "on",
        is_holiday_appointment=post.get("is_holiday_appointment") == "on",
        is_standby_24h=post.get("is_standby_24h") == "on",
    )


def _act_confirm(request: HttpRequest, case: Case | None) -> Case | None:
    assert case is not None
    post = request.POST
    services.case_confirmation_record(
        actor=_staff(request),
        case_number=case.number,
        stage=ConfirmationStage.WINDOW,
        name=post.get("name", ""),
        gender=post.get("gender", ""),
        id_type=post.get("id_type", ""),
        id_number=post.get("id_number", ""),
    )
    return case


def _act_review(request: HttpRequest, case: Case | None) -> Case | None:
    assert case is not None
    results = {}
    for material in case.materials.all():
        state = request.POST.get(f"m_{material.code}")
        if state:
            results[material.code] = (state, request.POST.get(f"r_{material.code}", ""))
    return services.case_pre_review(actor=_staff(request), case=case, results=results)


def _act_notice(request: HttpRequest, case: Case | None) -> Case | None:
    assert case is not None
    services.case_issue_missing_notice(actor=_staff(request), case=case)
    return case


def _act_accept(request: HttpRequest, case: Case | None) -> Case | None:
    assert case is not None
    return services.case_accept(
        actor=_staff(request),
        case=case,
        with_gaps=request.POST.get("with_gaps") == "1",
        commitment=request.POST.get("commitment", ""),
    )


def _act_facts(request: HttpRequest, case: Case | None) -> Case | None:
    assert case is not None
    return services.case_facts_change(
        actor=_staff(request),
        case=case,
        declared=_declared(request.POST),
        note=request.POST.get("note", ""),
    )


def _act_supplement(request: HttpRequest, case: Case | None) -> Case | None:
    assert case is not None
    return services.case_supplement_gaps(actor=_staff(request), case=case)


def _notify(request: HttpRequest) -> bool:
    """The pickup SMS goes with the arrival when the box is ticked (and the user may send)."""
    return request.POST.get("notify") == "on" and has_perm(request.user, Perm.SMS_SEND)


def _act_arrival(request: HttpRequest, case: Case | None) -> Case | None:
    assert case is not None
    return services.case_register_arrival(actor=_staff(request), case=case, notify=_notify(request))


def _act_pickup(request: HttpRequest, case: Case | None) -> Case | None:
    assert case is not None
    post = request.POST
    return services.case_pickup(
        actor=_staff(request),
        case=case,
        method=post.get("method", ""),
        proxy_name=post.get("proxy_name", ""),
        proxy_id_number=post.get("proxy_id_number", ""),
        authorization_note=post.get("authorization_note", ""),
        face_check_id=post.get("face_check_id") or None,
    )


def _act_close(request: HttpRequest, case: Case | None) -> Case | None:
    assert case is not None
    return services.case_advance(
        actor=_staff(request), case=case, to_stage="closed", note=request.POST.get("note", "")
    )


WINDOW_ACTIONS: dict[str, tuple[Callable[[HttpRequest, Case | None], Case | None], str]] = {
    "start": (_act_start, "已登记申请，请申请人核对确认信息"),
    "confirm": (_act_confirm, "申请人已在窗口确认信息"),
    "review": (_act_review, "材料预审结果已保存"),
    "notice": (_act_notice, "已出具一次性告知单"),
    "accept": (_act_accept, "已受理"),
    "facts": (_act_facts, "已登记申请人情况变化"),
    "supplement": (_act_supplement, "容缺材料已补齐"),
    "arrival": (_act_arrival, "已登记到证"),
    "pickup": (_act_pickup, "已领取，办件办结"),
    "close": (_act_close, "已办结"),
}


@login_required
@require_POST
def window_action(request: HttpRequest, action: str) -> HttpResponse:
    _need(request, Perm.CASE_ACCEPT)
    handler = WINDOW_ACTIONS.get(action)
    if handler is None:
        raise HttpForbidden
    number = request.POST.get("case", "").strip()
    ticket_id = request.POST.get("ticket_id", "")[:64]
    case = None
    try:
        if number:
            case = selectors.case_get(user=request.user, number=number)
        case = handler[0](request, case)
    except DomainError as exc:
        return _render_panel(request, case=case, ticket_id=ticket_id, error=exc.message)
    return _render_panel(request, case=case, ticket_id=ticket_id, message=handler[1])


@login_required
@require_POST
def inquiry_action(request: HttpRequest, action: str) -> HttpResponse:
    """仅咨询: answer the question, hand it over, or sign its receipt (首问负责)."""
    _need(request, Perm.CASE_ACCEPT)
    ticket_id = request.POST.get("ticket_id", "")[:64]
    post = request.POST
    try:
        inquiry = (
            selectors.inquiry_for_ticket(user=request.user, ticket_id=ticket_id)
            if ticket_id
            else None
        )
        if inquiry is None:
            inquiry = services.inquiry_open(
                actor=_staff(request),
                ticket_id=ticket_id,
                item_code=post.get("item_code", ""),
                topic=post.get("topic", ""),
            )
        if action == "answer":
            services.inquiry_answer(
                actor=_staff(request), inquiry=inquiry, answer=post.get("answer", "")
            )
            message = "咨询已答复并记录"
        elif action == "handover":
            colleague = staff_list(user=request.user).filter(pk=post.get("to_officer") or 0).first()
            if colleague is None:
                raise DomainError("请选择接手民警")
            services.inquiry_hand_over(
                actor=_staff(request),
                inquiry=inquiry,
                to_officer=cast(StaffActor, colleague),
                note=post.get("note", ""),
            )
            message = f"已移交{colleague}，待其确认接手；确认前仍由您负责"
        elif action == "receive":
            services.inquiry_receive(actor=_staff(request), inquiry=inquiry)
            message = "已确认接手该咨询"
        else:
            raise HttpForbidden
    except DomainError as exc:
        return _render_panel(request, case=None, ticket_id=ticket_id, error=exc.message)
    return _render_panel(request, case=None, ticket_id=ticket_id, message=message)


@login_required
@require_POST
def id_check(request: HttpRequest) -> HttpResponse:
    """Live check of the ID number typed at the window (a server partial)."""
    _need(request, Perm.CASE_ACCEPT)
    check = check_id_number(request.POST.get("id_number", "")[:40], today=clock.today())
    return render(
        request,
        "cases/window_panel.html#id_check",
        {"check": check, "typed": bool(request.POST.get("id_number"))},
    )


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
def arrival(request: HttpRequest) -> HttpResponse:
    """到证登记 + 领取通知, one step: scan or type numbers (or upload a file) and the arrivals are
    registered with their pickup SMS queued at once; or import a list to preview first."""
    _need(request, Perm.CASE_PROCESS, Perm.CASE_ACCEPT)
    user = request.user
    ctx: dict[str, Any] = {
        "batch": None,
        "error": "",
        "may_notify": has_perm(user, Perm.SMS_SEND),
        "kinds": BatchKind.choices,
    }
    if request.method == "POST":
        notify = ctx["may_notify"] and request.POST.get("notify") == "on"
        values = [v for v in request.POST.get("values", "").split() if v]
        upload = request.FILES.get("file")
        try:
            if upload is not None:
                rows = services.arrival_list_read(
                    filename=upload.name or "", content=_upload_bytes(upload)
                )
                values += [cells[0] for _n, cells in rows if cells]
            if not values:
                raise DomainError(_("请输入受理编号或身份证号码，或选择文件"))
            ctx["batch"] = services.case_arrival_batch(
                actor=_staff(request), values=values[:5000], notify=notify
            )
        except DomainError as exc:
            ctx["error"] = exc.message
    return render(request, template_for(request, "cases/arrival.html", "result"), ctx)


def _upload_bytes(upload: Any) -> bytes:
    if upload.size and upload.size > MAX_UPLOAD_BYTES:
        raise DomainError(_("文件超过5MB，请拆分后分批导入。"))
    return bytes(upload.read())


@login_required
@require_POST
def arrival_list(request: HttpRequest) -> HttpResponse:
    """Import an arrival list for preview (到证通知); the one click then registers and notifies."""
    _need(request, Perm.CASE_PROCESS, Perm.CASE_ACCEPT)
    _need(request, Perm.SMS_SEND)
    upload = request.FILES.get("file")
    try:
        batch_id = services.arrival_list_preview(
            actor=_staff(request),
            kind=request.POST.get("kind", BatchKind.ARRIVAL_LIST),
            filename=(upload.name or "") if upload else "",
            content=_upload_bytes(upload) if upload else b"",
            text=request.POST.get("lines", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("notifications:batch_list")
    return redirect("notifications:batch_detail", pk=batch_id)


@login_required
@require_POST
def arrival_batch_send(request: HttpRequest, pk: int) -> HttpResponse:
    """The one click of a previewed list: register every arrival and queue every notice."""
    _need(request, Perm.SMS_SEND)
    try:
        sent = services.arrival_list_send(actor=_staff(request), batch_id=pk)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已登记到证并生成 %(n)d 条领取通知，正在发送。") % {"n": sent})
    return redirect("notifications:batch_detail", pk=pk)


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
