"""Payments, refunds, free copies and the cash drawers (日结), scoped by center and reader."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.core.actors import StaffActor
from bianmin.core.errors import NotFound
from bianmin.core.permissions import Perm, has_perm
from bianmin.fees.enums import PaymentMethod, RefundStatus
from bianmin.fees.errors import FeeError
from bianmin.fees.models import (
    DrawerClose,
    FreeCopyCount,
    Payment,
    Refund,
)

# --- payments -------------------------------------------------------------------------------


def payment_list(
    *, center_id: int, day: date | None = None, officer_id: int | None = None
) -> QuerySet[Payment]:
    qs = Payment.objects.filter(center_id=center_id).select_related("collected_by")
    if day is not None:
        qs = qs.filter(on_date=day)
    if officer_id is not None:
        qs = qs.filter(collected_by_id=officer_id)
    return qs


def sees_all_payments(user: object) -> bool:
    """Supervisors (shift leader, director, inspector) see every payment of their center; an
    officer sees only the payments they collected themselves."""
    return has_perm(user, Perm.REPORT_VIEW) or has_perm(user, Perm.REFUND_APPROVE)


def payment_list_for(*, user: StaffActor, day: date | None = None) -> QuerySet[Payment]:
    """The payments `user` may read: their center's, and only their own unless a supervisor."""
    return payment_list(
        center_id=int(getattr(user, "center_id", None) or 0),
        day=day,
        officer_id=None if sees_all_payments(user) else user.pk,
    )


def payment_get(*, pk: int, user: StaffActor) -> Payment:
    """One payment `user` may read; anyone else's answers exactly like a missing one."""
    payment = payment_list_for(user=user).filter(pk=pk).first()
    if payment is None:
        raise NotFound(_("没有找到这笔收费"), code=FeeError.UNKNOWN_PAYMENT)
    return payment


def payments_for_case(*, case_number: str, center_id: int) -> QuerySet[Payment]:
    return payment_list(center_id=center_id).filter(case_number=case_number)


def refund_list(*, center_id: int, status: str | None = None) -> QuerySet[Refund]:
    qs = Refund.objects.filter(payment__center_id=center_id).select_related(
        "payment", "requested_by", "decided_by"
    )
    return qs.filter(status=status) if status else qs


def refund_get(*, pk: int, center_id: int) -> Refund:
    refund = refund_list(center_id=center_id).filter(pk=pk).first()
    if refund is None:
        raise NotFound(_("没有找到这笔退费申请"), code=FeeError.UNKNOWN_REFUND)
    return refund


def refundable_fen(payment: Payment) -> int:
    """Paid, minus refunded, minus refunds still waiting for approval."""
    pending = (
        payment.refunds.filter(status=RefundStatus.REQUESTED).aggregate(s=Sum("amount_fen"))["s"]
        or 0
    )
    return payment.payable_fen - payment.refunded_fen - pending


def free_copies(*, case_number: str, center_id: int) -> int:
    row = FreeCopyCount.objects.filter(center_id=center_id, case_number=case_number).first()
    return row.copies if row else 0


# --- cash drawers (日结) ---------------------------------------------------------------------


@dataclass
class DrawerRow:
    officer_id: int
    officer_name: str
    window_code: str
    count: int = 0
    collected: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    refunded: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    waived_fen: int = 0
    closed: DrawerClose | None = None

    @property
    def collected_fen(self) -> int:
        return sum(self.collected.values())

    @property
    def refunded_fen(self) -> int:
        return sum(self.refunded.values())

    @property
    def net_fen(self) -> int:
        return self.collected_fen - self.refunded_fen

    @property
    def expected_cash_fen(self) -> int:
        return self.collected.get(PaymentMethod.CASH, 0) - self.refunded.get(PaymentMethod.CASH, 0)

    def by_method(self) -> list[dict[str, Any]]:
        return [
            {
                "method": m.value,
                "label": str(m.label),
                "collected": self.collected.get(m, 0),
                "refunded": self.refunded.get(m, 0),
                "net": self.collected.get(m, 0) - self.refunded.get(m, 0),
            }
            for m in PaymentMethod
            if m != PaymentMethod.NONE
        ]

    def totals(self) -> dict[str, dict[str, int]]:
        return {
            row["method"]: {"collected": row["collected"], "refunded": row["refunded"]}
            for row in self.by_method()
        }


def drawer_rows(
    *, center_id: int, day: date, officer_id: int | None = None, window_code: str | None = None
) -> list[DrawerRow]:
    """Per officer and window: what was collected (by method) and refunded on `day`.

    `officer_id` and `window_code` narrow it to one officer's drawer (我的日结 at the window
    the officer is signed in at).

    A refund is paid out of the drawer of the officer who requested it, on the day the
    director approved it.
    """
    rows: dict[tuple[int, str], DrawerRow] = {}

    def row(officer: Any, window_code: str) -> DrawerRow:
        key = (officer.pk, window_code)
        if key not in rows:
            rows[key] = DrawerRow(
                officer_id=officer.pk, officer_name=str(officer), window_code=window_code
            )
        return rows[key]

    for payment in payment_list(center_id=center_id, day=day, officer_id=officer_id):
        r = row(payment.collected_by, payment.window_code)
        r.count += 1
        r.waived_fen += payment.waived_fen
        if payment.payable_fen:
            r.collected[payment.method] += payment.payable_fen
    refunds = refund_list(center_id=center_id, status=RefundStatus.APPROVED).filter(decided_on=day)
    if officer_id is not None:
        refunds = refunds.filter(requested_by_id=officer_id)
    for refund in refunds:
        r = row(refund.requested_by, refund.window_code)
        r.refunded[refund.payment.method] += refund.amount_fen
    closes = DrawerClose.objects.filter(center_id=center_id, day=day)
    if officer_id is not None:
        closes = closes.filter(officer_id=officer_id)
    for close in closes.select_related("officer"):
        row(close.officer, close.window_code).closed = close
    found = rows.values()
    if window_code is not None:
        found = [r for r in found if r.window_code == window_code]  # type: ignore[assignment]
    return sorted(found, key=lambda r: (r.window_code, r.officer_name))


def payment_keys(*, center_id: int, start: date, end: date) -> list[tuple[str, int | None]]:
    """(fee record key, collecting officer id) for payments collected in [start, end): the
    receipt number, or ``P<id>`` for a payment without one (the standards context's 双随机
    fee-record pools). Read-only."""
    zone = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end, time.min, tzinfo=zone)
    rows = (
        Payment.objects.filter(center_id=center_id, collected_at__gte=since, collected_at__lt=until)
        .order_by("pk")
        .values_list("pk", "receipt_number", "collected_by_id")
    )
    return [(receipt or f"P{pk}", officer_id) for pk, receipt, officer_id in rows]
