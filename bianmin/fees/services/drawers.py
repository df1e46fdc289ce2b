"""The officer's cash drawer (日结) and the free copies made for a case (免费复印)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Perm
from bianmin.fees.errors import FeeError
from bianmin.fees.models import DrawerClose, FreeCopyCount
from bianmin.fees.quoting import fmt_yuan
from bianmin.fees.selectors import drawer_rows
from bianmin.fees.services.common import need


@transaction.atomic
def drawer_close(
    *, actor: StaffActor, day: date, window_code: str, counted_cash_fen: int, note: str = ""
) -> DrawerClose:
    """An officer counts their cash drawer; a difference of even one fen needs an explanation."""
    need(actor, Perm.FEE_COLLECT, _("您没有收费日结的权限"))
    if (
        isinstance(counted_cash_fen, bool)
        or not isinstance(counted_cash_fen, int)
        or counted_cash_fen < 0
    ):
        raise DomainError(_("清点金额不能为负数"), code=FeeError.INVALID_AMOUNT)
    if day > clock.today():
        raise DomainError(_("不能为未来的日期日结"), code=FeeError.FUTURE_DAY)
    window_code = (window_code or "").strip().upper()
    rows = [
        r
        for r in drawer_rows(center_id=home_center_id(actor), day=day, officer_id=actor.pk)
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
            code=FeeError.DRAWER_DIFFERENCE,
        )
    close, created = DrawerClose.objects.update_or_create(
        center_id=home_center_id(actor),
        day=day,
        officer_id=actor.pk,
        window_code=window_code,
        defaults={
            "expected_cash_fen": expected,
            "counted_cash_fen": counted_cash_fen,
            "difference_fen": difference,
            "totals": totals,
            "note": note.strip()[:200],
            "closed_by_id": actor.pk,
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
def free_copies_add(*, actor: StaffActor, case_number: str, copies: int = 1) -> int:
    """免费复印: count copies made for a case; returns the new total."""
    need(actor, Perm.FEE_COLLECT, _("您没有登记免费复印的权限"))
    case_number = (case_number or "").strip()
    if not case_number or len(case_number) > 40:
        raise DomainError(_("请提供办件编号"), code=FeeError.CASE_REQUIRED)
    if isinstance(copies, bool) or not isinstance(copies, int) or not 1 <= copies <= 200:
        raise DomainError(_("复印份数应为1至200的整数"), code=FeeError.INVALID_COPIES)
    row, _created = FreeCopyCount.objects.select_for_update().get_or_create(
        center_id=home_center_id(actor), case_number=case_number
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
