"""Registration, the applicant's confirmations (零差错), pre-review and the one-time
missing-material notice (一次性告知)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.accounts.selectors import staff_may_serve
from bianmin.audit.enums import AuditAction
from bianmin.cases import pipeline
from bianmin.cases.checklist import (
    DECLARED_FACTS,
    MaterialSpec,
    applicant_facts,
    later_notice_allowed_codes,
    required_codes,
)
from bianmin.cases.enums import (
    CaseEventType,
    CaseStatus,
    ConfirmationMethod,
    ConfirmationStage,
    IdType,
    InquiryStatus,
    MaterialState,
)
from bianmin.cases.errors import CaseError
from bianmin.cases.models import (
    Case,
    CaseConfirmation,
    CaseMaterial,
    Inquiry,
    MissingNotice,
)
from bianmin.cases.services.base import (
    _audit,
    _event,
    _guard,
    _is_workday,
    _need,
    _same_center,
    _take,
    case_number_next,
    case_setting_for,
    phone_digest,
)
from bianmin.cases.services.inquiry import inquiry_open
from bianmin.cases.services.mismatch import (
    ConfirmationMismatch,
    Mismatch,
    case_confirmation_mismatch_keep,
)
from bianmin.catalogue.selectors import item_get
from bianmin.core import clock
from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.errors import DomainError, NotFound, PermissionDenied
from bianmin.core.masking import mask_name
from bianmin.core.permissions import Perm
from bianmin.hall.selectors import ticket_summary
from bianmin.notifications.services import sms_enqueue
from bianmin.people.idnumber import mask_id_number
from bianmin.people.services import PersonInput, person_upsert

logger = logging.getLogger(__name__)

# --- case creation and confirmations ------------------------------------------------------------


@dataclass(frozen=True)
class ApplicantInput:
    name: str
    id_number: str
    gender: str
    phone: str = ""
    id_type: str = IdType.RESIDENT_ID
    chip_photo: bytes | None = None  # read from the card: the face-check reference if needed


def _material_specs(item: Any) -> list[MaterialSpec]:
    return [MaterialSpec.of(m) for m in item.materials.all()]


def _sync_materials(case: Case, specs: list[MaterialSpec]) -> None:
    """Create the checklist rows and mark which ones this case's facts require."""
    needed = required_codes(specs, case.facts)
    existing = {m.code: m for m in case.materials.all()}
    for spec in specs:
        row = existing.get(spec.code)
        if row is None:
            CaseMaterial.objects.create(
                case=case,
                code=spec.code,
                name=spec.name,
                requirement=spec.requirement,
                legal_basis=spec.legal_basis,
                is_primary=spec.is_primary,
                is_required=spec.code in needed,
                sort_order=spec.sort_order,
            )
        elif row.is_required != (spec.code in needed):
            row.is_required = spec.code in needed
            row.save(update_fields=["is_required"])


def _clean_declared(declared: Mapping[str, Any] | None) -> dict[str, bool]:
    return {key: bool((declared or {}).get(key)) for key in DECLARED_FACTS}


@transaction.atomic
def case_create(
    *,
    actor: StaffActor,
    item_code: str,
    applicant: ApplicantInput,
    declared: Mapping[str, Any] | None = None,
    ticket_id: str = "",
    inquiry: Inquiry | None = None,
    groups: Iterable[str] = (),
    fee_variant: str = "",
    is_urgent: bool = False,
    is_holiday_appointment: bool = False,
    is_standby_24h: bool = False,
    confirm_method: str = ConfirmationMethod.TYPED,
) -> Case:
    """Register an application (pre-review starts): the person goes to the encrypted registry,
    the case gets its number and checklist, and the form data counts as the 'form' confirmation
    (`confirm_method`: typed, read from the ID card, or filled from the registry)."""
    _need(actor, Perm.CASE_ACCEPT)
    if actor.center_id is None:
        raise PermissionDenied(_("您的账号未分配到服务中心"))
    item = item_get(code=item_code)
    if not item.is_active:
        raise DomainError(
            _("事项 %(code)s 已停用") % {"code": item.code}, code=CaseError.ITEM_INACTIVE
        )
    if not staff_may_serve(staff=actor, item_id=item.pk):
        raise PermissionDenied(_("您未获得办理“%(item)s”的授权") % {"item": item.name})
    stages = pipeline.validate_stages(item.stages)
    if applicant.id_type not in IdType.values:
        raise DomainError(_("证件类型不正确"), code=CaseError.INVALID_ID_TYPE)
    if fee_variant and not item.fee_variants.filter(code=fee_variant).exists():
        raise DomainError(
            _("收费类型 %(v)s 不属于该事项") % {"v": fee_variant},
            code=CaseError.INVALID_FEE_VARIANT,
        )
    if ticket_id and inquiry is None:
        inquiry = inquiry_open(actor=actor, ticket_id=ticket_id, item_code=item.code)
    if ticket_id and not _is_workday(clock.today()):
        # a booked visit served on a day off (节假日预约) is marked for the board
        summary = ticket_summary(ticket_id=ticket_id, center_id=home_center_id(actor))
        is_holiday_appointment = is_holiday_appointment or (
            summary is not None and summary.priority == "appointment"
        )
    person, _created = person_upsert(
        actor=actor,
        center=actor.center,
        contact_reason="本人到场申请办件",  # another center's resident: contact fields only
        data=PersonInput(
            name=applicant.name,
            id_number=applicant.id_number,
            gender=applicant.gender,
            phone=applicant.phone,
            chip_photo=applicant.chip_photo,
        ),
    )
    today = clock.today()
    setting = case_setting_for(actor.center_id)
    facts = applicant_facts(
        id_number=person.id_number or "",
        today=today,
        local_prefix=setting.local_region_prefix,
        declared=_clean_declared(declared),
    )
    number = case_number_next(center=actor.center, day=today)
    phone = person.phone or ""
    case = Case.objects.create(
        center_id=actor.center_id,
        number=number,
        item=item,
        stages=list(stages),
        promised_workdays=item.promised_workdays,
        inquiry=inquiry,
        ticket_id=(ticket_id or (inquiry.ticket_id if inquiry else ""))[:64],
        applicant=person,
        applicant_name_masked=mask_name(person.name),
        applicant_gender=person.gender,
        applicant_id_type=applicant.id_type,
        phone_last4_digest=phone_digest(number, phone[-4:]) if phone else "",
        facts=facts,
        groups=sorted({g for g in groups if g}),
        fee_variant=fee_variant,
        is_urgent=is_urgent,
        is_holiday_appointment=is_holiday_appointment,
        is_standby_24h=is_standby_24h,
        created_by_id=actor.pk,
    )
    _sync_materials(case, _material_specs(item))
    _confirm(
        case,
        actor,
        ConfirmationStage.FORM,
        person.name,
        person.gender,
        applicant.id_type,
        person.id_number or "",
        method=_method(confirm_method),
    )
    _event(case, CaseEventType.CREATED, actor, data={"item": item.code, "facts": facts})
    _audit(actor, AuditAction.CASE_CREATED, case, item=item.code)
    return case


def _method(method: str) -> str:
    if method not in ConfirmationMethod.values:
        raise DomainError(_("确认方式不正确"), code=CaseError.INVALID_CONFIRM_METHOD)
    return method


def _confirm(
    case: Case,
    actor: StaffActor,
    stage: str,
    name: str,
    gender: str,
    id_type: str,
    id_number: str,
    *,
    method: str = ConfirmationMethod.TYPED,
) -> CaseConfirmation:
    return CaseConfirmation.objects.create(
        case=case,
        stage=stage,
        method=method,
        name_masked=mask_name(name),
        gender=gender,
        id_type=id_type,
        id_number_masked=mask_id_number(id_number),
        confirmed_by_id=getattr(actor, "pk", None),
        confirmed_at=clock.now(),
    )


FIELD_LABELS = {"name": "姓名", "gender": "性别", "id_type": "证件类型", "id_number": "证件号码"}


def case_confirmation_record(
    *,
    actor: StaffActor,
    case_number: str,
    stage: str,
    name: str,
    gender: str,
    id_type: str,
    id_number: str,
    method: str = ConfirmationMethod.TYPED,
) -> None:
    """零差错: the applicant confirms name, gender, ID type and number (form, window, payment).

    A mismatch with what the case holds blocks with a message naming the fields (not values),
    confirms nothing, and is recorded as a CONFIRMATION_MISMATCH event against the registering
    officer (written after the confirmation's own transaction, so it commits; see
    ``services.mismatch``). `method` records how: typed, the ID card read again (the page's
    reader), or the registry.
    """
    try:
        _confirmation_record(
            actor=actor,
            case_number=case_number,
            stage=stage,
            confirmed={"name": name, "gender": gender, "id_type": id_type, "id_number": id_number},
            method=method,
        )
    except ConfirmationMismatch as error:
        case_confirmation_mismatch_keep(error)
        raise


@transaction.atomic
def _confirmation_record(
    *, actor: StaffActor, case_number: str, stage: str, confirmed: Mapping[str, str], method: str
) -> None:
    method = _method(method)
    _need(actor, Perm.CASE_ACCEPT, Perm.FEE_COLLECT)
    if stage not in ConfirmationStage.values:
        raise DomainError(_("确认环节不正确"), code=CaseError.INVALID_STAGE)
    case = Case.objects.select_related("applicant").filter(number=case_number.strip()).first()
    if case is None:
        raise NotFound(
            _("没有找到受理编号为 %(n)s 的办件") % {"n": case_number}, code=CaseError.CASE_NOT_FOUND
        )
    _same_center(actor, case)
    _guard(case, actor, pipeline.CaseAction.CONFIRM)
    person = case.applicant
    given = {key: (confirmed.get(key) or "").strip() for key in FIELD_LABELS}
    given["id_number"] = given["id_number"].upper()
    held = {
        "name": person.name,
        "gender": person.gender,
        "id_type": case.applicant_id_type,
        "id_number": (person.id_number or "").upper(),
    }
    wrong = [FIELD_LABELS[k] for k in FIELD_LABELS if given[k] != held[k]]
    if wrong:
        # Nothing is written here: the block rolls back, the caller records the mismatch.
        raise ConfirmationMismatch(
            _(
                "申请人确认的%(fields)s与登记信息不一致，请核对证件原件后重新确认；"
                "如登记有误，请重新登记申请。"
            )
            % {"fields": "、".join(wrong)},
            mismatch=Mismatch(
                case_id=case.pk,
                registered_by_id=case.created_by_id,
                checked_by_id=getattr(actor, "pk", None),
                stage=stage,
                method=method,
                fields=tuple(wrong),
                at=clock.now(),
            ),
        )
    _confirm(
        case,
        actor,
        stage,
        person.name,
        person.gender,
        case.applicant_id_type,
        person.id_number or "",
        method=method,
    )
    _event(case, CaseEventType.CONFIRMED, actor, data={"stage": stage, "method": method})
    _audit(actor, AuditAction.CASE_CONFIRMED, case, stage=stage, method=method)


@transaction.atomic
def case_facts_change(
    *, actor: StaffActor, case: Case, declared: Mapping[str, Any], note: str
) -> Case:
    """The applicant's situation changed (e.g. now applies through a guardian): recorded, and the
    checklist follows. Only such a recorded change lets a later notice list new materials."""
    case = _take(actor, case, pipeline.CaseAction.FACTS_CHANGE, Perm.CASE_ACCEPT)
    if not note.strip():
        raise DomainError(_("请说明申请人情况发生了什么变化"), code=CaseError.REASON_REQUIRED)
    before = dict(case.facts)
    setting = case_setting_for(case.center_id)
    after = applicant_facts(
        id_number=case.applicant.id_number or "",
        today=clock.today(),
        local_prefix=setting.local_region_prefix,
        declared=_clean_declared(declared),
    )
    if after == before:
        raise DomainError(_("申请人情况没有变化"), code=CaseError.FACTS_UNCHANGED)
    case.facts = after
    case.save(update_fields=["facts", "updated_at"])
    _sync_materials(case, _material_specs(case.item))
    _event(
        case,
        CaseEventType.FACTS_CHANGED,
        actor,
        reason=note,
        data={"before": before, "after": after},
    )
    _audit(actor, AuditAction.CASE_CORRECTED, case, facts_changed=True)
    return case


# --- pre-review, notice, acceptance ---------------------------------------------------------------


@transaction.atomic
def case_pre_review(
    *, actor: StaffActor, case: Case, results: Mapping[str, tuple[str, str] | str]
) -> Case:
    """Record each material as provided / missing / defective (with a reason). Codes that are not
    this item's materials are refused whole; required materials not mentioned count as missing."""
    case = _take(actor, case, pipeline.CaseAction.PRE_REVIEW, Perm.CASE_ACCEPT)
    rows = {m.code: m for m in case.materials.all()}
    unknown = sorted(set(results) - set(rows))
    if unknown:
        raise DomainError(
            _("材料 %(codes)s 不属于事项“%(item)s”，请核对材料清单。")
            % {"codes": "、".join(unknown), "item": case.item.name},
            code=CaseError.UNKNOWN_MATERIAL,
            materials=unknown,
        )
    parsed: dict[str, tuple[str, str]] = {}
    for code, value in results.items():
        state, reason = (value, "") if isinstance(value, str) else value
        if state not in (MaterialState.PROVIDED, MaterialState.MISSING, MaterialState.DEFECTIVE):
            raise DomainError(
                _("材料 %(code)s 的核验结果只能是已提供、缺少或不符合要求") % {"code": code},
                code=CaseError.INVALID_MATERIAL_STATE,
            )
        parsed[code] = (state, (reason or "").strip()[:200])
    now = clock.now()
    summary: dict[str, str] = {}
    for code, row in rows.items():
        if code in parsed:
            state, reason = parsed[code]
        elif row.is_required:
            state, reason = MaterialState.MISSING, ""
        else:
            continue
        if state == MaterialState.DEFECTIVE and not reason:
            reason = _("不符合要求")
        if state == MaterialState.MISSING and not reason:
            reason = _("未提供")
        if state == MaterialState.PROVIDED:
            reason = ""
        row.state, row.reason, row.checked_at = state, reason, now
        row.save(update_fields=["state", "reason", "checked_at"])
        summary[code] = state
    _event(case, CaseEventType.PRE_REVIEWED, actor, data={"materials": summary})
    return case


def case_lacking(case: Case) -> list[CaseMaterial]:
    """Required materials not (yet) provided, in checklist order."""
    return [m for m in case.materials.all() if m.is_required and m.state != MaterialState.PROVIDED]


def _facts_changed_since(case: Case, since: datetime) -> bool:
    return case.events.filter(type=CaseEventType.FACTS_CHANGED, created_at__gte=since).exists()


@transaction.atomic
def case_issue_missing_notice(*, actor: StaffActor, case: Case) -> MissingNotice:
    """一次性告知单: list everything missing or defective at once. A later notice may only list what
    the first one listed, unless the applicant's facts changed since (and that was recorded)."""
    case = _take(actor, case, pipeline.CaseAction.NOTICE, Perm.CASE_ACCEPT)
    materials = list(case.materials.all())
    if any(m.is_required and m.state == MaterialState.NOT_CHECKED for m in materials):
        raise DomainError(_("请先完成材料预审"), code=CaseError.NOT_PRE_REVIEWED)
    lacking = case_lacking(case)
    if not lacking:
        raise DomainError(_("材料齐全，无需告知，可以直接受理"), code=CaseError.NOTHING_MISSING)
    notices = list(case.notices.order_by("seq"))
    facts_changed = False
    if notices:
        first = notices[0]
        facts_changed = _facts_changed_since(case, first.created_at)
        allowed = later_notice_allowed_codes(
            specs=_material_specs(case.item),
            first_codes=first.codes,
            first_facts=first.facts,
            current_facts=case.facts,
            facts_changed=facts_changed,
        )
        extra = [m for m in lacking if m.code not in allowed]
        if extra:
            raise DomainError(
                _(
                    "一次性告知原则：补正告知不能新增首次告知单（%(date)s）未列出的材料：%(names)s。"
                    "首次预审应一次性告知全部问题；如申请人情况确有变化，请先登记情况变化。"
                )
                % {
                    "date": clock.local(first.created_at).strftime("%Y-%m-%d"),
                    "names": "、".join(m.name for m in extra),
                },
                code=CaseError.ONE_TIME_NOTICE,
                materials=[m.code for m in extra],
            )
    entries = [
        {
            "code": m.code,
            "name": m.name,
            "state": m.state,
            "reason": m.reason,
            "requirement": m.requirement,
            "legal_basis": m.legal_basis,
            "is_primary": m.is_primary,
        }
        for m in lacking
    ]
    notice = MissingNotice.objects.create(
        case=case,
        seq=len(notices) + 1,
        entries=entries,
        facts=dict(case.facts),
        facts_changed=facts_changed,
        issued_by_id=actor.pk,
    )
    case.status = CaseStatus.AWAITING_SUPPLEMENT
    case.save(update_fields=["status", "updated_at"])
    if case.inquiry_id:
        Inquiry.objects.filter(pk=case.inquiry_id).update(status=InquiryStatus.CONVERTED)
    _event(
        case,
        CaseEventType.NOTICE_ISSUED,
        actor,
        data={"seq": notice.seq, "materials": [e["code"] for e in entries]},
    )
    _audit(actor, AuditAction.NOTICE_ISSUED, case, seq=notice.seq, count=len(entries))
    case_pk, notice_pk = case.pk, notice.pk
    transaction.on_commit(
        lambda: notice_sms_send(case_id=case_pk, notice_id=notice_pk), robust=True
    )
    return notice


def notice_sms_send(*, case_id: int, notice_id: int) -> bool:
    """The SMS copy of a notice, sent through notifications."""
    notice = MissingNotice.objects.select_related("case__item", "case__applicant").get(pk=notice_id)
    case = notice.case
    phone = case.applicant.phone or ""
    if not phone:
        return False
    try:
        queued = bool(
            sms_enqueue(
                center_id=case.center_id,
                template_code="missing_notice",
                phone=phone,
                params={
                    "item": case.item.name,
                    "case_number": case.number,
                    "count": str(len(notice.entries)),
                },
                dedupe_key=f"missing_notice:{case.pk}:{notice.seq}",
                case_id=case_id,
            )
        )
    except DomainError as exc:  # the SMS is a copy; the printed notice is what counts
        logger.warning("missing-notice SMS for %s not queued: %s", case.number, exc.message)
        return False
    if queued:
        MissingNotice.objects.filter(pk=notice_id).update(sms_queued=True)
    return queued
