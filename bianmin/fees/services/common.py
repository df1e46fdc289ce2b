"""What every fees service shares: exact money parsing, the permission check, the scopes."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from bianmin.core.actors import StaffActor, is_province_scope
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.permissions import Perm, Role, has_perm
from bianmin.fees.errors import FeeError

IDEMPOTENCY_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
WINDOW_CODE_RE = re.compile(r"^[A-Z]{1,2}\d{1,3}$")
MAX_FEN = 100_000_00  # no single fee or refund in the catalogue comes near 100 000 元


def yuan_to_fen(value: Any) -> int:
    """Parse an amount in yuan ("12", "12.5", "12.50", Decimal) into exact fen.

    Floats are refused: money never passes through binary floating point.
    """
    if isinstance(value, bool | float):
        raise DomainError(_("金额须以数字文本或整数分传入"), code=FeeError.INVALID_AMOUNT)
    text = str(value).strip().replace("元", "").replace(",", "").replace("，", "")
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(
            _("金额“%s”不是数字，请输入例如 12.50") % text[:20], code=FeeError.INVALID_AMOUNT
        ) from exc
    if not amount.is_finite():
        raise DomainError(_("金额不是有效数字"), code=FeeError.INVALID_AMOUNT)
    if amount < 0:
        raise DomainError(_("金额不能为负数"), code=FeeError.INVALID_AMOUNT)
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise DomainError(_("金额最多精确到分（两位小数）"), code=FeeError.INVALID_AMOUNT)
    if fen > MAX_FEN:
        raise DomainError(_("金额过大"), code=FeeError.INVALID_AMOUNT)
    return int(fen)


def need(actor: StaffActor, perm: Perm, message: str) -> None:
    if not has_perm(actor, perm):
        raise PermissionDenied(message)


def is_province_actor(actor: object) -> bool:
    """A province-scope account (`is_province_scope`, core) that may edit fee policies — the
    province's director (`province01` in the demo) or a province administrator: the only
    accounts that write province-wide waiver policies (README, 收费减免)."""
    return is_province_scope(actor) and (
        has_perm(actor, Perm.FEE_POLICY_EDIT) or getattr(actor, "role", None) == Role.ADMINISTRATOR
    )


def may_edit_policies(actor: object) -> bool:
    """A director edits their own center's policies; a province administrator the province's."""
    return has_perm(actor, Perm.FEE_POLICY_EDIT) or is_province_actor(actor)
