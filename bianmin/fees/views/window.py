"""The window's fee panel (embedded in the cases workspace), free copies, the counter."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from bianmin.cases.selectors import case_fee_facts
from bianmin.catalogue.selectors import item_list
from bianmin.core import clock
from bianmin.core.errors import DomainError
from bianmin.core.htmx import template_for
from bianmin.core.permissions import Perm
from bianmin.fees.enums import FeeKind, PaymentStage
from bianmin.fees.forms import (
    CollectForm,
    CounterForm,
)
from bianmin.fees.quoting import fmt_yuan
from bianmin.fees.selectors import (
    fee_quote,
    free_copies,
    payments_for_case,
)
from bianmin.fees.services import (
    Payer,
    free_copies_add,
    payment_collect,
    payment_collect_for_case,
)
from bianmin.fees.views.common import actor_of, center_of, current_window, evidence_rows, need

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
    facts = case_fee_facts(case_number=case_number, user=user)
    if facts is None:
        context["error"] = error or f"没有找到办件 {case_number}"
        return context
    context["facts"] = facts
    context["copies"] = free_copies(case_number=facts.number, center_id=center_of(request))
    if payment is None:
        payment = (
            payments_for_case(case_number=facts.number, center_id=center_of(request))
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
            center_id=center_of(request),
            item_code=facts.item_code,
            variant_code=facts.fee_variant or "",
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
    context["groups"] = evidence_rows(data if data is not None else {"groups": facts.groups})
    return context


@login_required
def case_panel(request: HttpRequest) -> HttpResponse:
    """收费 for a case: quote with explanation, 零差错 confirmation, method, 收费 (idempotent)."""
    need(request, Perm.FEE_COLLECT)
    source = request.POST if request.method == "POST" else request.GET
    case_number = source.get("case", "").strip()[:40]
    window = (source.get("window", "") or current_window(actor_of(request))).strip().upper()[:8]
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
            actor=actor_of(request),
            case_number=case_number,
            method=data["method"],
            idempotency_key=data["idempotency_key"],
            payer=Payer(
                name=data["name"],
                gender=data["gender"],
                id_type=data["id_type"],
                id_number=data["id_number"],
                confirm_method=request.POST.get("confirm_method", "typed")[:10],
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
    need(request, Perm.FEE_COLLECT)
    case_number = request.POST.get("case", "").strip()[:40]
    try:
        copies = int(request.POST.get("copies", "1") or "1")
    except ValueError:
        copies = 0
    try:
        total = free_copies_add(actor=actor_of(request), case_number=case_number, copies=copies)
    except DomainError as exc:
        return render(
            request,
            "fees/case_panel.html#copies",
            {
                "case_number": case_number,
                "copies": free_copies(case_number=case_number, center_id=center_of(request)),
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
    need(request, Perm.FEE_COLLECT)
    data = request.POST if request.method == "POST" else None
    window = (data or request.GET).get("window", "") or current_window(actor_of(request))
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
        "groups": evidence_rows(data or {}),
    }
    if data is not None:
        # The preview needs only the item, the ID number and the groups; collecting needs all.
        code, _slash, variant = data.get("fee", "").partition("/")
        try:
            context["quote"] = fee_quote(
                center_id=center_of(request),
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
            actor=actor_of(request),
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
