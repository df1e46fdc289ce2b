from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from bianmin.accounts.api import staff_auth
from bianmin.core.errors import PermissionDenied
from bianmin.core.permissions import Perm, has_perm
from bianmin.fees.quoting import fen_to_yuan
from bianmin.fees.selectors import fee_quote

router = Router(tags=["收费减免"])


class QuoteIn(Schema):
    item_code: str
    on_date: date
    id_number: str | None = None
    groups: list[str] | None = None
    variant: str | None = None  # e.g. CR03 "multi_1y"; the item's default fee when omitted


class PolicyOut(Schema):
    code: str
    name: str
    waived_yuan: int | float


class QuoteOut(Schema):
    standard_yuan: int | float
    waived_yuan: int | float
    payable_yuan: int | float
    policies: list[PolicyOut]


@router.post("/fees/quote", response=QuoteOut, auth=staff_auth, summary="收费计算（含减免）")
def quote(request: HttpRequest, payload: QuoteIn) -> dict[str, Any]:
    """The standard fee, every applicable waiver and the payable amount, exact to the fen."""
    user = request.auth  # type: ignore[attr-defined]
    if not (has_perm(user, Perm.FEE_COLLECT) or has_perm(user, Perm.FEE_POLICY_EDIT)):
        raise PermissionDenied("您没有执行此操作的权限")
    result = fee_quote(
        center_id=user.center_id,
        item_code=payload.item_code[:20],
        variant_code=(payload.variant or "")[:30],
        on_date=payload.on_date,
        id_number=(payload.id_number or "")[:40],
        groups=[g[:30] for g in payload.groups or []][:10],
    )
    return {
        "standard_yuan": fen_to_yuan(result.standard_fen),
        "waived_yuan": fen_to_yuan(result.waived_fen),
        "payable_yuan": fen_to_yuan(result.payable_fen),
        "policies": [
            {
                "code": line.policy_code,
                "name": line.policy_name,
                "waived_yuan": fen_to_yuan(line.waived_fen),
            }
            for line in result.lines
        ],
    }
