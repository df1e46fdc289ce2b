"""Acceptance (受理, 容缺受理) and the API's one-call submission."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.accounts.selectors import staff_may_serve
from bianmin.audit.enums import AuditAction
from bianmin.cases import pipeline
from bianmin.cases.checklist import (
    MaterialSpec,
    gaps_acceptable,
)
from bianmin.cases.enums import (
    CaseEventType,
    CaseStatus,
    ConfirmationStage,
    InquiryStatus,
    MaterialState,
)
from bianmin.cases.errors import CaseError
from bianmin.cases.events import CaseAccepted
from bianmin.cases.models import (
    Case,
    Inquiry,
    MissingNotice,
)
from bianmin.cases.services.base import (
    _audit,
    _deadline,
    _event,
    _take,
    case_setting_for,
)
from bianmin.cases.services.review import (
    ApplicantInput,
    case_confirmation_record,
    case_create,
    case_issue_missing_notice,
    case_lacking,
    case_pre_review,
)
from bianmin.catalogue.enums import Stage
from bianmin.catalogue.selectors import item_get
from bianmin.core import clock
from bianmin.core.actors import StaffActor
from bianmin.core.errors import Conflict, DomainError, PermissionDenied
from bianmin.core.events import publish
from bianmin.core.permissions import Perm


@transaction.atomic
def case_accept(
    *,
    actor: StaffActor,
    case: Case,
    with_gaps: bool = False,
    commitment: str = "",
    signature: bytes | None = None,
) -> Case:
    """受理: materials complete (or only secondary ones owed, 容缺), the applicant confirmed at the
    window; the deadline is the item's promised working days after today. A 容缺 commitment may
    carry the applicant's handwritten `signature` (PNG, checked by core.signatures), printed
    on the receipt."""
    case = _take(actor, case, pipeline.CaseAction.ACCEPT, Perm.CASE_ACCEPT)
    item = case.item
    if not staff_may_serve(staff=actor, item_id=item.pk):
        raise PermissionDenied(_("您未获得办理“%(item)s”的授权") % {"item": item.name})
    materials = list(case.materials.all())
    if any(m.is_required and m.state == MaterialState.NOT_CHECKED for m in materials):
        raise DomainError(_("请先完成材料预审"), code=CaseError.NOT_PRE_REVIEWED)
    if not case.confirmations.filter(stage=ConfirmationStage.WINDOW).exists():
        raise DomainError(
            _("受理前须由申请人在窗口核对确认姓名、性别、证件类型和号码"),
            code=CaseError.CONFIRMATION_MISSING,
        )
    duplicate = (
        Case.objects.filter(
            applicant_id=case.applicant_id, item_id=item.pk, status=CaseStatus.ACCEPTED
        )
        .exclude(pk=case.pk)
        .values_list("number", flat=True)
        .first()
    )
    if duplicate:
        raise Conflict(
            _("该申请人已有同一事项的在办件 %(number)s，不能重复受理。") % {"number": duplicate},
            code=CaseError.DUPLICATE_OPEN_CASE,
        )
    lacking = [m for m in materials if m.is_required and m.state != MaterialState.PROVIDED]
    if lacking and not with_gaps:
        raise DomainError(
            _("材料不齐（%(names)s），不能受理；请出具一次性告知单%(gaps)s。")
            % {
                "names": "、".join(m.name for m in lacking),
                "gaps": _("或办理容缺受理") if item.allows_accept_with_gaps else "",
            },
            code=CaseError.MATERIALS_INCOMPLETE,
        )
    if with_gaps:
        if not lacking:
            with_gaps = False
        elif not item.allows_accept_with_gaps:
            raise DomainError(
                _("事项“%(item)s”不适用容缺受理") % {"item": item.name},
                code=CaseError.GAPS_NOT_ALLOWED,
            )
        else:
            specs = [
                MaterialSpec(m.code, m.name, m.requirement, m.legal_basis, "always", m.is_primary)
                for m in materials
                if m.is_required
            ]
            if not gaps_acceptable(specs, {m.code: m.state for m in materials}):
                raise DomainError(
                    _("主要材料不齐（%(names)s），不能容缺受理；容缺受理只适用于次要材料。")
                    % {"names": "、".join(m.name for m in lacking if m.is_primary)},
                    code=CaseError.GAPS_NOT_ALLOWED,
                )
            if not commitment.strip():
                raise DomainError(
                    _("容缺受理须记录申请人的补正承诺"), code=CaseError.REASON_REQUIRED
                )
    stages = case.stage_tuple
    pipeline.check_step(
        stages=stages,
        status=CaseStatus.ACCEPTED,
        current="",
        target=Stage.ACCEPT,
        role=actor.role,
        route="accept",
        gaps_open=False,
    )
    today = clock.today()
    setting = case_setting_for(case.center_id)
    deadline = _deadline(today, case.promised_workdays)
    warn_on = _deadline(
        today, pipeline.warning_workdays(case.promised_workdays, setting.warning_share)
    )
    now = clock.now()
    case.status = CaseStatus.ACCEPTED
    case.stage = Stage.ACCEPT
    case.next_stage = pipeline.next_stage(stages, Stage.ACCEPT) or ""
    case.accepted_at, case.accepted_by_id = now, actor.pk
    case.deadline, case.warn_on = deadline, warn_on
    if with_gaps:
        case.accepted_with_gaps = True
        case.gaps_open = True
        case.gap_commitment = commitment.strip()[:500]
        case.gap_signature = signature
        case.supplement_deadline = _deadline(
            today, min(setting.gap_supplement_workdays, case.promised_workdays)
        )
    case.save()
    if case.inquiry_id:
        Inquiry.objects.filter(pk=case.inquiry_id).update(status=InquiryStatus.CONVERTED)
    _event(
        case,
        CaseEventType.ACCEPTED_WITH_GAPS if with_gaps else CaseEventType.ACCEPTED,
        actor,
        to_stage=Stage.ACCEPT,
        data={
            "deadline": deadline.isoformat(),
            "gaps": [m.code for m in lacking] if with_gaps else [],
            "supplement_deadline": case.supplement_deadline.isoformat()
            if case.supplement_deadline
            else None,
        },
        reason=case.gap_commitment,
    )
    _audit(
        actor, AuditAction.CASE_ACCEPTED, case, deadline=deadline.isoformat(), with_gaps=with_gaps
    )
    publish(
        CaseAccepted(
            center_id=case.center_id,
            case_id=case.pk,
            case_number=case.number,
            officer_id=actor.pk,
            item_code=item.code,
            at=now,
            applicant_id=case.applicant_id,
        )
    )
    return case


@transaction.atomic
def case_supplement_gaps(*, actor: StaffActor, case: Case) -> Case:
    """容缺: the owed secondary materials were handed in; the pipeline may continue."""
    case = _take(actor, case, pipeline.CaseAction.SUPPLEMENT_GAPS, Perm.CASE_ACCEPT)
    if not case.gaps_open:
        raise DomainError(_("该办件没有待补正的容缺材料"), code=CaseError.NO_GAPS)
    now = clock.now()
    supplied = []
    for row in case.materials.all():
        if row.is_required and row.state != MaterialState.PROVIDED:
            row.state, row.reason, row.checked_at = MaterialState.PROVIDED, "", now
            row.save(update_fields=["state", "reason", "checked_at"])
            supplied.append(row.code)
    case.gaps_open = False
    case.save(update_fields=["gaps_open", "updated_at"])
    _event(case, CaseEventType.GAPS_SUPPLIED, actor, data={"materials": supplied})
    _audit(actor, AuditAction.CASE_TRANSITIONED, case, gaps_supplied=supplied)
    return case


# --- the API's one-call submission ------------------------------------------------------------------


@dataclass(frozen=True)
class SubmitResult:
    case: Case
    missing: list[str]
    notice: MissingNotice | None


@transaction.atomic
def case_submit(
    *,
    actor: StaffActor,
    item_code: str,
    applicant: ApplicantInput,
    materials: Mapping[str, str],
    ticket_id: str = "",
    declared: Mapping[str, Any] | None = None,
) -> SubmitResult:
    """POST /api/v1/cases: register, pre-review, then accept (complete) or issue the one notice
    (incomplete). The caller's terminal confirms the applicant's data at the window, so the
    submission records both the form and the window confirmation. All or nothing."""
    item = item_get(code=item_code)
    known = {m.code for m in item.materials.all()}
    unknown = sorted(set(materials) - known)
    if unknown:
        raise DomainError(
            _("材料 %(codes)s 不属于事项“%(item)s”，请核对材料清单。")
            % {"codes": "、".join(unknown), "item": item.name},
            code=CaseError.UNKNOWN_MATERIAL,
            materials=unknown,
        )
    case = case_create(
        actor=actor,
        item_code=item.code,
        applicant=applicant,
        declared=declared,
        ticket_id=ticket_id,
    )
    case_confirmation_record(
        actor=actor,
        case_number=case.number,
        stage=ConfirmationStage.WINDOW,
        name=applicant.name,
        gender=applicant.gender,
        id_type=applicant.id_type,
        id_number=applicant.id_number,
    )
    case = case_pre_review(actor=actor, case=case, results=dict(materials))
    lacking = case_lacking(case)
    if lacking:
        notice = case_issue_missing_notice(actor=actor, case=case)
        case.refresh_from_db()
        return SubmitResult(case=case, missing=[m.code for m in lacking], notice=notice)
    case = case_accept(actor=actor, case=case)
    return SubmitResult(case=case, missing=[], notice=None)
