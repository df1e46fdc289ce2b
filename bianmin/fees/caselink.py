"""The one place where fees reaches into the cases context (through its selectors and services).

`case_fee_facts` and `case_confirmation_record` belong to the cases engineer. Until they exist
(and in tests that do not build cases) the fallbacks below keep the fees screens working:
no case facts, and a confirmation that compares the re-typed data with the facts here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from bianmin.core.errors import DomainError
from bianmin.people.idnumber import check_id_number


@dataclass(frozen=True)
class FeeFacts:
    """What fees needs to know about a case (mirrors cases' CaseFeeFacts)."""

    id: int | None
    number: str
    center_id: int | None
    item_code: str
    fee_variant: str
    applicant_id_number: str
    applicant_name: str
    applicant_gender: str
    groups: tuple[str, ...] = field(default_factory=tuple)
    status: str = ""


def _as_facts(raw: Any) -> FeeFacts:
    return FeeFacts(
        id=getattr(raw, "id", None),
        number=str(getattr(raw, "number", "")),
        center_id=getattr(raw, "center_id", None),
        item_code=str(getattr(raw, "item_code", "")),
        fee_variant=str(getattr(raw, "fee_variant", "") or ""),
        applicant_id_number=str(getattr(raw, "applicant_id_number", "") or ""),
        applicant_name=str(getattr(raw, "applicant_name", "") or ""),
        applicant_gender=str(getattr(raw, "applicant_gender", "") or ""),
        groups=tuple(getattr(raw, "groups", ()) or ()),
        status=str(getattr(raw, "status", "") or ""),
    )


def case_fee_facts(*, case_number: str, user: Any) -> FeeFacts | None:
    """The case's fee facts as the user may see them, or None (unknown or not visible)."""
    try:
        from bianmin.cases import selectors as case_selectors
    except ImportError:
        return None
    lookup = getattr(case_selectors, "case_fee_facts", None)
    if lookup is None:
        return None
    raw = lookup(case_number=case_number, user=user)
    return None if raw is None else _as_facts(raw)


def case_confirmation_record(
    *, actor: Any, facts: FeeFacts, name: str, gender: str, id_type: str, id_number: str
) -> None:
    """零差错: the applicant confirms name, gender, ID type and number at payment.

    Raises DomainError on any mismatch; nothing is charged then.
    """
    try:
        from bianmin.cases import services as case_services
    except ImportError:
        case_services = None  # type: ignore[assignment]
    record = getattr(case_services, "case_confirmation_record", None)
    if record is not None:
        record(
            actor=actor,
            case_number=facts.number,
            stage="payment",
            name=name,
            gender=gender,
            id_type=id_type,
            id_number=id_number,
        )
        return
    _compare(facts, name=name, gender=gender, id_number=id_number)


def _compare(facts: FeeFacts, *, name: str, gender: str, id_number: str) -> None:
    problems = []
    if name.strip() != facts.applicant_name.strip():
        problems.append(_("姓名"))
    if facts.applicant_gender and gender != facts.applicant_gender:
        problems.append(_("性别"))
    typed = check_id_number(id_number).normalized if id_number else ""
    if typed != check_id_number(facts.applicant_id_number).normalized:
        problems.append(_("证件号码"))
    if problems:
        raise DomainError(
            _("核对不一致：%s与办件登记不符，请与申请人重新核对后再收费") % "、".join(problems),
            code="confirmation_mismatch",
        )
