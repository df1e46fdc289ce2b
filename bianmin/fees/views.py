"""Thin HTML layer of the fees context: the window's fee panel and counter, receipts, refunds,
reconciliation, the savings ledger, policies and campaigns."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from bianmin.accounts.selectors import center_get
from bianmin.catalogue.selectors import item_list
from bianmin.core import clock
from bianmin.core.errors import DomainError, NotFound
from bianmin.core.htmx import is_htmx, template_for
from bianmin.core.pdf import PageKind
from bianmin.core.permissions import Perm, has_perm
from bianmin.fees import caselink
from bianmin.fees.enums import FeeKind, Group, PaymentStage, RefundStatus
from bianmin.fees.forms import (
    CampaignForm,
    ClassListForm,
    CollectForm,
    CounterForm,
    DrawerCloseForm,
    PolicyForm,
    RefundDecisionForm,
    RefundRequestForm,
)
from bianmin.fees.imports import COLUMNS, class_list_import
from bianmin.fees.quoting import fmt_yuan
from bianmin.fees.receipts import receipt_filename, receipt_pdf
from bianmin.fees.selectors import (
    campaign_active,
    campaign_appointments,
    campaign_get,
    campaign_list,
    campaign_report,
    drawer_rows,
    fee_quote,
    free_copies,
    free_copies_total,
    payment_get,
    payment_list,
    payments_for_case,
    policy_get,
    policy_list,
    policy_revisions,
    refund_get,
    refund_list,
    refundable_fen,
    savings_report,
    savings_total_fen,
)
from bianmin.fees.services import (
    CampaignInput,
    Payer,
    PolicyInput,
    campaign_save,
    drawer_close,
    free_copies_add,
    payment_collect,
    payment_collect_for_case,
    policy_save,
    refund_decide,
    refund_request,
)


def _need(request: HttpRequest, *perms: Perm) -> None:
    if not any(has_perm(request.user, perm) for perm in perms):
        raise HttpForbidden


def _center(request: HttpRequest) -> int:
    """The user's center; staff without one (administrators) see no fees data."""
    return int(getattr(request.user, "center_id", None) or 0)


def _day(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _current_window(user: Any) -> str:
    """The window the officer is signed in at, if the hall knows it."""
    try:
        from bianmin.hall.selectors import session_current
    except ImportError:
        return ""
    session = session_current(officer_id=user.pk)
    return session.window.code if session is not None else ""


def _evidence_rows(data: Any) -> list[dict[str, Any]]:
    chosen = set(data.getlist("groups")) if hasattr(data, "getlist") else set(data or ())
    return [
        {
            "value": g.value,
            "label": g.label,
            "checked": g.value in chosen,
            "evidence": (data.get(f"evidence_{g.value}", "") if hasattr(data, "get") else ""),
        }
        for g in Group
    ]


# --- the window's fee panel (embedded in the cases workspace) --------------------------------


def _panel_context(
    request: HttpRequest,
    case_number: str,
    window: str,
    form: CollectForm | None = None,
    payment: Any = None,
    error: str = "",
) -> dict[str, Any]:
    user = request.user
    context: dict[str, Any] = {
        "case_number": case_number,
        "window": window,
        "error": error,
        "payment": payment,
        "form": form,
        "quote": None,
        "facts": None,
    }
    if not case_number:
        context["error"] = error or "请提供办件编号"
        return context
    facts = caselink.case_fee_facts(case_number=case_number, user=user)
    if facts is None:
        context["error"] = error or f"没有找到办件 {case_number}"
        return context
    context["facts"] = facts
    context["copies"] = free_copies(case_number=facts.number, center_id=_center(request))
    if payment is None:
        payment = (
            payments_for_case(case_number=facts.number, center_id=_center(request))
            .filter(kind=FeeKind.ITEM)
            .first()
        )
        context["payment"] = payment
    if payment is not None:
        return context
    data = request.POST if request.method == "POST" else None
    groups = data.getlist("groups") if data is not None else list(facts.groups)
    try:
        context["quote"] = fee_quote(
            center_id=_center(request),
            item_code=facts.item_code,
            variant_code=facts.fee_variant,
            on_date=clock.today(),
            id_number=facts.applicant_id_number,
            groups=groups,
        )
    except DomainError as exc:
        context["error"] = exc.message
    if form is None:
        form = (
            CollectForm(data)
            if data is not None
            else CollectForm(
                initial={
                    "name": facts.applicant_name,
                    "gender": facts.applicant_gender,
                    "id_type": "resident_id",
                    "groups": list(facts.groups),
                    "idempotency_key": uuid.uuid4().hex,
                    "window": window,
                    "stage": PaymentStage.PICKUP
                    if facts.status in ("arrived", "ready")
                    else PaymentStage.ACCEPTANCE,
                }
            )
        )
    context["form"] = form
    context["groups"] = _evidence_rows(data if data is not None else {"groups": facts.groups})
    return context


@login_required
def case_panel(request: HttpRequest) -> HttpResponse:
    """收费 for a case: quote with explanation, 零差错 confirmation, method, 收费 (idempotent)."""
    _need(request, Perm.FEE_COLLECT)
    source = request.POST if request.method == "POST" else request.GET
    case_number = source.get("case", "").strip()[:40]
    window = (source.get("window", "") or _current_window(request.user)).strip().upper()[:8]
    template = template_for(request, "fees/case_panel.html", "panel")
    if request.method != "POST" or "collect" not in request.POST:
        return render(request, template, _panel_context(request, case_number, window))
    form = CollectForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            template,
            _panel_context(request, case_number, window, form=form, error="请检查填写的内容"),
        )
    data = form.cleaned_data
    try:
        payment, _created = payment_collect_for_case(
            actor=request.user,
            case_number=case_number,
            method=data["method"],
            idempotency_key=data["idempotency_key"],
            payer=Payer(
                name=data["name"],
                gender=data["gender"],
                id_type=data["id_type"],
                id_number=data["id_number"],
            ),
            groups=data["groups"],
            evidence=form.evidence(request.POST),
            stage=data["stage"],
            window_code=window,
        )
    except DomainError as exc:
        return render(
            request,
            template,
            _panel_context(request, case_number, window, form=form, error=exc.message),
        )
    return render(request, template, _panel_context(request, case_number, window, payment=payment))


@login_required
@require_POST
def free_copies_view(request: HttpRequest) -> HttpResponse:
    _need(request, Perm.FEE_COLLECT)
    case_number = request.POST.get("case", "").strip()[:40]
    try:
        copies = int(request.POST.get("copies", "1") or "1")
    except ValueError:
        copies = 0
    try:
        total = free_copies_add(actor=request.user, case_number=case_number, copies=copies)
    except DomainError as exc:
        return render(
            request,
            "fees/case_panel.html#copies",
            {
                "case_number": case_number,
                "copies": free_copies(case_number=case_number, center_id=_center(request)),
                "copies_error": exc.message,
            },
        )
    return render(
        request, "fees/case_panel.html#copies", {"case_number": case_number, "copies": total}
    )


# --- the counter: walk-in fees without a case ---------------------------------------------------


def _fee_choices() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for item in item_list():
        variants = list(item.fee_variants.all())
        if variants:
            out += [
                (
                    f"{item.code}/{v.code}",
                    f"{item.code} {item.name} — {v.name}（{fmt_yuan(v.fee_fen)}）",
                )
                for v in variants
            ]
        else:
            out.append((item.code, f"{item.code} {item.name}（{fmt_yuan(item.fee_fen)}）"))
    return out


@login_required
def counter(request: HttpRequest) -> HttpResponse:
    """收费台: quote and collect a fee at the window without a case (walk-in)."""
    _need(request, Perm.FEE_COLLECT)
    data = request.POST if request.method == "POST" else None
    window = (data or request.GET).get("window", "") or _current_window(request.user)
    window = window.strip().upper()[:8]
    form = CounterForm(
        data,
        fee_choices=_fee_choices(),
        initial={"idempotency_key": uuid.uuid4().hex, "window": window, "id_type": "resident_id"},
    )
    context: dict[str, Any] = {
        "form": form,
        "window": window,
        "quote": None,
        "payment": None,
        "error": "",
        "groups": _evidence_rows(data or {}),
    }
    if data is not None:
        # The preview needs only the item, the ID number and the groups; collecting needs all.
        code, _slash, variant = data.get("fee", "").partition("/")
        try:
            context["quote"] = fee_quote(
                center_id=_center(request),
                item_code=code,
                variant_code=variant,
                on_date=clock.today(),
                id_number=data.get("id_number", "").strip()[:40],
                groups=data.getlist("groups"),
            )
        except DomainError as exc:
            context["error"] = exc.message
        if "collect" in data and not context["error"]:
            if form.is_valid():
                context.update(_counter_collect(request, form, code, variant, window))
            else:
                context["error"] = "请检查填写的内容"
    return render(request, template_for(request, "fees/counter.html", "result"), context)


def _counter_collect(
    request: HttpRequest, form: CounterForm, code: str, variant: str, window: str
) -> dict[str, Any]:
    data = form.cleaned_data
    try:
        payment, _created = payment_collect(
            actor=request.user,
            item_code=code,
            variant_code=variant,
            method=data["method"],
            idempotency_key=data["idempotency_key"],
            payer=Payer(
                name=data["name"],
                gender=data["gender"],
                id_type=data["id_type"] or "resident_id",
                id_number=data["id_number"].strip(),
            ),
            groups=data["groups"],
            evidence=form.evidence(request.POST),
            stage=data["stage"],
            window_code=window,
        )
    except DomainError as exc:
        return {"error": exc.message}
    return {"payment": payment}


# --- payments, receipts, refunds --------------------------------------------------------------


@login_required
def payments(request: HttpRequest) -> HttpResponse:
    _need(request, Perm.FEE_COLLECT, Perm.REPORT_VIEW, Perm.REFUND_APPROVE)
    day = _day(request.GET.get("day"), clock.today())
    sees_all = has_perm(request.user, Perm.REPORT_VIEW) or has_perm(
        request.user, Perm.REFUND_APPROVE
    )
    rows = payment_list(
        center_id=_center(request), day=day, officer_id=None if sees_all else request.user.pk
    )
    return render(
        request,
        "fees/payments.html",
        {
            "day": day,
            "payments": rows,
            "previous": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "sees_all": sees_all,
        },
    )


def _payment_for(request: HttpRequest, pk: int) -> Any:
    _need(request, Perm.FEE_COLLECT, Perm.REPORT_VIEW, Perm.REFUND_APPROVE)
    try:
        payment = payment_get(pk=pk, center_id=_center(request))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return payment


@login_required
def payment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    payment = _payment_for(request, pk)
    form = RefundRequestForm(request.POST or None)
    if request.method == "POST":
        _need(request, Perm.FEE_COLLECT)
        if form.is_valid():
            try:
                refund_request(
                    actor=request.user,
                    payment=payment,
                    amount_fen=form.cleaned_data["amount"],
                    reason=form.cleaned_data["reason"],
                    window_code=_current_window(request.user),
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "退费申请已提交，待中心主任审批")
                return redirect("fees:payment", pk=payment.pk)
    return render(
        request,
        "fees/payment_detail.html",
        {
            "payment": payment,
            "form": form,
            "refunds": payment.refunds.select_related("requested_by", "decided_by"),
            "refundable": refundable_fen(payment),
            "may_request": has_perm(request.user, Perm.FEE_COLLECT),
        },
    )


@login_required
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    payment = _payment_for(request, pk)
    page: PageKind = "a4" if request.GET.get("page") == "a4" else "receipt80"
    center = request.user.center  # type: ignore[union-attr]
    pdf = receipt_pdf(payment, center_name=center.name if center else "公安便民服务中心", page=page)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{receipt_filename(payment)}"'
    return response


@login_required
def refunds(request: HttpRequest) -> HttpResponse:
    """退费审批: the director approves or rejects each request."""
    _need(request, Perm.REFUND_APPROVE)
    center_id = _center(request)
    if request.method == "POST":
        form = RefundDecisionForm(request.POST)
        try:
            pk = int(request.POST.get("refund", "0"))
            refund = refund_get(pk=pk, center_id=center_id)
            if not form.is_valid():
                raise DomainError("请选择批准或驳回")
            refund_decide(
                actor=request.user,
                refund=refund,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
            )
        except ValueError:
            messages.error(request, "退费申请编号不正确")
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已审批")
        return redirect("fees:refunds")
    return render(
        request,
        "fees/refunds.html",
        {
            "pending": refund_list(center_id=center_id, status=RefundStatus.REQUESTED),
            "decided": refund_list(center_id=center_id).exclude(status=RefundStatus.REQUESTED)[:50],
        },
    )


# --- reconciliation (日结) ----------------------------------------------------------------------


@login_required
def reconciliation(request: HttpRequest) -> HttpResponse:
    """收费对账: every drawer of the day, by window and officer, balancing to the fen."""
    _need(request, Perm.REPORT_VIEW, Perm.REFUND_APPROVE)
    day = _day(request.GET.get("day"), clock.today())
    rows = drawer_rows(center_id=_center(request), day=day)
    return render(
        request,
        "fees/reconciliation.html",
        {
            "day": day,
            "rows": rows,
            "previous": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "total": {
                "count": sum(r.count for r in rows),
                "methods": [sum(r.by_method()[i]["collected"] for r in rows) for i in range(4)],
                "collected": sum(r.collected_fen for r in rows),
                "refunded": sum(r.refunded_fen for r in rows),
                "net": sum(r.net_fen for r in rows),
                "cash": sum(r.expected_cash_fen for r in rows),
                "waived": sum(r.waived_fen for r in rows),
            },
        },
    )


@login_required
def drawer(request: HttpRequest) -> HttpResponse:
    """我的日结: an officer's own drawer, counted and closed."""
    _need(request, Perm.FEE_COLLECT)
    day = _day(request.GET.get("day") or request.POST.get("day"), clock.today())
    rows = drawer_rows(center_id=_center(request), day=day, officer_id=request.user.pk)
    window = _current_window(request.user) or (rows[0].window_code if len(rows) == 1 else "")
    form = DrawerCloseForm(request.POST or None, initial={"window_code": window})
    if request.method == "POST" and form.is_valid():
        try:
            close = drawer_close(
                actor=request.user,
                day=day,
                window_code=form.cleaned_data["window_code"],
                counted_cash_fen=form.cleaned_data["counted"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if close.is_balanced:
                messages.success(request, "日结完成：现金相符")
            else:
                messages.warning(request, f"日结已记录：差额 {fmt_yuan(close.difference_fen)}")
            return redirect(f"{request.path}?day={day.isoformat()}")
    rows = drawer_rows(center_id=_center(request), day=day, officer_id=request.user.pk)
    return render(
        request,
        "fees/drawer.html",
        {
            "day": day,
            "rows": rows,
            "form": form,
            "previous": day - timedelta(days=1),
            "next": day + timedelta(days=1),
        },
    )


# --- savings ledger ------------------------------------------------------------------------


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    """节约台账: waivers by policy, item and month, with a chart."""
    _need(request, Perm.REPORT_VIEW, Perm.FEE_POLICY_EDIT)
    today = clock.today()
    start = _day(request.GET.get("start"), date(today.year, 1, 1))
    end = _day(request.GET.get("end"), today)
    if end < start:
        start, end = end, start
    center_id = _center(request)
    return render(
        request,
        "fees/ledger.html",
        {
            "start": start,
            "end": end,
            "report": savings_report(center_id=center_id, start=start, end=end),
            "total_fen": savings_total_fen(center_id=center_id),
            "copies": free_copies_total(center_id=center_id),
        },
    )


# --- policies ------------------------------------------------------------------------------


@login_required
def policies(request: HttpRequest) -> HttpResponse:
    _need(request, Perm.FEE_POLICY_EDIT)
    return render(
        request,
        "fees/policies.html",
        {
            "policies": policy_list(center_id=_center(request)),
            "groups": dict(Group.choices),
        },
    )


def _policy_input(data: dict[str, Any]) -> PolicyInput:
    return PolicyInput(
        name=data["name"],
        reason=data["reason"],
        targets=data["targets"],
        valid_from=data["valid_from"],
        valid_until=data["valid_until"],
        groups_any=data["groups_any"],
        requires_evidence=data["requires_evidence"],
        min_age=data["min_age"],
        max_age=data["max_age"],
        requires_student=data["requires_student"],
        requires_campaign=data["requires_campaign"],
        kind=data["kind"],
        percent=data["percent"],
        amount_fen=data["amount"] or 0,
        precedence=data["precedence"],
        note=data["note"],
        is_active=data["is_active"],
    )


@login_required
def policy_edit(request: HttpRequest, code: str = "") -> HttpResponse:
    """减免政策: create one (no code change needed) or change one, with its history."""
    _need(request, Perm.FEE_POLICY_EDIT)
    center_id = _center(request)
    policy = None
    if code:
        try:
            policy = policy_get(code=code, center_id=center_id)
        except NotFound as exc:
            raise Http404(exc.message) from exc
    initial: dict[str, Any] = {}
    if policy is not None:
        initial = {
            "code": policy.code,
            "name": policy.name,
            "reason": policy.reason,
            "targets": ",".join(policy.targets),
            "valid_from": policy.valid_from,
            "valid_until": policy.valid_until,
            "groups_any": policy.groups_any,
            "requires_evidence": policy.requires_evidence,
            "min_age": policy.min_age,
            "max_age": policy.max_age,
            "requires_student": policy.requires_student,
            "requires_campaign": policy.requires_campaign,
            "kind": policy.kind,
            "percent": policy.percent,
            "amount": fmt_yuan(policy.amount_fen).replace(" 元", "") if policy.amount_fen else "",
            "precedence": policy.precedence,
            "note": policy.note,
            "is_active": policy.is_active,
        }
    form = PolicyForm(request.POST or None, initial=initial)
    if policy is not None:
        form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = policy_save(
                actor=request.user,
                data=_policy_input(data),
                reason=data["change_reason"],
                code=data.get("code") or "",
                policy=policy,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已保存减免政策 {saved.code} {saved.name}")
            return redirect("fees:policy", code=saved.code)
    return render(
        request,
        "fees/policy_edit.html",
        {
            "policy": policy,
            "form": form,
            "revisions": policy_revisions(policy=policy) if policy else [],
        },
    )


# --- campaigns -----------------------------------------------------------------------------


def _campaign_readers() -> tuple[Perm, ...]:
    return (Perm.FEE_POLICY_EDIT, Perm.REPORT_VIEW, Perm.PERSON_EDIT)


@login_required
def campaigns(request: HttpRequest) -> HttpResponse:
    _need(request, *_campaign_readers())
    center_id = _center(request)
    rows = [(c, campaign_report(campaign=c)) for c in campaign_list(center_id=center_id)]
    return render(
        request,
        "fees/campaigns.html",
        {
            "rows": rows,
            "active": campaign_active(center_id=center_id, on=clock.today()),
            "may_edit": has_perm(request.user, Perm.FEE_POLICY_EDIT),
        },
    )


@login_required
def campaign_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The director defines a campaign: period, eligibility, items, extra windows, hours."""
    _need(request, Perm.FEE_POLICY_EDIT)
    center_id = _center(request)
    campaign = None
    if pk is not None:
        try:
            campaign = campaign_get(pk=pk, center_id=center_id)
        except NotFound as exc:
            raise Http404(exc.message) from exc
    choices = [
        (p.code, f"{p.code} {p.name}")
        for p in policy_list(center_id=center_id)
        if p.requires_campaign
    ]
    initial: dict[str, Any] = {"policy_code": "STUDENT-HOLIDAY"}
    if campaign is not None:
        initial = {
            "name": campaign.name,
            "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on,
            "policy_code": campaign.policy.code,
            "item_codes": ",".join(campaign.item_codes),
            "min_age": campaign.min_age,
            "max_age": campaign.max_age,
            "requires_student": campaign.requires_student,
            "extra_windows": ",".join(campaign.extra_windows),
            "opens_at": campaign.opens_at,
            "closes_at": campaign.closes_at,
            "open_weekends": campaign.open_weekends,
            "public_note": campaign.public_note,
            "is_cancelled": campaign.is_cancelled,
        }
    form = CampaignForm(request.POST or None, initial=initial, policy_choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = campaign_save(
                actor=request.user,
                campaign=campaign,
                data=CampaignInput(
                    name=data["name"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    policy_code=data["policy_code"],
                    item_codes=data["item_codes"],
                    min_age=data["min_age"],
                    max_age=data["max_age"],
                    requires_student=data["requires_student"],
                    extra_windows=data["extra_windows"],
                    opens_at=data["opens_at"],
                    closes_at=data["closes_at"],
                    open_weekends=data["open_weekends"],
                    public_note=data["public_note"],
                    is_cancelled=data["is_cancelled"],
                ),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已保存活动“{saved.name}”")
            return redirect("fees:campaign", pk=saved.pk)
    return render(request, "fees/campaign_edit.html", {"campaign": campaign, "form": form})


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """活动报告: cases, cards, yuan saved, appointments, with a chart; class-list upload."""
    _need(request, *_campaign_readers())
    try:
        campaign = campaign_get(pk=pk, center_id=_center(request))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    form = ClassListForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST":
        _need(request, Perm.PERSON_EDIT)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = class_list_import(
                    actor=request.user,
                    campaign=campaign,
                    filename=upload.name or "",
                    content=upload.read(),
                    appointment_date=form.cleaned_data["appointment_date"],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                if not result.is_rejected:
                    messages.success(request, f"已导入名单：预约 {result.appointments_created} 人")
                    return redirect("fees:campaign", pk=campaign.pk)
    return render(
        request,
        "fees/campaign_detail.html",
        {
            "campaign": campaign,
            "report": campaign_report(campaign=campaign),
            "form": form,
            "result": result,
            "columns": list(COLUMNS),
            "appointments": campaign_appointments(campaign=campaign)[:200],
            "class_lists": campaign.class_lists.select_related("uploaded_by")[:20],
            "may_edit": has_perm(request.user, Perm.FEE_POLICY_EDIT),
            "may_import": has_perm(request.user, Perm.PERSON_EDIT),
        },
    )


def campaign_hours(request: HttpRequest) -> HttpResponse:
    """Public fragment for the hall pages: the running campaign's extended hours and windows."""
    code = request.GET.get("center", "")[:16]
    center = center_get(code=code) if code else None
    if center is None and getattr(request.user, "is_authenticated", False):
        center = request.user.center  # type: ignore[union-attr]
    campaign = campaign_active(center_id=center.pk, on=clock.today()) if center else None
    template = "fees/campaign_banner.html"
    if not is_htmx(request) and request.GET.get("fragment") != "1":
        template = "fees/campaign_hours.html"
    return render(request, template, {"campaign": campaign, "center": center})
