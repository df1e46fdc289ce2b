"""The savings ledger and the waiver policies."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from bianmin.core import clock
from bianmin.core.errors import DomainError, NotFound
from bianmin.core.permissions import Perm
from bianmin.fees.enums import Group
from bianmin.fees.forms import (
    PolicyForm,
)
from bianmin.fees.models import WaiverPolicy
from bianmin.fees.quoting import PolicyRule, fmt_yuan
from bianmin.fees.selectors import (
    free_copies_total,
    policy_get,
    policy_list,
    policy_revisions,
    savings_report,
    savings_total_fen,
)
from bianmin.fees.services import (
    is_province_actor,
    may_edit_policies,
    policy_save,
)
from bianmin.fees.views.common import actor_of, center_of, day_param, need

# --- savings ledger ------------------------------------------------------------------------


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    """节约台账: waivers by policy, item and month, with a chart."""
    need(request, Perm.REPORT_VIEW, Perm.FEE_POLICY_EDIT)
    today = clock.today()
    start = day_param(request.GET.get("start"), date(today.year, 1, 1))
    end = day_param(request.GET.get("end"), today)
    if end < start:
        start, end = end, start
    center_id = center_of(request)
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
    if not may_edit_policies(request.user):
        raise HttpForbidden
    return render(
        request,
        "fees/policies.html",
        {
            "policies": policy_list(center_id=center_of(request)),
            "groups": dict(Group.choices),
            "province": is_province_actor(request.user),
        },
    )


def _policy_rule(data: dict[str, Any]) -> PolicyRule:
    return PolicyRule(
        code=data.get("code") or "",
        name=data["name"],
        reason=data["reason"],
        targets=tuple(data["targets"]),
        valid_from=data["valid_from"],
        valid_until=data["valid_until"],
        groups_any=frozenset(data["groups_any"]),
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


def _policy_initial(policy: WaiverPolicy) -> dict[str, Any]:
    return {
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


@login_required
def policy_edit(request: HttpRequest, code: str = "") -> HttpResponse:
    """减免政策: create one in the user's scope, or change one they may write; with history.

    A director sees the province-wide policies read-only: only a province administrator
    writes those.
    """
    if not may_edit_policies(request.user):
        raise HttpForbidden
    policy = None
    if code:
        try:
            policy = policy_get(code=code, center_id=center_of(request))
        except NotFound as exc:
            raise Http404(exc.message) from exc
    read_only = policy is not None and (policy.center_id is None) != is_province_actor(request.user)
    form = PolicyForm(request.POST or None, initial=_policy_initial(policy) if policy else {})
    if policy is not None:
        form.fields["code"].disabled = True
    if read_only:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = policy_save(
                actor=actor_of(request),
                data=_policy_rule(data),
                reason=data["change_reason"] or "",
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
            "read_only": read_only,
            "revisions": policy_revisions(policy=policy) if policy else [],
        },
    )
