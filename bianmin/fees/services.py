"""Writes of the fees context: reference policies, the director's policy and campaign edits,
payments (exactly once), refunds, drawer closes, free copies, class lists, demo history."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.cases.enums import IdType
from bianmin.core import clock
from bianmin.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from bianmin.core.permissions import Perm, has_perm
from bianmin.fees import caselink
from bianmin.fees.enums import (
    PAYING_METHODS,
    FeeErrorCode,
    FeeKind,
    Group,
    PaymentMethod,
    PaymentStage,
    RefundStatus,
    WaiverKind,
)
from bianmin.fees.models import (
    Campaign,
    DrawerClose,
    FreeCopyCount,
    Payment,
    Refund,
    SavingsEntry,
    WaiverPolicy,
    WaiverPolicyRevision,
)
from bianmin.fees.quoting import Quote, fmt_yuan
from bianmin.fees.selectors import (
    clean_groups,
    drawer_rows,
    fee_quote,
    item_fee,
    refundable_fen,
)
from bianmin.people.idnumber import check_id_number, mask_id_number

IDEMPOTENCY_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
WINDOW_CODE_RE = re.compile(r"^[A-Z]{1,2}\d{1,3}$")
MAX_FEN = 100_000_00  # no single fee or refund in the catalogue comes near 100 000 元


# --- money ----------------------------------------------------------------------------------


def yuan_to_fen(value: Any) -> int:
    """Parse an amount in yuan ("12", "12.5", "12.50", Decimal) into exact fen.

    Floats are refused: money never passes through binary floating point.
    """
    if isinstance(value, bool | float):
        raise DomainError(_("金额须以数字文本或整数分传入"), code=FeeErrorCode.INVALID_AMOUNT.value)
    text = str(value).strip().replace("元", "").replace(",", "").replace("，", "")
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(
            _("金额“%s”不是数字，请输入例如 12.50") % text[:20],
            code=FeeErrorCode.INVALID_AMOUNT.value,
        ) from exc
    if not amount.is_finite():
        raise DomainError(_("金额不是有效数字"), code=FeeErrorCode.INVALID_AMOUNT.value)
    if amount < 0:
        raise DomainError(_("金额不能为负数"), code=FeeErrorCode.INVALID_AMOUNT.value)
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise DomainError(_("金额最多精确到分（两位小数）"), code=FeeErrorCode.INVALID_AMOUNT.value)
    if fen > MAX_FEN:
        raise DomainError(_("金额过大"), code=FeeErrorCode.INVALID_AMOUNT.value)
    return int(fen)


def _need(actor: Any, perm: Perm, message: str) -> None:
    if not has_perm(actor, perm):
        raise PermissionDenied(message)


# --- reference policies ---------------------------------------------------------------------

REFERENCE_POLICIES: list[dict[str, Any]] = [
    {
        "code": "FREE-HOUSEHOLD",
        "name": "免费户籍窗口",
        "reason": "本中心免费户籍窗口：临时居民身份证、户口簿补换领，迁移证、准迁证、居住证补发免收工本费",
        "valid_from": date(2019, 6, 1),
        "targets": ["HZ04", "HZ10", "HZ07", "HZ08", "HZ12"],
        "precedence": 10,
        "note": "居民身份证换领（HZ02）、补领（HZ03）仍按标准收费。迁移证、准迁证（HZ07/HZ08）和"
        "居住证（HZ12）首次签发本就免费；如在事项目录中为补发设定了工本费，本政策自动全免。",
    },
    {
        "code": "LOW-INCOME",
        "name": "特困群体减免",
        "reason": "财综〔2004〕8号：五保户、贫困户、定期救济户、城市低保对象、优抚对象免收居民身份证工本费",
        "targets": ["HZ02", "HZ03"],
        "groups_any": [
            g.value
            for g in (
                Group.LOW_INCOME,
                Group.WUBAO,
                Group.POVERTY,
                Group.RELIEF,
                Group.DIBAO,
                Group.YOUFU,
            )
        ],
        "requires_evidence": True,
        "precedence": 20,
        "note": "须查验并登记证明材料（如低保证、五保供养证、优抚证编号）。",
    },
    {
        "code": "STUDENT-HOLIDAY",
        "name": "中小学生假期免费办证",
        "reason": "假期办证活动期间，在校中小学生换领、补领居民身份证免收工本费",
        "targets": ["HZ02", "HZ03"],
        "requires_campaign": True,
        "precedence": 30,
        "note": "活动期间、适用年龄和学生条件由中心主任在“办证活动”中设定。",
    },
]

POLICY_FIELDS = (
    "name",
    "reason",
    "valid_from",
    "valid_until",
    "targets",
    "groups_any",
    "requires_evidence",
    "min_age",
    "max_age",
    "requires_student",
    "requires_campaign",
    "kind",
    "percent",
    "amount_fen",
    "precedence",
    "note",
    "is_active",
)


def policy_snapshot(policy: WaiverPolicy) -> dict[str, Any]:
    data = model_to_dict(policy, fields=["code", *POLICY_FIELDS])
    for key in ("valid_from", "valid_until"):
        data[key] = data[key].isoformat() if data[key] else None
    return data


@transaction.atomic
def fees_load_reference() -> int:
    """Create the reference waiver policies that do not exist yet (the director's edits stay)."""
    created = 0
    for row in REFERENCE_POLICIES:
        if WaiverPolicy.objects.filter(code=row["code"]).exists():
            continue
        policy = WaiverPolicy.objects.create(**row)
        WaiverPolicyRevision.objects.create(
            policy=policy,
            changed_by=None,
            changed_at=clock.now(),
            snapshot=policy_snapshot(policy),
            reason="参考数据导入",
        )
        created += 1
    return created


# --- policies (the director's data) ---------------------------------------------------------


@dataclass
class PolicyInput:
    name: str
    reason: str
    targets: list[str]
    valid_from: date | None = None
    valid_until: date | None = None
    groups_any: list[str] = field(default_factory=list)
    requires_evidence: bool = False
    min_age: int | None = None
    max_age: int | None = None
    requires_student: bool = False
    requires_campaign: bool = False
    kind: str = WaiverKind.FULL
    percent: int = 100
    amount_fen: int = 0
    precedence: int = 100
    note: str = ""
    is_active: bool = True


def _clean_policy(data: PolicyInput) -> PolicyInput:
    if not data.name.strip():
        raise DomainError(_("请填写政策名称"), code="name_required")
    if not data.reason.strip():
        raise DomainError(_("请填写减免依据（将打印在收据上）"), code="reason_required")
    targets = []
    for raw in data.targets:
        target = raw.strip()
        if not target:
            continue
        code, _slash, variant = target.partition("/")
        item_fee(item_code=code, variant_code=variant)  # unknown item or variant → 400
        targets.append(f"{code.upper()}/{variant}" if variant else code.upper())
    if not targets:
        raise DomainError(_("请至少选择一个适用事项"), code="targets_required")
    if data.valid_from and data.valid_until and data.valid_until < data.valid_from:
        raise DomainError(_("截止日期不能早于生效日期"), code="period_order")
    if data.min_age is not None and data.max_age is not None and data.max_age < data.min_age:
        raise DomainError(_("最高年龄不能小于最低年龄"), code="age_order")
    for age in (data.min_age, data.max_age):
        if age is not None and not 0 <= age <= 150:
            raise DomainError(_("年龄应在0至150之间"), code="age_range")
    if data.kind not in WaiverKind.values:
        raise DomainError(_("减免方式无效"), code="invalid_kind")
    if not 0 <= data.percent <= 100:
        raise DomainError(_("减免比例应在0至100之间"), code=FeeErrorCode.INVALID_AMOUNT.value)
    if not 0 <= data.amount_fen <= MAX_FEN:
        raise DomainError(_("减免金额不能为负数或过大"), code=FeeErrorCode.INVALID_AMOUNT.value)
    if data.kind == WaiverKind.AMOUNT and data.amount_fen == 0:
        raise DomainError(_("请填写减免金额"), code=FeeErrorCode.INVALID_AMOUNT.value)
    return PolicyInput(
        **{
            **asdict(data),
            "name": data.name.strip(),
            "reason": data.reason.strip(),
            "targets": targets,
            "groups_any": sorted(clean_groups(data.groups_any)),
            "note": data.note.strip(),
        }
    )


@transaction.atomic
def policy_save(
    *,
    actor: Any,
    data: PolicyInput,
    reason: str,
    code: str = "",
    policy: WaiverPolicy | None = None,
) -> WaiverPolicy:
    """Create (with `code`) or change a policy; the history and the audit log keep both sides.

    Payments already made keep their own lines, so a change only affects later quotes.
    """
    _need(actor, Perm.FEE_POLICY_EDIT, _("只有中心主任可以修改减免政策"))
    if not reason.strip():
        raise DomainError(_("请填写修改原因"), code="reason_required")
    data = _clean_policy(data)
    if policy is None:
        code = code.strip().upper()
        if not re.match(r"^[A-Z][A-Z0-9-]{1,29}$", code):
            raise DomainError(
                _("政策编码由大写字母、数字和连字符组成，以字母开头，例如 SENIOR-80"),
                code="invalid_code",
            )
        if WaiverPolicy.objects.filter(code=code).exists():
            raise Conflict(_("编码 %s 已被使用") % code, code="duplicate_code")
        policy = WaiverPolicy(code=code, center=None)
        before = None
    else:
        policy = WaiverPolicy.objects.select_for_update().get(pk=policy.pk)
        if policy.center_id not in (None, actor.center_id):
            raise NotFound(_("没有找到这个减免政策"), code="unknown_policy")
        before = policy_snapshot(policy)
    for key, value in asdict(data).items():
        setattr(policy, key, value)
    policy.save()
    after = policy_snapshot(policy)
    if before == after:
        return policy
    WaiverPolicyRevision.objects.create(
        policy=policy,
        changed_by=actor,
        changed_at=clock.now(),
        snapshot=after,
        reason=reason.strip()[:200],
    )
    changed = [k for k in after if before is None or before.get(k) != after[k]]
    audit_record(
        actor=actor,
        action=AuditAction.POLICY_UPDATED,
        target=policy,
        before={k: before[k] for k in changed} if before else None,
        after={k: after[k] for k in changed},
    )
    return policy


# --- campaigns ------------------------------------------------------------------------------


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


def _clean_campaign(actor: Any, data: CampaignInput) -> tuple[CampaignInput, WaiverPolicy]:
    if not data.name.strip():
        raise DomainError(_("请填写活动名称"), code="name_required")
    if data.ends_on < data.starts_on:
        raise DomainError(_("结束日期不能早于开始日期"), code="period_order")
    if (data.ends_on - data.starts_on).days > 366:
        raise DomainError(_("一次活动最长一年"), code="period_too_long")
    policy = WaiverPolicy.objects.filter(code=data.policy_code.strip().upper()).first()
    if policy is None or policy.center_id not in (None, actor.center_id):
        raise DomainError(
            _("没有编码为 %s 的减免政策") % data.policy_code[:30], code="unknown_policy"
        )
    if not policy.requires_campaign:
        raise DomainError(
            _("政策“%s”不是活动类政策（未勾选“仅在活动期间适用”）") % policy.name,
            code="policy_not_campaign",
        )
    items = []
    for raw in data.item_codes:
        code = raw.strip().upper()
        if not code:
            continue
        item_fee(item_code=code)
        items.append(code)
    if not items:
        raise DomainError(_("请至少选择一个活动事项"), code="items_required")
    windows = []
    for raw in data.extra_windows:
        code = raw.strip().upper()
        if not code:
            continue
        if not WINDOW_CODE_RE.match(code):
            raise DomainError(
                _("窗口编号“%s”格式不正确，例如 W10") % code[:10], code="invalid_window"
            )
        windows.append(code)
    if (data.opens_at is None) != (data.closes_at is None):
        raise DomainError(_("延长服务时间须同时填写开门和关门时间"), code="hours_incomplete")
    if data.opens_at and data.closes_at and data.closes_at <= data.opens_at:
        raise DomainError(_("关门时间须晚于开门时间"), code="hours_order")
    if data.min_age is not None and data.max_age is not None and data.max_age < data.min_age:
        raise DomainError(_("最高年龄不能小于最低年龄"), code="age_order")
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
def campaign_save(*, actor: Any, data: CampaignInput, campaign: Campaign | None = None) -> Campaign:
    """The director defines or changes a campaign (period, eligibility, items, hours)."""
    _need(actor, Perm.FEE_POLICY_EDIT, _("只有中心主任可以设定办证活动"))
    data, policy = _clean_campaign(actor, data)
    if campaign is None:
        campaign = Campaign(center_id=actor.center_id, created_by=actor)
        before = None
    else:
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.center_id != actor.center_id:
            raise NotFound(_("没有找到这个活动"), code="unknown_campaign")
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


# --- payments -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Payer:
    """The applicant as confirmed at payment (零差错: name, gender, ID type and number)."""

    name: str
    gender: str = ""
    id_type: str = IdType.RESIDENT_ID
    id_number: str = ""


def _clean_key(key: str) -> str:
    key = (key or "").strip()
    if not IDEMPOTENCY_KEY_RE.match(key):
        raise DomainError(_("缺少有效的提交编号，请刷新页面后重试"), code="invalid_idempotency_key")
    return key


def _replay(key: str, actor: Any) -> Payment | None:
    existing = Payment.objects.filter(idempotency_key=key).first()
    if existing is None:
        return None
    if existing.collected_by_id != actor.pk:
        raise Conflict(_("提交编号已被使用，请刷新页面后重试"), code="idempotency_key_reused")
    return existing


def _clean_evidence(groups: frozenset[str], evidence: dict[str, str] | None) -> dict[str, str]:
    evidence = {k: (v or "").strip()[:100] for k, v in (evidence or {}).items()}
    missing = [g for g in sorted(groups) if not evidence.get(g)]
    if missing:
        labels = "、".join(str(Group(g).label) for g in missing)
        raise DomainError(
            _("请登记%s的证明材料（如证件名称和编号），未登记证明不能减免") % labels,
            code=FeeErrorCode.EVIDENCE_REQUIRED.value,
        )
    return {g: evidence[g] for g in sorted(groups)}


def _line_dicts(q: Quote) -> list[dict[str, Any]]:
    return [
        {
            "policy_code": line.policy_code,
            "policy_name": line.policy_name,
            "waived_fen": line.waived_fen,
            "explanation": line.explanation,
            "policy_id": line.policy_id,
            "campaign_id": line.campaign_id,
        }
        for line in q.lines
    ]


def _insert_payment(
    *,
    actor: Any,
    center_id: int,
    q: Quote,
    method: str,
    payer: Payer,
    groups: frozenset[str],
    evidence: dict[str, str],
    key: str,
    kind: str,
    stage: str,
    case_id: int | None,
    case_number: str,
    window_code: str,
    at: datetime,
) -> Payment:
    """The payment row, its ledger entries and the audit entry: one transaction."""
    payment = Payment.objects.create(
        center_id=center_id,
        case_id=case_id,
        case_number=case_number,
        kind=kind,
        stage=stage,
        item_code=q.item.code,
        item_name=q.item.name,
        variant_code=q.item.variant_code,
        variant_name=q.item.variant_name,
        on_date=q.on_date,
        standard_fen=q.standard_fen,
        waived_fen=q.waived_fen,
        payable_fen=q.payable_fen,
        lines=_line_dicts(q),
        explanation=q.explanation,
        method=method,
        payer_name=payer.name.strip()[:50],
        payer_gender=payer.gender,
        payer_id_type=payer.id_type,
        payer_id_masked=mask_id_number(payer.id_number) if payer.id_number else "",
        groups=sorted(groups),
        evidence=evidence,
        campaign_id=q.campaign_id,
        window_code=window_code,
        collected_by=actor,
        collected_at=at,
        idempotency_key=key,
    )
    payment.receipt_number = f"SF{at:%Y%m%d}{payment.pk:06d}"
    payment.save(update_fields=["receipt_number"])
    SavingsEntry.objects.bulk_create(
        SavingsEntry(
            center_id=center_id,
            payment=payment,
            policy_id=line.policy_id,
            policy_code=line.policy_code,
            policy_name=line.policy_name,
            campaign_id=line.campaign_id,
            item_code=q.item.code,
            variant_code=q.item.variant_code,
            waived_fen=line.waived_fen,
            posted_on=q.on_date,
        )
        for line in q.lines
        if line.waived_fen > 0 and line.policy_id is not None
    )
    audit_record(
        actor=actor,
        action=AuditAction.FEE_COLLECTED,
        target=payment,
        center_id=center_id,
        after={
            "receipt": payment.receipt_number,
            "case": case_number,
            "item": q.item.code,
            "variant": q.item.variant_code,
            "standard_fen": q.standard_fen,
            "waived_fen": q.waived_fen,
            "payable_fen": q.payable_fen,
            "method": method,
            "policies": [line.policy_code for line in q.lines],
            "payer": payment.payer_id_masked,
        },
    )
    return payment


def payment_collect(
    *,
    actor: Any,
    item_code: str,
    method: str,
    idempotency_key: str,
    payer: Payer,
    variant_code: str = "",
    groups: Any = (),
    evidence: dict[str, str] | None = None,
    kind: str = FeeKind.ITEM,
    stage: str = PaymentStage.WALK_IN,
    window_code: str = "",
    case_number: str = "",
    case_id: int | None = None,
) -> tuple[Payment, bool]:
    """收费: record the fee exactly once. Returns (payment, created).

    The same `idempotency_key` (a double click, a retried request) returns the first payment;
    a second payment of the same fee of the same case is refused whatever its key. A zero
    payable is recorded too (method "none"), so that its waivers reach the savings ledger.
    """
    _need(actor, Perm.FEE_COLLECT, _("您没有收费权限"))
    key = _clean_key(idempotency_key)
    existing = _replay(key, actor)
    if existing is not None:
        return existing, False
    if kind not in FeeKind.values:
        raise DomainError(_("费用类别无效"), code="invalid_kind")
    if stage not in PaymentStage.values:
        raise DomainError(_("收费环节无效"), code="invalid_stage")
    window_code = (window_code or "").strip().upper()
    if window_code and not WINDOW_CODE_RE.match(window_code):
        raise DomainError(_("窗口编号“%s”格式不正确") % window_code[:10], code="invalid_window")
    if not payer.name.strip():
        raise DomainError(_("请填写缴费人姓名"), code="payer_required")
    if payer.id_type and payer.id_type not in IdType.values:
        raise DomainError(_("证件类型无效"), code="invalid_id_type")
    if payer.id_number and not check_id_number(payer.id_number, today=clock.today()).valid:
        raise DomainError(
            _("缴费人身份证号码无效：%s")
            % check_id_number(payer.id_number, today=clock.today()).error,
            code=FeeErrorCode.INVALID_ID_NUMBER.value,
        )
    case_number = (case_number or "").strip()[:40]
    if case_number:
        _refuse_second_payment(center_id=actor.center_id, case_number=case_number, kind=kind)
    claimed = clean_groups(groups)
    clean_evidence = _clean_evidence(claimed, evidence)
    at = clock.now()
    q = fee_quote(
        center_id=actor.center_id,
        item_code=item_code,
        variant_code=variant_code,
        on_date=clock.local(at).date(),
        id_number=payer.id_number,
        groups=claimed,
        evidence=clean_evidence,
    )
    if q.payable_fen == 0:
        method = PaymentMethod.NONE
    elif method not in PAYING_METHODS:
        raise DomainError(
            _("请选择付款方式：现金、微信支付、支付宝或银联二维码"),
            code=FeeErrorCode.INVALID_METHOD.value,
        )
    try:
        with transaction.atomic():
            payment = _insert_payment(
                actor=actor,
                center_id=actor.center_id,
                q=q,
                method=method,
                payer=payer,
                groups=claimed,
                evidence=clean_evidence,
                key=key,
                kind=kind,
                stage=stage,
                case_id=case_id,
                case_number=case_number,
                window_code=window_code,
                at=at,
            )
    except IntegrityError:
        # A concurrent submit won the race: the same key gives its payment back; another key
        # for the same case fee is refused.
        existing = _replay(key, actor)
        if existing is not None:
            return existing, False
        if case_number:
            _refuse_second_payment(center_id=actor.center_id, case_number=case_number, kind=kind)
        raise
    return payment, True


def _refuse_second_payment(*, center_id: int, case_number: str, kind: str) -> None:
    paid = Payment.objects.filter(center_id=center_id, case_number=case_number, kind=kind).first()
    if paid is not None:
        raise Conflict(
            _("办件 %(case)s 的%(kind)s已于 %(at)s 收取（收据 %(receipt)s），不能重复收费")
            % {
                "case": case_number,
                "kind": FeeKind(kind).label,
                "at": f"{clock.local(paid.collected_at):%Y-%m-%d %H:%M}",
                "receipt": paid.receipt_number,
            },
            code=FeeErrorCode.ALREADY_PAID.value,
        )


def payment_collect_for_case(
    *,
    actor: Any,
    case_number: str,
    method: str,
    idempotency_key: str,
    payer: Payer,
    groups: Any = (),
    evidence: dict[str, str] | None = None,
    kind: str = FeeKind.ITEM,
    stage: str = PaymentStage.ACCEPTANCE,
    window_code: str = "",
) -> tuple[Payment, bool]:
    """收费 for a case: the applicant confirms their data (零差错) before anything is charged."""
    _need(actor, Perm.FEE_COLLECT, _("您没有收费权限"))
    existing = _replay(_clean_key(idempotency_key), actor)
    if existing is not None:
        return existing, False
    facts = caselink.case_fee_facts(case_number=case_number.strip(), user=actor)
    if facts is None:
        raise NotFound(
            _("没有找到办件 %s") % case_number[:40], code=FeeErrorCode.UNKNOWN_CASE.value
        )
    caselink.case_confirmation_record(
        actor=actor,
        facts=facts,
        name=payer.name,
        gender=payer.gender,
        id_type=payer.id_type,
        id_number=payer.id_number,
    )
    return payment_collect(
        actor=actor,
        item_code=facts.item_code,
        variant_code=facts.fee_variant,
        method=method,
        idempotency_key=idempotency_key,
        payer=Payer(
            name=facts.applicant_name,
            gender=facts.applicant_gender or payer.gender,
            id_type=payer.id_type,
            id_number=facts.applicant_id_number,
        ),
        groups=set(groups) | set(facts.groups),
        evidence=evidence,
        kind=kind,
        stage=stage,
        window_code=window_code,
        case_number=facts.number,
        case_id=facts.id,
    )


# --- refunds --------------------------------------------------------------------------------


@transaction.atomic
def refund_request(
    *, actor: Any, payment: Payment, amount_fen: int, reason: str, window_code: str = ""
) -> Refund:
    """退费申请 at the window; nothing is paid back until the director approves."""
    _need(actor, Perm.FEE_COLLECT, _("您没有申请退费的权限"))
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.center_id != actor.center_id:
        raise NotFound(_("没有找到这笔收费"), code="unknown_payment")
    if not reason.strip():
        raise DomainError(_("请填写退费原因"), code="reason_required")
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
        raise DomainError(_("退费金额须大于0"), code=FeeErrorCode.INVALID_AMOUNT.value)
    available = refundable_fen(payment)
    if amount_fen > available:
        raise DomainError(
            _(
                "退费金额 %(amount)s 超过可退金额 %(available)s（实收 %(paid)s，已退或待批 %(used)s）"
            )
            % {
                "amount": fmt_yuan(amount_fen),
                "available": fmt_yuan(max(available, 0)),
                "paid": fmt_yuan(payment.payable_fen),
                "used": fmt_yuan(payment.payable_fen - available),
            },
            code=FeeErrorCode.REFUND_TOO_LARGE.value,
        )
    window_code = (window_code or payment.window_code or "").strip().upper()[:8]
    refund = Refund.objects.create(
        payment=payment,
        amount_fen=amount_fen,
        reason=reason.strip()[:200],
        requested_by=actor,
        window_code=window_code,
    )
    audit_record(
        actor=actor,
        action=AuditAction.FEE_REFUND_REQUESTED,
        target=refund,
        center_id=payment.center_id,
        after={
            "receipt": payment.receipt_number,
            "amount_fen": amount_fen,
            "reason": refund.reason,
        },
    )
    return refund


@transaction.atomic
def refund_decide(*, actor: Any, refund: Refund, approve: bool, note: str = "") -> Refund:
    """The director approves (the money goes back) or rejects a refund request."""
    _need(actor, Perm.REFUND_APPROVE, _("只有中心主任可以审批退费"))
    refund = Refund.objects.select_for_update().select_related("payment").get(pk=refund.pk)
    payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
    if payment.center_id != actor.center_id:
        raise NotFound(_("没有找到这笔退费申请"), code="unknown_refund")
    if refund.status != RefundStatus.REQUESTED:
        raise Conflict(
            _("这笔退费已经%s，不能重复审批") % RefundStatus(refund.status).label,
            code="already_decided",
        )
    if refund.requested_by_id == actor.pk:
        raise PermissionDenied(_("申请人不能审批自己的退费申请"))
    if not approve and not note.strip():
        raise DomainError(_("驳回时请填写意见"), code="note_required")
    if approve:
        if payment.refunded_fen + refund.amount_fen > payment.payable_fen:
            raise DomainError(_("退费金额超过实收金额"), code=FeeErrorCode.REFUND_TOO_LARGE.value)
        Payment.objects.filter(pk=payment.pk).update(
            refunded_fen=F("refunded_fen") + refund.amount_fen
        )
    now = clock.now()
    refund.status = RefundStatus.APPROVED if approve else RefundStatus.REJECTED
    refund.decided_by, refund.decided_at = actor, now
    refund.decided_on = clock.local(now).date()
    refund.decision_note = note.strip()[:200]
    refund.save()
    audit_record(
        actor=actor,
        action=AuditAction.FEE_REFUNDED,
        target=refund,
        center_id=payment.center_id,
        before={"status": RefundStatus.REQUESTED},
        after={
            "status": refund.status,
            "amount_fen": refund.amount_fen,
            "receipt": payment.receipt_number,
            "note": refund.decision_note,
        },
    )
    return refund


# --- reconciliation (日结) -------------------------------------------------------------------


@transaction.atomic
def drawer_close(
    *, actor: Any, day: date, window_code: str, counted_cash_fen: int, note: str = ""
) -> DrawerClose:
    """An officer counts their cash drawer; a difference of even one fen needs an explanation."""
    _need(actor, Perm.FEE_COLLECT, _("您没有收费日结的权限"))
    if (
        isinstance(counted_cash_fen, bool)
        or not isinstance(counted_cash_fen, int)
        or counted_cash_fen < 0
    ):
        raise DomainError(_("清点金额不能为负数"), code=FeeErrorCode.INVALID_AMOUNT.value)
    if day > clock.today():
        raise DomainError(_("不能为未来的日期日结"), code="future_day")
    window_code = (window_code or "").strip().upper()
    rows = [
        r
        for r in drawer_rows(center_id=actor.center_id, day=day, officer_id=actor.pk)
        if r.window_code == window_code
    ]
    expected = rows[0].expected_cash_fen if rows else 0
    totals = rows[0].totals() if rows else {}
    difference = counted_cash_fen - expected
    if difference != 0 and not note.strip():
        raise DomainError(
            _("清点现金 %(counted)s 与应有现金 %(expected)s 相差 %(diff)s，请填写说明")
            % {
                "counted": fmt_yuan(counted_cash_fen),
                "expected": fmt_yuan(expected),
                "diff": fmt_yuan(difference),
            },
            code="drawer_difference",
        )
    close, created = DrawerClose.objects.update_or_create(
        center_id=actor.center_id,
        day=day,
        officer=actor,
        window_code=window_code,
        defaults={
            "expected_cash_fen": expected,
            "counted_cash_fen": counted_cash_fen,
            "difference_fen": difference,
            "totals": totals,
            "note": note.strip()[:200],
            "closed_by": actor,
        },
    )
    audit_record(
        actor=actor,
        action=AuditAction.FEE_DRAWER_CLOSED,
        target=close,
        after={
            "day": day.isoformat(),
            "window": window_code,
            "expected_fen": expected,
            "counted_fen": counted_cash_fen,
            "difference_fen": difference,
            "recount": not created,
        },
    )
    return close


# --- free copies ----------------------------------------------------------------------------


@transaction.atomic
def free_copies_add(*, actor: Any, case_number: str, copies: int = 1) -> int:
    """免费复印: count copies made for a case; returns the new total."""
    _need(actor, Perm.FEE_COLLECT, _("您没有登记免费复印的权限"))
    case_number = (case_number or "").strip()
    if not case_number or len(case_number) > 40:
        raise DomainError(_("请提供办件编号"), code="case_required")
    if isinstance(copies, bool) or not isinstance(copies, int) or not 1 <= copies <= 200:
        raise DomainError(_("复印份数应为1至200的整数"), code="invalid_copies")
    row, _created = FreeCopyCount.objects.select_for_update().get_or_create(
        center_id=actor.center_id, case_number=case_number
    )
    FreeCopyCount.objects.filter(pk=row.pk).update(copies=F("copies") + copies)
    row.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditAction.FREE_COPIES_RECORDED,
        target=row,
        after={"case": case_number, "added": copies, "total": row.copies},
    )
    return row.copies


# --- demo history ---------------------------------------------------------------------------

_DEMO_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶"
_DEMO_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红玲芬燕彬鹏辉晓东海春梅秋菊新宏文博涵轩诺怡浩然桐嘉思远"
_DEMO_REGIONS = ("610522", "610502", "610503", "610523", "610524", "610581", "610582")
# (item, variant, weight) of an ordinary day at the counters
_DEMO_MIX: tuple[tuple[str, str, int], ...] = (
    ("HZ02", "", 30),
    ("HZ03", "", 10),
    ("HZ04", "", 10),
    ("HZ10", "", 5),
    ("JG01", "", 10),
    ("JG03", "", 5),
    ("JG05", "", 5),
    ("CR01", "", 8),
    ("CR02", "", 8),
    ("CR03", "single", 3),
    ("CR03", "multi_1y", 2),
    ("JG04", "car_reflective", 3),
    ("JG04", "motorcycle", 1),
)
_DEMO_METHODS = (
    (PaymentMethod.CASH, 35),
    (PaymentMethod.WECHAT, 35),
    (PaymentMethod.ALIPAY, 20),
    (PaymentMethod.UNIONPAY, 10),
)


def fees_demo_history(*, center: Any, rng: Any, days: int = 30) -> dict[str, int]:
    """Payments of the last `days` days at the counters, last summer's student campaign with its
    results, a few refunds, drawer closes and free copies. Draws only from `rng`.

    Payments are standalone (walk-in): the demo cases keep their own fee panel for the window.
    """
    from datetime import timedelta

    from django.utils import timezone

    from bianmin.accounts.selectors import staff_list
    from bianmin.core.permissions import Role
    from bianmin.fees.quoting import Facts, quote
    from bianmin.fees.selectors import campaign_rule, policy_list, policy_rule
    from bianmin.people.idnumber import age_on, make_id_number

    class _Viewer:
        center_id = center.pk

    officers = list(staff_list(user=_Viewer(), role=Role.OFFICER))
    director = staff_list(user=_Viewer(), role=Role.DIRECTOR).first()
    if not officers or director is None:
        return {}
    fees_load_reference()
    today = clock.today()
    tz = timezone.get_current_timezone()
    year = today.year if today >= date(today.year, 9, 1) else today.year - 1
    campaign = campaign_save(
        actor=director,
        data=CampaignInput(
            name=f"{year}年暑期中小学生免费办证",
            starts_on=date(year, 7, 1),
            ends_on=date(year, 8, 31),
            item_codes=["HZ01", "HZ02", "HZ03"],
            min_age=6,
            max_age=18,
            extra_windows=["W11", "W12"],
            opens_at=time(8, 0),
            closes_at=time(18, 30),
            open_weekends=True,
            public_note="在校中小学生凭学生证或在校证明免费换领、补领居民身份证",
        ),
    )
    rules = [policy_rule(p) for p in policy_list(center_id=center.pk, active_only=True)]
    campaigns = [campaign_rule(campaign)]
    fees: dict[tuple[str, str], Any] = {}

    def fee(code: str, variant: str) -> Any:
        if (code, variant) not in fees:
            fees[code, variant] = item_fee(item_code=code, variant_code=variant)
        return fees[code, variant]

    def name() -> str:
        given = rng.choice(_DEMO_GIVEN) + (rng.choice(_DEMO_GIVEN) if rng.random() < 0.6 else "")
        return rng.choice(_DEMO_SURNAMES) + given

    def person(day: date, age: int) -> str:
        """Someone exactly `age` years old on `day`."""
        birth = day - timedelta(days=age * 365 + age // 4 + rng.randint(1, 360))
        return make_id_number(rng.choice(_DEMO_REGIONS), birth, rng.randint(0, 999))

    def pay(
        officer: Any,
        window: str,
        day: date,
        code: str,
        variant: str,
        age: int,
        groups: frozenset[str],
        evidence: dict[str, str],
        minute: int,
    ) -> Payment:
        id_number = person(day, age)
        q = quote(
            item=fee(code, variant),
            on_date=day,
            facts=Facts(age=age_on(id_number, day), groups=groups, evidence=evidence),
            policies=rules,
            campaigns=campaigns,
        )
        method = (
            PaymentMethod.NONE
            if q.payable_fen == 0
            else rng.choices([m for m, _w in _DEMO_METHODS], [w for _m, w in _DEMO_METHODS])[0]
        )
        at = datetime.combine(day, time(8, 30), tzinfo=tz) + timedelta(minutes=minute)
        with transaction.atomic():
            return _insert_payment(
                actor=officer,
                center_id=center.pk,
                q=q,
                method=method,
                payer=Payer(
                    name=name(),
                    gender="male" if int(id_number[16]) % 2 else "female",
                    id_type=IdType.RESIDENT_ID,
                    id_number=id_number,
                ),
                groups=groups,
                evidence=evidence,
                key=f"demo-{rng.getrandbits(96):024x}",
                kind=FeeKind.ITEM,
                stage=PaymentStage.WALK_IN,
                case_id=None,
                case_number="",
                window_code=window,
                at=at,
            )

    counts = {"payments": 0, "campaign_payments": 0}
    shorted = False
    # last summer: students at the extra windows, every day including weekends
    day = campaign.starts_on
    while day <= campaign.ends_on:
        for _n in range(rng.randint(4, 11)):
            code = rng.choices(["HZ01", "HZ02", "HZ03"], [3, 5, 2])[0]
            officer = rng.choice(officers[:4])
            pay(
                officer,
                rng.choice(["W11", "W12"]),
                day,
                code,
                "",
                rng.randint(6, 18),
                frozenset({Group.STUDENT}),
                {Group.STUDENT: "学生证"},
                rng.randint(0, 560),
            )
            counts["campaign_payments"] += 1
        day += timedelta(days=1)
    # the last `days` days at the counters (working days only)
    from bianmin.core.workdays import is_workday

    for back in range(days, -1, -1):
        day = today - timedelta(days=back)
        if not is_workday(day):
            continue
        on_duty = rng.sample(officers, k=min(len(officers), 10))
        windows = {o.pk: f"W{i + 1:02d}" for i, o in enumerate(on_duty)}
        for _n in range(rng.randint(15, 30) if back else rng.randint(4, 10)):
            code, variant, _w = rng.choices(_DEMO_MIX, [w for *_x, w in _DEMO_MIX])[0]
            groups: frozenset[str] = frozenset()
            evidence: dict[str, str] = {}
            if code in ("HZ02", "HZ03") and rng.random() < 0.06:
                group = rng.choice([Group.DIBAO, Group.WUBAO, Group.YOUFU, Group.POVERTY])
                groups, evidence = frozenset({group}), {group: f"证号 {rng.randint(1000, 9999)}"}
            officer = rng.choice(on_duty)
            pay(
                officer,
                windows[officer.pk],
                day,
                code,
                variant,
                rng.randint(18, 80),
                groups,
                evidence,
                rng.randint(0, 480 if back else 90),
            )
            counts["payments"] += 1
        if 0 < back <= 3:
            for officer in on_duty:
                rows = drawer_rows(center_id=center.pk, day=day, officer_id=officer.pk)
                if not rows:
                    continue
                expected = sum(r.expected_cash_fen for r in rows)
                # one drawer in the demo is 0.50 元 short, explained in its note
                short = 50 if expected >= 50 and not shorted else 0
                shorted = shorted or bool(short)
                drawer_close(
                    actor=officer,
                    day=day,
                    window_code=windows[officer.pk],
                    counted_cash_fen=max(expected - short, 0),
                    note="找零差五角，已登记" if short and expected else "",
                )
    # refunds today: two approved, one waiting for the director
    paid = list(
        Payment.objects.filter(center=center, on_date__lt=today, payable_fen__gt=0).order_by(
            "-collected_at"
        )[:3]
    )
    for i, payment in enumerate(paid):
        refund = refund_request(
            actor=payment.collected_by,
            payment=payment,
            amount_fen=payment.payable_fen,
            reason=["申请人撤回申请", "重复缴费", "收费类型选错"][i],
        )
        if i < 2:
            refund_decide(actor=director, refund=refund, approve=True, note="同意退费")
    # free copies made for recent cases
    FreeCopyCount.objects.bulk_create(
        [
            FreeCopyCount(
                center=center,
                case_number=f"{center.code}-{today - timedelta(days=d):%Y%m%d}-{k:04d}",
                copies=rng.randint(1, 6),
            )
            for d in range(days)
            for k in range(1, rng.randint(2, 6))
        ],
        ignore_conflicts=True,
    )
    return counts
