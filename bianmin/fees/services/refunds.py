"""Refunds (退费): requested at the window, paid back only after the director approves."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.actors import StaffActor
from bianmin.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from bianmin.core.permissions import Perm
from bianmin.fees.enums import RefundStatus
from bianmin.fees.errors import FeeError
from bianmin.fees.models import Payment, Refund
from bianmin.fees.quoting import fmt_yuan
from bianmin.fees.selectors import refundable_fen, sees_all_payments
from bianmin.fees.services.common import need


@transaction.atomic
def refund_request(
    *, actor: StaffActor, payment: Payment, amount_fen: int, reason: str, window_code: str = ""
) -> Refund:
    """退费申请 at the window; nothing is paid back until the director approves."""
    need(actor, Perm.FEE_COLLECT, _("您没有申请退费的权限"))
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    # the same reach as reading it: the collecting officer, or a supervisor of its center
    mine = payment.collected_by_id == actor.pk or sees_all_payments(actor)
    if payment.center_id != actor.center_id or not mine:
        raise NotFound(_("没有找到这笔收费"), code=FeeError.UNKNOWN_PAYMENT)
    if not reason.strip():
        raise DomainError(_("请填写退费原因"), code=FeeError.REASON_REQUIRED)
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
        raise DomainError(_("退费金额须大于0"), code=FeeError.INVALID_AMOUNT)
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
            code=FeeError.REFUND_TOO_LARGE,
        )
    window_code = (window_code or payment.window_code or "").strip().upper()[:8]
    refund = Refund.objects.create(
        payment=payment,
        amount_fen=amount_fen,
        reason=reason.strip()[:200],
        requested_by_id=actor.pk,
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
def refund_decide(*, actor: StaffActor, refund: Refund, approve: bool, note: str = "") -> Refund:
    """The director approves (the money goes back) or rejects a refund request."""
    need(actor, Perm.REFUND_APPROVE, _("只有中心主任可以审批退费"))
    refund = Refund.objects.select_for_update().select_related("payment").get(pk=refund.pk)
    payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
    if payment.center_id != actor.center_id:
        raise NotFound(_("没有找到这笔退费申请"), code=FeeError.UNKNOWN_REFUND)
    if refund.status != RefundStatus.REQUESTED:
        raise Conflict(
            _("这笔退费已经%s，不能重复审批") % RefundStatus(refund.status).label,
            code=FeeError.ALREADY_DECIDED,
        )
    if refund.requested_by_id == actor.pk:
        raise PermissionDenied(_("申请人不能审批自己的退费申请"))
    if not approve and not note.strip():
        raise DomainError(_("驳回时请填写意见"), code=FeeError.NOTE_REQUIRED)
    if approve:
        if payment.refunded_fen + refund.amount_fen > payment.payable_fen:
            raise DomainError(_("退费金额超过实收金额"), code=FeeError.REFUND_TOO_LARGE)
        Payment.objects.filter(pk=payment.pk).update(
            refunded_fen=F("refunded_fen") + refund.amount_fen
        )
    now = clock.now()
    refund.status = RefundStatus.APPROVED if approve else RefundStatus.REJECTED
    refund.decided_by_id, refund.decided_at = actor.pk, now
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
