"""Campaigns (办证活动): the director of a center defines its holiday campaigns."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, time
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.errors import DomainError, NotFound
from bianmin.core.permissions import Perm
from bianmin.fees.errors import FeeError
from bianmin.fees.models import Campaign, WaiverPolicy
from bianmin.fees.selectors import item_fee, policy_list
from bianmin.fees.services.common import WINDOW_CODE_RE, need


@dataclass
class CampaignInput:
    name: str
    starts_on: date
    ends_on: date
    policy_code: str = "STUDENT-HOLIDAY"
    item_codes: list[str] = field(default_factory=lambda: ["HZ02", "HZ03"])
    min_age: int | None = 6
    max_age: int | None = 18
    requires_student: bool = True
    extra_windows: list[str] = field(default_factory=list)
    opens_at: time | None = None
    closes_at: time | None = None
    open_weekends: bool = False
    public_note: str = ""
    is_cancelled: bool = False


def _clean_campaign(actor: StaffActor, data: CampaignInput) -> tuple[CampaignInput, WaiverPolicy]:
    if not data.name.strip():
        raise DomainError(_("请填写活动名称"), code=FeeError.NAME_REQUIRED)
    if data.ends_on < data.starts_on:
        raise DomainError(_("结束日期不能早于开始日期"), code=FeeError.PERIOD_ORDER)
    if (data.ends_on - data.starts_on).days > 366:
        raise DomainError(_("一次活动最长一年"), code=FeeError.PERIOD_TOO_LONG)
    policy = (
        policy_list(center_id=actor.center_id).filter(code=data.policy_code.strip().upper()).first()
    )
    if policy is None:
        raise DomainError(
            _("没有编码为 %s 的减免政策") % data.policy_code[:30], code=FeeError.UNKNOWN_POLICY
        )
    if not policy.requires_campaign:
        raise DomainError(
            _("政策“%s”不是活动类政策（未勾选“仅在活动期间适用”）") % policy.name,
            code=FeeError.POLICY_NOT_CAMPAIGN,
        )
    items = []
    for raw in data.item_codes:
        code = raw.strip().upper()
        if not code:
            continue
        item_fee(item_code=code)
        items.append(code)
    if not items:
        raise DomainError(_("请至少选择一个活动事项"), code=FeeError.ITEMS_REQUIRED)
    windows = []
    for raw in data.extra_windows:
        code = raw.strip().upper()
        if not code:
            continue
        if not WINDOW_CODE_RE.match(code):
            raise DomainError(
                _("窗口编号“%s”格式不正确，例如 W10") % code[:10], code=FeeError.INVALID_WINDOW
            )
        windows.append(code)
    if (data.opens_at is None) != (data.closes_at is None):
        raise DomainError(_("延长服务时间须同时填写开门和关门时间"), code=FeeError.HOURS_INCOMPLETE)
    if data.opens_at and data.closes_at and data.closes_at <= data.opens_at:
        raise DomainError(_("关门时间须晚于开门时间"), code=FeeError.HOURS_ORDER)
    if data.min_age is not None and data.max_age is not None and data.max_age < data.min_age:
        raise DomainError(_("最高年龄不能小于最低年龄"), code=FeeError.AGE_ORDER)
    cleaned = CampaignInput(
        **{
            **asdict(data),
            "name": data.name.strip()[:60],
            "item_codes": sorted(set(items)),
            "extra_windows": sorted(set(windows)),
            "public_note": data.public_note.strip()[:200],
            "policy_code": policy.code,
        }
    )
    return cleaned, policy


def _campaign_state(campaign: Campaign) -> dict[str, Any]:
    return {
        "name": campaign.name,
        "starts_on": campaign.starts_on.isoformat(),
        "ends_on": campaign.ends_on.isoformat(),
        "policy": campaign.policy.code,
        "items": campaign.item_codes,
        "ages": [campaign.min_age, campaign.max_age],
        "students": campaign.requires_student,
        "windows": campaign.extra_windows,
        "hours": [str(campaign.opens_at or ""), str(campaign.closes_at or "")],
        "weekends": campaign.open_weekends,
        "cancelled": campaign.is_cancelled,
    }


@transaction.atomic
def campaign_save(
    *, actor: StaffActor, data: CampaignInput, campaign: Campaign | None = None
) -> Campaign:
    """The director defines or changes a campaign (period, eligibility, items, hours)."""
    need(actor, Perm.FEE_POLICY_EDIT, _("只有中心主任可以设定办证活动"))
    data, policy = _clean_campaign(actor, data)
    if campaign is None:
        campaign = Campaign(center_id=home_center_id(actor), created_by_id=actor.pk)
        before = None
    else:
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.center_id != actor.center_id:
            raise NotFound(_("没有找到这个活动"), code=FeeError.UNKNOWN_CAMPAIGN)
        before = _campaign_state(campaign)
    values = asdict(data)
    values.pop("policy_code")
    for key, value in values.items():
        setattr(campaign, key, value)
    campaign.policy = policy
    campaign.save()
    audit_record(
        actor=actor,
        action=AuditAction.CAMPAIGN_UPDATED,
        target=campaign,
        before=before,
        after=_campaign_state(campaign),
    )
    return campaign
