"""Payments (收费), exactly once: the quote's snapshot, the savings ledger and the audit entry
in one transaction; a case fee only after the applicant's confirmation, in the same one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.cases.enums import ConfirmationStage, IdType
from bianmin.cases.selectors import case_fee_facts
from bianmin.cases.services import (
    ConfirmationMismatch,
    case_confirmation_mismatch_keep,
    case_confirmation_record,
)
from bianmin.core import clock
from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.errors import Conflict, DomainError, NotFound
from bianmin.core.permissions import Perm
from bianmin.fees.enums import PAYING_METHODS, FeeKind, Group, PaymentMethod, PaymentStage
from bianmin.fees.errors import FeeError
from bianmin.fees.models import Payment, SavingsEntry
from bianmin.fees.quoting import Quote
from bianmin.fees.selectors import clean_groups, fee_quote, payment_get
from bianmin.fees.services.common import IDEMPOTENCY_KEY_RE, WINDOW_CODE_RE, need
from bianmin.people.idnumber import check_id_number, mask_id_number


@dataclass(frozen=True)
class Payer:
    """The applicant as confirmed at payment (零差错: name, gender, ID type and number)."""

    name: str
    gender: str = ""
    id_type: str = IdType.RESIDENT_ID
    id_number: str = ""
    # how the officer confirmed it: "typed", "card" (read again on the reader) …
    confirm_method: str = "typed"


def _clean_key(key: str) -> str:
    key = (key or "").strip()
    if not IDEMPOTENCY_KEY_RE.match(key):
        raise DomainError(
            _("缺少有效的提交编号，请刷新页面后重试"), code=FeeError.INVALID_IDEMPOTENCY_KEY
        )
    return key


def _replay(key: str, actor: StaffActor) -> Payment | None:
    existing = Payment.objects.filter(idempotency_key=key).first()
    if existing is None:
        return None
    if existing.collected_by_id != actor.pk:
        raise Conflict(
            _("提交编号已被使用，请刷新页面后重试"), code=FeeError.IDEMPOTENCY_KEY_REUSED
        )
    return existing


def _clean_evidence(groups: frozenset[str], evidence: dict[str, str] | None) -> dict[str, str]:
    evidence = {k: (v or "").strip()[:100] for k, v in (evidence or {}).items()}
    missing = [g for g in sorted(groups) if not evidence.get(g)]
    if missing:
        labels = "、".join(str(Group(g).label) for g in missing)
        raise DomainError(
            _("请登记%s的证明材料（如证件名称和编号），未登记证明不能减免") % labels,
            code=FeeError.EVIDENCE_REQUIRED,
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


def insert_payment(
    *,
    actor: StaffActor,
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
        collected_by_id=actor.pk,
        collected_at=at,
        idempotency_key=key,
    )
    # The center's day (Asia/Shanghai), not the UTC date: 00:43 on 1 December is SF20261201…
    payment.receipt_number = f"SF{clock.local(at):%Y%m%d}{payment.pk:06d}"
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
    actor: StaffActor,
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
    need(actor, Perm.FEE_COLLECT, _("您没有收费权限"))
    key = _clean_key(idempotency_key)
    existing = _replay(key, actor)
    if existing is not None:
        return existing, False
    if kind not in FeeKind.values:
        raise DomainError(_("费用类别无效"), code=FeeError.INVALID_KIND)
    if stage not in PaymentStage.values:
        raise DomainError(_("收费环节无效"), code=FeeError.INVALID_STAGE)
    window_code = (window_code or "").strip().upper()
    if window_code and not WINDOW_CODE_RE.match(window_code):
        raise DomainError(
            _("窗口编号“%s”格式不正确") % window_code[:10], code=FeeError.INVALID_WINDOW
        )
    if not payer.name.strip():
        raise DomainError(_("请填写缴费人姓名"), code=FeeError.PAYER_REQUIRED)
    if payer.id_type and payer.id_type not in IdType.values:
        raise DomainError(_("证件类型无效"), code=FeeError.INVALID_ID_TYPE)
    if payer.id_number and not check_id_number(payer.id_number, today=clock.today()).valid:
        raise DomainError(
            _("缴费人身份证号码无效：%s")
            % check_id_number(payer.id_number, today=clock.today()).error,
            code=FeeError.INVALID_ID_NUMBER,
        )
    case_number = (case_number or "").strip()[:40]
    if case_number:
        _refuse_second_payment(center_id=home_center_id(actor), case_number=case_number, kind=kind)
    claimed = clean_groups(groups)
    clean_evidence = _clean_evidence(claimed, evidence)
    at = clock.now()
    q = fee_quote(
        center_id=home_center_id(actor),
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
            code=FeeError.INVALID_METHOD,
        )
    try:
        with transaction.atomic():
            payment = insert_payment(
                actor=actor,
                center_id=home_center_id(actor),
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
            _refuse_second_payment(
                center_id=home_center_id(actor), case_number=case_number, kind=kind
            )
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
            code=FeeError.ALREADY_PAID,
        )


def payment_collect_for_case(
    *,
    actor: StaffActor,
    case_number: str,
    method: str,
    idempotency_key: str,
    payer: Payer,
    groups: Iterable[str] = (),
    evidence: dict[str, str] | None = None,
    kind: str = FeeKind.ITEM,
    stage: str = PaymentStage.ACCEPTANCE,
    window_code: str = "",
) -> tuple[Payment, bool]:
    """收费 for a case: the applicant confirms their data (零差错), then the fee is charged.

    One transaction: a charge that fails (missing evidence, no method …) leaves no
    confirmation behind, and a confirmation that fails charges nothing. A confirmation refused
    for a mismatch is still recorded on the case (after the rollback), for the registering
    officer's 业务技能星.
    """
    try:
        return _collect_for_case(
            actor=actor,
            case_number=case_number,
            method=method,
            idempotency_key=idempotency_key,
            payer=payer,
            groups=groups,
            evidence=evidence,
            kind=kind,
            stage=stage,
            window_code=window_code,
        )
    except ConfirmationMismatch as error:
        case_confirmation_mismatch_keep(error)
        raise


@transaction.atomic
def _collect_for_case(
    *,
    actor: StaffActor,
    case_number: str,
    method: str,
    idempotency_key: str,
    payer: Payer,
    groups: Iterable[str],
    evidence: dict[str, str] | None,
    kind: str,
    stage: str,
    window_code: str,
) -> tuple[Payment, bool]:
    need(actor, Perm.FEE_COLLECT, _("您没有收费权限"))
    existing = _replay(_clean_key(idempotency_key), actor)
    if existing is not None:
        return existing, False
    facts = case_fee_facts(case_number=case_number.strip(), user=actor)
    if facts is None:
        raise NotFound(_("没有找到办件 %s") % case_number[:40], code=FeeError.UNKNOWN_CASE)
    case_confirmation_record(
        actor=actor,
        case_number=facts.number,
        stage=ConfirmationStage.PAYMENT,
        name=payer.name,
        gender=payer.gender,
        id_type=payer.id_type,
        id_number=payer.id_number,
        method=payer.confirm_method,
    )
    return payment_collect(
        actor=actor,
        item_code=facts.item_code,
        variant_code=facts.fee_variant or "",
        method=method,
        idempotency_key=idempotency_key,
        payer=Payer(
            name=facts.applicant_name,
            gender=facts.applicant_gender or payer.gender,
            id_type=payer.id_type,
            # confirmed above to be the number the case holds
            id_number=payer.id_number.strip().upper(),
        ),
        groups=set(groups) | set(facts.groups),
        evidence=evidence,
        kind=kind,
        stage=stage,
        window_code=window_code,
        case_number=facts.number,
        case_id=facts.id,
    )


@transaction.atomic
def payment_open(*, actor: StaffActor, pk: int, receipt_page: str = "") -> Payment:
    """Open one payment (its page, or its receipt PDF when `receipt_page` is given).

    Only the officer who collected it and the supervisors of its center (shift leader,
    director, inspector) may; anyone else gets the same answer as for a missing payment, so
    ids cannot be walked. Every opening is audited.
    """
    payment = payment_get(pk=pk, user=actor)
    audit_record(
        actor=actor,
        action=AuditAction.FEE_RECEIPT_PRINTED if receipt_page else AuditAction.FEE_PAYMENT_VIEWED,
        target=payment,
        center_id=payment.center_id,
        after={
            "receipt": payment.receipt_number,
            **({"page": receipt_page} if receipt_page else {}),
        },
    )
    return payment
