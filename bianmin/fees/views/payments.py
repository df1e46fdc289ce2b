"""Payments, receipts, refunds and the cash drawers (日结)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from bianmin.core import clock
from bianmin.core.errors import DomainError, NotFound
from bianmin.core.pdf import PageKind
from bianmin.core.permissions import Perm, has_perm
from bianmin.fees.enums import RefundStatus
from bianmin.fees.forms import (
    DrawerCloseForm,
    RefundDecisionForm,
    RefundRequestForm,
)
from bianmin.fees.models import Payment
from bianmin.fees.quoting import fmt_yuan
from bianmin.fees.receipts import receipt_filename, receipt_pdf
from bianmin.fees.selectors import (
    drawer_rows,
    payment_list_for,
    refund_get,
    refund_list,
    refundable_fen,
    sees_all_payments,
)
from bianmin.fees.services import (
    drawer_close,
    payment_open,
    refund_decide,
    refund_request,
)
from bianmin.fees.views.common import actor_of, center_of, current_window, day_param, need

# --- payments, receipts, refunds --------------------------------------------------------------


@login_required
def payments(request: HttpRequest) -> HttpResponse:
    """收费记录: an officer's own payments of the day; a supervisor's, the whole center's."""
    need(request, Perm.FEE_COLLECT, Perm.REPORT_VIEW, Perm.REFUND_APPROVE)
    day = day_param(request.GET.get("day"), clock.today())
    return render(
        request,
        "fees/payments.html",
        {
            "day": day,
            "payments": payment_list_for(user=actor_of(request), day=day),
            "previous": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "sees_all": sees_all_payments(request.user),
        },
    )


def _payment_for(request: HttpRequest, pk: int, receipt_page: str = "") -> Payment:
    need(request, Perm.FEE_COLLECT, Perm.REPORT_VIEW, Perm.REFUND_APPROVE)
    try:
        return payment_open(actor=actor_of(request), pk=pk, receipt_page=receipt_page)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
def payment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    payment = _payment_for(request, pk)
    form = RefundRequestForm(request.POST or None)
    if request.method == "POST":
        need(request, Perm.FEE_COLLECT)
        if form.is_valid():
            try:
                refund_request(
                    actor=actor_of(request),
                    payment=payment,
                    amount_fen=form.cleaned_data["amount"],
                    reason=form.cleaned_data["reason"],
                    window_code=current_window(actor_of(request)),
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
    page: PageKind = "a4" if request.GET.get("page") == "a4" else "receipt80"
    payment = _payment_for(request, pk, receipt_page=page)
    center = request.user.center  # type: ignore[union-attr]
    pdf = receipt_pdf(payment, center_name=center.name if center else "公安便民服务中心", page=page)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{receipt_filename(payment)}"'
    return response


@login_required
def refunds(request: HttpRequest) -> HttpResponse:
    """退费审批: the director approves or rejects each request."""
    need(request, Perm.REFUND_APPROVE)
    center_id = center_of(request)
    if request.method == "POST":
        form = RefundDecisionForm(request.POST)
        try:
            pk = int(request.POST.get("refund", "0"))
            refund = refund_get(pk=pk, center_id=center_id)
            if not form.is_valid():
                raise DomainError("请选择批准或驳回")
            refund_decide(
                actor=actor_of(request),
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
    need(request, Perm.REPORT_VIEW, Perm.REFUND_APPROVE)
    day = day_param(request.GET.get("day"), clock.today())
    rows = drawer_rows(center_id=center_of(request), day=day)
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
    need(request, Perm.FEE_COLLECT)
    day = day_param(request.GET.get("day") or request.POST.get("day"), clock.today())
    signed_in = current_window(actor_of(request))
    rows = drawer_rows(
        center_id=center_of(request),
        day=day,
        officer_id=request.user.pk,
        window_code=signed_in or None,
    )
    window = signed_in or (rows[0].window_code if len(rows) == 1 else "")
    form = DrawerCloseForm(request.POST or None, initial={"window_code": window})
    if request.method == "POST" and form.is_valid():
        try:
            close = drawer_close(
                actor=actor_of(request),
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
    rows = drawer_rows(
        center_id=center_of(request),
        day=day,
        officer_id=request.user.pk,
        window_code=signed_in or None,
    )
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


@login_required
def drawer_summary(request: HttpRequest) -> HttpResponse:
    """今日收款 on the officer's workspace: today's takings of their own drawer (a fragment)."""
    need(request, Perm.FEE_COLLECT)
    rows = drawer_rows(center_id=center_of(request), day=clock.today(), officer_id=request.user.pk)
    return render(
        request,
        "fees/drawer_summary.html",
        {
            "count": sum(r.count for r in rows),
            "net_fen": sum(r.net_fen for r in rows),
            "cash_fen": sum(r.expected_cash_fen for r in rows),
            "closed": bool(rows) and all(r.closed for r in rows),
        },
    )
