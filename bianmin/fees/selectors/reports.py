"""The savings ledger, the campaign report and the director's home panel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from bianmin.core import clock
from bianmin.fees.enums import RefundStatus
from bianmin.fees.models import (
    Campaign,
    CampaignAppointment,
    ClassList,
    FreeCopyCount,
    Payment,
    SavingsEntry,
)
from bianmin.fees.selectors.payments import refund_list
from bianmin.fees.selectors.quotes import ID_CARD_ITEMS, campaign_active

# --- the savings ledger ---------------------------------------------------------------------


def savings_total_fen(*, center_id: int) -> int:
    return SavingsEntry.objects.filter(center_id=center_id).aggregate(s=Sum("waived_fen"))["s"] or 0


def savings_report(*, center_id: int, start: date, end: date) -> dict[str, Any]:
    """By policy, by item and by month, for `start`..`end`; the chart's series too."""
    qs = SavingsEntry.objects.filter(center_id=center_id, posted_on__gte=start, posted_on__lte=end)
    by_policy = list(
        qs.values("policy_code", "policy_name")
        .annotate(fen=Sum("waived_fen"), count=Count("pk"))
        .order_by("policy_code")
    )
    by_item = list(
        qs.values("item_code")
        .annotate(fen=Sum("waived_fen"), count=Count("pk"))
        .order_by("item_code")
    )
    monthly = list(
        qs.annotate(month=TruncMonth("posted_on"))
        .values("month", "policy_code")
        .annotate(fen=Sum("waived_fen"), count=Count("pk"))
        .order_by("month")
    )
    months = sorted({_month_key(m["month"]) for m in monthly})
    codes = [p["policy_code"] for p in by_policy]
    cells = {(_month_key(m["month"]), m["policy_code"]): m["fen"] for m in monthly}
    table = [
        {
            "month": month,
            "cells": [cells.get((month, c), 0) for c in codes],
            "total": sum(cells.get((month, c), 0) for c in codes),
        }
        for month in months
    ]
    names = {p["policy_code"]: p["policy_name"] for p in by_policy}
    chart = {
        "months": months,
        "series": [
            {"name": names[c], "data": [cells.get((m, c), 0) / 100 for m in months]} for c in codes
        ],
    }
    total = qs.aggregate(s=Sum("waived_fen"), n=Count("pk"))
    return {
        "by_policy": by_policy,
        "by_item": by_item,
        "table": table,
        "codes": codes,
        "chart": chart,
        "total_fen": total["s"] or 0,
        "count": total["n"] or 0,
    }


def _month_key(value: Any) -> str:
    return f"{value.year}-{value.month:02d}"


def free_copies_total(*, center_id: int) -> int:
    return FreeCopyCount.objects.filter(center_id=center_id).aggregate(s=Sum("copies"))["s"] or 0


# --- campaign report ------------------------------------------------------------------------


def campaign_report(*, campaign: Campaign) -> dict[str, Any]:
    payments = Payment.objects.filter(campaign=campaign)
    saved = SavingsEntry.objects.filter(campaign=campaign)
    per_day_cases = dict(
        payments.values_list("on_date").annotate(n=Count("pk")).values_list("on_date", "n")
    )
    per_day_saved = dict(
        saved.values_list("posted_on").annotate(s=Sum("waived_fen")).values_list("posted_on", "s")
    )
    days = []
    day = campaign.starts_on
    while day <= campaign.ends_on:
        days.append(day)
        day += timedelta(days=1)
    return {
        "cases": payments.count(),
        "cards": payments.filter(item_code__in=ID_CARD_ITEMS).count(),
        "saved_fen": saved.aggregate(s=Sum("waived_fen"))["s"] or 0,
        "appointments": CampaignAppointment.objects.filter(campaign=campaign).count(),
        "class_lists": ClassList.objects.filter(campaign=campaign, is_rejected=False).count(),
        "by_item": list(
            payments.values("item_code", "item_name")
            .annotate(n=Count("pk"), waived=Sum("waived_fen"))
            .order_by("item_code")
        ),
        "chart": {
            "days": [f"{d.month}-{d.day:02d}" for d in days],
            "cases": [per_day_cases.get(d, 0) for d in days],
            "saved": [(per_day_saved.get(d) or 0) / 100 for d in days],
        },
    }


def campaign_appointments(*, campaign: Campaign) -> QuerySet[CampaignAppointment]:
    return CampaignAppointment.objects.filter(campaign=campaign).select_related("person")


def director_panel(user: Any) -> dict[str, Any]:
    """The director's home panel: 已累计为群众节约 N 元, this month, the running campaign."""
    today = clock.today()
    center_id = user.center_id
    month = SavingsEntry.objects.filter(
        center_id=center_id, posted_on__gte=today.replace(day=1), posted_on__lte=today
    ).aggregate(s=Sum("waived_fen"))
    return {
        "total_fen": savings_total_fen(center_id=center_id),
        "month_fen": month["s"] or 0,
        "campaign": campaign_active(center_id=center_id, on=today),
        "pending_refunds": refund_list(center_id=center_id, status=RefundStatus.REQUESTED).count(),
    }


# --- period figures (the reports context's briefing and periodic reports) -------------------


@dataclass(frozen=True)
class FeePeriodFigures:
    """Payments of one center dated `start`..`end` (inclusive), in fen."""

    payments: int
    collected_fen: int  # paid by citizens, refunds deducted
    waived_fen: int  # waived under the waiver policies and campaigns
    refunded_fen: int
    free_payments: int  # payments waived in full


def period_figures(*, center_id: int, start: date, end: date) -> FeePeriodFigures:
    totals = Payment.objects.filter(
        center_id=center_id, on_date__gte=start, on_date__lte=end
    ).aggregate(
        n=Count("pk"),
        payable=Sum("payable_fen"),
        waived=Sum("waived_fen"),
        refunded=Sum("refunded_fen"),
        free=Count("pk", filter=Q(payable_fen=0)),
    )
    refunded = totals["refunded"] or 0
    return FeePeriodFigures(
        payments=totals["n"] or 0,
        collected_fen=(totals["payable"] or 0) - refunded,
        waived_fen=totals["waived"] or 0,
        refunded_fen=refunded,
        free_payments=totals["free"] or 0,
    )


@dataclass(frozen=True)
class CampaignTotals:
    """Every student holiday campaign (假期免费办证) of a center so far."""

    campaigns: int
    cards: int
    saved_fen: int


def campaign_totals(*, center_id: int) -> CampaignTotals:
    campaigns = Campaign.objects.filter(center_id=center_id, is_cancelled=False)
    cards = Payment.objects.filter(campaign__in=campaigns, item_code__in=ID_CARD_ITEMS).count()
    saved = SavingsEntry.objects.filter(campaign__in=campaigns).aggregate(s=Sum("waived_fen"))
    return CampaignTotals(campaigns=campaigns.count(), cards=cards, saved_fen=saved["s"] or 0)
