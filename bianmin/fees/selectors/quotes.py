"""Quotes and what they read: policies, campaigns, the standard fee, the public guide price."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from bianmin.accounts.selectors import center_get
from bianmin.catalogue.selectors import item_get
from bianmin.core import clock
from bianmin.core.errors import DomainError, NotFound
from bianmin.fees.enums import Group
from bianmin.fees.errors import FeeError
from bianmin.fees.models import (
    Campaign,
    WaiverPolicy,
    WaiverPolicyRevision,
)
from bianmin.fees.quoting import (
    CampaignRule,
    Facts,
    ItemFee,
    PolicyRule,
    Quote,
    fmt_date,
    fmt_yuan,
    quote,
)
from bianmin.people.idnumber import age_on, check_id_number

# The reference fee table (catalogue.md) reflects the 2019 price reductions and the free
# household-registration window opened on 2019-06-01. Quotes for earlier days are refused rather
# than guessed; a fee more than a year ahead is not known either (fees change by notice).
FEES_DATA_FROM = date.fromisoformat(getattr(settings, "BIANMIN_FEES_DATA_FROM", "2019-06-01"))
FEES_DATA_AHEAD_DAYS = 366

# ID card items: the "cards" of a campaign report.
ID_CARD_ITEMS = ("HZ01", "HZ02", "HZ03", "HZ04")


# --- policies and campaigns -----------------------------------------------------------------


def policy_list(*, center_id: int | None, active_only: bool = False) -> QuerySet[WaiverPolicy]:
    """The policies in force at a center: the province-wide ones and the center's own.

    `center_id=None` (a province administrator) lists the province-wide ones only.
    """
    scope = Q(center__isnull=True)
    if center_id:
        scope |= Q(center_id=center_id)
    qs = WaiverPolicy.objects.filter(scope)
    return qs.filter(is_active=True) if active_only else qs


def policy_get(*, code: str, center_id: int | None) -> WaiverPolicy:
    policy = policy_list(center_id=center_id).filter(code=code.strip().upper()).first()
    if policy is None:
        raise NotFound(_("没有编码为 %s 的减免政策") % code, code=FeeError.UNKNOWN_POLICY)
    return policy


def policy_revisions(*, policy: WaiverPolicy) -> list[dict[str, Any]]:
    """The history, newest first, each with the fields it changed."""
    revisions = list(
        WaiverPolicyRevision.objects.filter(policy=policy)
        .select_related("changed_by")
        .order_by("changed_at", "pk")
    )
    out = []
    previous: dict[str, Any] = {}
    for revision in revisions:
        changed = sorted(k for k, v in revision.snapshot.items() if previous.get(k) != v)
        labels = [_field_label(WaiverPolicy, k) for k in changed] if previous else []
        out.append({"revision": revision, "changed": labels})
        previous = revision.snapshot
    return list(reversed(out))


def _field_label(model: Any, name: str) -> str:
    """A field's Chinese label for a history table (the name itself if the field is gone)."""
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def policy_rule(policy: WaiverPolicy) -> PolicyRule:
    return PolicyRule(
        code=policy.code,
        name=policy.name,
        reason=policy.reason,
        targets=tuple(policy.targets),
        valid_from=policy.valid_from,
        valid_until=policy.valid_until,
        groups_any=frozenset(policy.groups_any),
        requires_evidence=policy.requires_evidence,
        min_age=policy.min_age,
        max_age=policy.max_age,
        requires_student=policy.requires_student,
        requires_campaign=policy.requires_campaign,
        kind=policy.kind,
        percent=policy.percent,
        amount_fen=policy.amount_fen,
        precedence=policy.precedence,
        note=policy.note,
        is_active=policy.is_active,
        policy_id=policy.pk,
    )


def campaign_list(*, center_id: int) -> QuerySet[Campaign]:
    return Campaign.objects.filter(center_id=center_id).select_related("policy")


def campaign_get(*, pk: int, center_id: int) -> Campaign:
    campaign = campaign_list(center_id=center_id).filter(pk=pk).first()
    if campaign is None:
        raise NotFound(_("没有找到这个活动"), code=FeeError.UNKNOWN_CAMPAIGN)
    return campaign


def campaign_rule(campaign: Campaign) -> CampaignRule:
    return CampaignRule(
        name=campaign.name,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        policy_code=campaign.policy.code,
        item_codes=frozenset(campaign.item_codes),
        min_age=campaign.min_age,
        max_age=campaign.max_age,
        requires_student=campaign.requires_student,
        campaign_id=campaign.pk,
    )


def campaign_active(*, center_id: int, on: date) -> Campaign | None:
    """The campaign running at the center on `on` (the earliest started, if several)."""
    return (
        campaign_list(center_id=center_id)
        .filter(is_cancelled=False, starts_on__lte=on, ends_on__gte=on)
        .order_by("starts_on", "pk")
        .first()
    )


# --- the quote ------------------------------------------------------------------------------


def _bad(message: str, code: FeeError) -> DomainError:
    return DomainError(message, code=code, status=400)


def item_fee(*, item_code: str, variant_code: str = "") -> ItemFee:
    """The standard fee of an item (and variant) from the catalogue; clear errors otherwise."""
    code = (item_code or "").strip().upper()
    if not code:
        raise _bad(_("请提供事项编码"), FeeError.UNKNOWN_ITEM)
    try:
        item = item_get(code=code)
    except NotFound as exc:
        raise _bad(_("没有编码为 %s 的事项") % code[:20], FeeError.UNKNOWN_ITEM) from exc
    variants = {v.code: v for v in item.fee_variants.all()}
    variant_code = (variant_code or "").strip()
    if variant_code:
        variant = variants.get(variant_code)
        if variant is None:
            known = "、".join(f"{v.code}（{v.name}）" for v in variants.values())
            message = (
                _("事项 %(item)s 没有收费类型 %(variant)s，可选：%(known)s")
                % {"item": item.code, "variant": variant_code[:30], "known": known}
                if known
                else _("事项 %(item)s 没有收费类型之分，不能指定 %(variant)s")
                % {"item": item.code, "variant": variant_code[:30]}
            )
            raise _bad(message, FeeError.UNKNOWN_VARIANT)
        return ItemFee(
            code=item.code,
            name=item.name,
            standard_fen=variant.fee_fen,
            variant_code=variant.code,
            variant_name=variant.name,
        )
    return ItemFee(code=item.code, name=item.name, standard_fen=item.fee_fen)


def check_quote_date(on_date: date) -> None:
    if on_date < FEES_DATA_FROM:
        raise _bad(
            _("%(day)s 早于收费标准数据的起始日期 %(start)s，无法计算")
            % {"day": fmt_date(on_date), "start": fmt_date(FEES_DATA_FROM)},
            FeeError.DATE_OUT_OF_RANGE,
        )
    last = clock.today() + timedelta(days=FEES_DATA_AHEAD_DAYS)
    if on_date > last:
        raise _bad(
            _("%(day)s 超出可计算的范围：收费标准最远只能计算到 %(last)s")
            % {"day": fmt_date(on_date), "last": fmt_date(last)},
            FeeError.DATE_OUT_OF_RANGE,
        )


def clean_groups(groups: Iterable[str]) -> frozenset[str]:
    out = set()
    for raw in groups:
        value = (raw or "").strip().lower()
        if not value:
            continue
        if value not in Group.values:
            known = "、".join(f"{g.value}（{g.label}）" for g in Group)
            raise _bad(
                _("未知的人群类别：%(group)s。可选：%(known)s")
                % {"group": value[:30], "known": known},
                FeeError.UNKNOWN_GROUP,
            )
        out.add(value)
    return frozenset(out)


def age_from_id_number(id_number: str, on_date: date) -> int:
    check = check_id_number(id_number[:40], today=clock.today())
    if not check.valid:
        raise _bad(_("身份证号码无效：%s") % check.error, FeeError.INVALID_ID_NUMBER)
    try:
        return age_on(check.normalized, on_date)
    except ValueError as exc:
        raise _bad(_("收费日期早于申请人的出生日期"), FeeError.INVALID_ID_NUMBER) from exc


def fee_quote(
    *,
    center_id: int,
    item_code: str,
    on_date: date,
    variant_code: str = "",
    id_number: str = "",
    groups: Iterable[str] = (),
    evidence: Mapping[str, str] | None = None,
) -> Quote:
    """The quote for an item on a day for an applicant, with every policy of the center."""
    item = item_fee(item_code=item_code, variant_code=variant_code)
    check_quote_date(on_date)
    age = age_from_id_number(id_number, on_date) if (id_number or "").strip() else None
    facts = Facts(age=age, groups=clean_groups(groups), evidence=evidence)
    policies = [policy_rule(p) for p in policy_list(center_id=center_id, active_only=True)]
    campaigns = [
        campaign_rule(c)
        for c in campaign_list(center_id=center_id).filter(
            is_cancelled=False, starts_on__lte=on_date, ends_on__gte=on_date
        )
    ]
    return quote(item=item, on_date=on_date, facts=facts, policies=policies, campaigns=campaigns)


def _unconditional(rule: PolicyRule) -> bool:
    """A policy everyone gets: no group, age, student or campaign condition."""
    return not (
        rule.groups_any
        or rule.min_age is not None
        or rule.max_age is not None
        or rule.requires_student
        or rule.requires_campaign
    )


def guide_price_scope(center_code: str) -> str:
    """Which guide `center_code` sees: its own (the code of an existing center) or the
    province's ("" for an unknown code), as `guide_price_texts` decides."""
    center = center_get(code=center_code) if center_code else None
    return center.code if center else ""


def guide_price_texts(
    fees: Sequence[tuple[str, str, int]], center_code: str = ""
) -> dict[tuple[str, str], str]:
    """The public guide's prices: what every citizen pays today after the waivers that need no
    condition, with the policy's name ("免费（免费户籍窗口）"). Only fees a policy changes are
    answered; the catalogue shows the others at their standard fee.

    The province-wide policies always count; a center's own only on its guide (`center_code`).
    """
    center = center_get(code=center_code) if center_code else None
    today = clock.today()
    rules = [
        rule
        for rule in (
            policy_rule(p)
            for p in policy_list(center_id=center.pk if center else None, active_only=True)
        )
        if _unconditional(rule)
    ]
    texts: dict[tuple[str, str], str] = {}
    for code, variant, fen in fees:
        if not fen:
            continue
        item = ItemFee(code=code, name=code, standard_fen=fen, variant_code=variant)
        q = quote(item=item, on_date=today, facts=Facts(), policies=rules, campaigns=[])
        lines = [line for line in q.lines if line.waived_fen > 0]
        if not lines:
            continue
        names = "、".join(line.policy_name for line in lines)
        texts[code, variant] = (
            _("免费（%s）") % names
            if q.payable_fen == 0
            else _("%(paid)s（%(names)s，原价 %(standard)s）")
            % {"paid": fmt_yuan(q.payable_fen), "names": names, "standard": fmt_yuan(fen)}
        )
    return texts
