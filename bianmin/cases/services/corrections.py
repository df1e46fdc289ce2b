"""Flags, recorded corrections, termination and document-view records."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.cases import pipeline
from bianmin.cases.enums import (
    CaseEventType,
    CaseStatus,
    IdType,
)
from bianmin.cases.errors import CaseError
from bianmin.cases.models import (
    Case,
)
from bianmin.cases.services.base import (
    _audit,
    _event,
    _locked,
    _need,
    _same_center,
    _take,
)
from bianmin.core import clock
from bianmin.core.actors import StaffActor
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Perm

# --- flags, corrections, termination --------------------------------------------------------------

FLAG_FIELDS = ("is_urgent", "is_holiday_appointment", "is_standby_24h")
CORRECTABLE_FIELDS = {"remark": "备注", "fee_variant": "收费类型", "applicant_id_type": "证件类型"}


@transaction.atomic
def case_set_flags(*, actor: StaffActor, case: Case, **flags: bool) -> Case:
    """加急 / 节假日预约 / 24小时值守 markers, on open cases."""
    case = _take(actor, case, pipeline.CaseAction.FLAGS, Perm.CASE_ACCEPT, Perm.CASE_MONITOR)
    changed = {
        k: bool(v) for k, v in flags.items() if k in FLAG_FIELDS and getattr(case, k) != bool(v)
    }
    if not changed:
        return case
    for key, value in changed.items():
        setattr(case, key, value)
    case.save(update_fields=[*changed, "updated_at"])
    _event(case, CaseEventType.CORRECTED, actor, data={"flags": changed})
    _audit(actor, AuditAction.CASE_CORRECTED, case, flags=changed)
    return case


@transaction.atomic
def case_correct(
    *, actor: StaffActor, case: Case, field_name: str, value: str, reason: str
) -> Case:
    """The only edit after closing: a recorded correction with the old and the new value."""
    _need(actor, Perm.CASE_MONITOR)
    _same_center(actor, case)
    case = _locked(case)
    if field_name not in CORRECTABLE_FIELDS:
        raise DomainError(_("该项目不能更正"), code=CaseError.NOT_CORRECTABLE)
    if not reason.strip():
        raise DomainError(_("更正必须填写原因"), code=CaseError.REASON_REQUIRED)
    if field_name == "applicant_id_type" and value not in IdType.values:
        raise DomainError(_("证件类型不正确"), code=CaseError.INVALID_ID_TYPE)
    if (
        field_name == "fee_variant"
        and value
        and not case.item.fee_variants.filter(code=value).exists()
    ):
        raise DomainError(_("收费类型不属于该事项"), code=CaseError.INVALID_FEE_VARIANT)
    before = getattr(case, field_name)
    setattr(case, field_name, value[:300])
    case.save(update_fields=[field_name, "updated_at"])
    _event(
        case,
        CaseEventType.CORRECTED,
        actor,
        reason=reason,
        data={"field": field_name, "before": before, "after": value[:300]},
    )
    _audit(actor, AuditAction.CASE_CORRECTED, case, field=field_name)
    return case


def _terminate(case: Case, actor: StaffActor | None, reason: str) -> None:
    case.status = CaseStatus.TERMINATED
    case.terminated_at = clock.now()
    case.termination_reason = reason[:300]
    case.locked_by, case.locked_at = None, None
    case.save()
    _event(case, CaseEventType.TERMINATED, actor, from_stage=case.stage, reason=reason)
    _audit(actor, AuditAction.CASE_TERMINATED, case, reason=reason)


@transaction.atomic
def case_terminate(*, actor: StaffActor, case: Case, reason: str) -> Case:
    """A shift leader ends a case (withdrawn by the applicant, …), with the reason."""
    case = _take(actor, case, pipeline.CaseAction.TERMINATE, Perm.CASE_MONITOR)
    if not reason.strip():
        raise DomainError(_("终止办件必须填写原因"), code=CaseError.REASON_REQUIRED)
    _terminate(case, actor, reason.strip())
    return case


@transaction.atomic
def case_document_viewed(*, actor: StaffActor, case: Case, document: str) -> None:
    """Receipts and notices are personal documents: every print or download is recorded."""
    _need(actor, Perm.CASE_ACCEPT, Perm.CASE_PROCESS, Perm.CASE_MONITOR)
    _same_center(actor, case)
    _audit(actor, AuditAction.CASE_VIEWED, case, document=document)
