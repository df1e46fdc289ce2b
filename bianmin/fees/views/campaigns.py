"""Campaigns (办证活动) and the public campaign hours fragment."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from bianmin.accounts.selectors import center_get, center_hours
from bianmin.core import clock
from bianmin.core.errors import DomainError, NotFound
from bianmin.core.htmx import is_htmx
from bianmin.core.permissions import Perm, has_perm
from bianmin.fees.forms import (
    CampaignForm,
    ClassListForm,
)
from bianmin.fees.imports import COLUMNS, class_list_import
from bianmin.fees.selectors import (
    campaign_active,
    campaign_appointments,
    campaign_get,
    campaign_list,
    campaign_report,
    policy_list,
)
from bianmin.fees.services import (
    CampaignInput,
    campaign_save,
)
from bianmin.fees.views.common import actor_of, center_of, need

# --- campaigns -----------------------------------------------------------------------------


def _campaign_readers() -> tuple[Perm, ...]:
    return (Perm.FEE_POLICY_EDIT, Perm.REPORT_VIEW, Perm.PERSON_EDIT)


@login_required
def campaigns(request: HttpRequest) -> HttpResponse:
    need(request, *_campaign_readers())
    center_id = center_of(request)
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
    need(request, Perm.FEE_POLICY_EDIT)
    center_id = center_of(request)
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
                actor=actor_of(request),
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
    need(request, *_campaign_readers())
    try:
        campaign = campaign_get(pk=pk, center_id=center_of(request))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    form = ClassListForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST":
        need(request, Perm.PERSON_EDIT)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = class_list_import(
                    actor=actor_of(request),
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
    today = clock.today()
    campaign = campaign_active(center_id=center.pk, on=today) if center else None
    template = "fees/campaign_banner.html"
    if not is_htmx(request) and request.GET.get("fragment") != "1":
        template = "fees/campaign_hours.html"
    hours = center_hours(center_id=center.pk, day=today) if center else None
    return render(request, template, {"campaign": campaign, "center": center, "hours": hours})
