"""Every write of the cases context: inquiries (首问负责), pre-review, the one-time missing-material
notice (一次性告知), acceptance (with gaps: 容缺受理), the staged pipeline, deadlines, arrival and
pickup. Each service runs in one transaction with its audit entry and its CaseEvent rows."""

from __future__ import annotations

import importlib
import itertools
import logging
import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.accounts.selectors import staff_may_serve
from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.cases import pipeline
from bianmin.cases.checklist import (
    DECLARED_FACTS,
    MaterialSpec,
    applicant_facts,
    gaps_acceptable,
    later_notice_allowed_codes,
    required_codes,
)
from bianmin.cases.enums import (
    CaseErrorCode,
    CaseEventType,
    CaseStatus,
    ConfirmationStage,
    IdType,
    InquiryStatus,
    MaterialState,
    PickupMethod,
)
from bianmin.cases.models import (
    Case,
    CaseConfirmation,
    CaseEvent,
    CaseMaterial,
    CaseNumberCounter,
    CaseSetting,
    Inquiry,
    InquiryHandover,
    MissingNotice,
)
from bianmin.catalogue.enums import Stage
from bianmin.catalogue.selectors import item_get
from bianmin.core import clock
from bianmin.core.crypto import blind_index
from bianmin.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from bianmin.core.masking import mask_name
from bianmin.core.permissions import Perm, Role, has_perm
from bianmin.core.workdays import CalendarUnknown, add_workdays, is_workday
from bianmin.people.idnumber import check_id_number, mask_id_number
from bianmin.people.services import PersonInput, clean_name, person_upsert

logger = logging.getLogger(__name__)

# --- optional collaborators (other contexts that may not exist yet) ------------------------------


def _optional(module: str, name: str) -> Callable[..., Any] | None:
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    return getattr(mod, name, None)


def hall_ticket_summary(ticket_id: str) -> Any | None:
    """The hall's `ticket_summary`, or None when the hall context does not provide it (yet)."""
    fn = _optional("bianmin.hall.selectors", "ticket_summary")
    return fn(ticket_id=ticket_id) if fn is not None else None


def hall_available() -> bool:
    return _optional("bianmin.hall.selectors", "ticket_summary") is not None


# --- helpers ----------------------------------------------------------------------------------


def case_setting_for(center_id: int) -> CaseSetting:
    setting, _created = CaseSetting.objects.get_or_create(center_id=center_id)
    return setting


def _need(actor: Any, *perms: Perm) -> None:
    if not any(has_perm(actor, p) for p in perms):
        raise PermissionDenied(_("您没有执行此操作的权限"))


def _same_center(actor: Any, case: Case) -> None:
    if actor.center_id is not None and actor.center_id != case.center_id:
        raise NotFound(_("没有找到该办件"), code="case_not_found")


def _locked(case: Case) -> Case:
    """The case re-read under a row lock (PostgreSQL); SQLite serializes writers already."""
    return Case.objects.select_for_update().select_related("item", "applicant").get(pk=case.pk)


def _event(
    case: Case,
    type_: CaseEventType,
    actor: Any,
    *,
    from_stage: str = "",
    to_stage: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        type=type_,
        actor=actor if getattr(actor, "pk", None) else None,
        from_stage=from_stage,
        to_stage=to_stage,
        reason=reason[:300],
        data=data or {},
        created_at=clock.now(),
    )


def _audit(actor: Any, action: AuditAction, case: Case, **after: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=case,
        center_id=case.center_id,
        after={"number": case.number, **after},
    )


def _not_final(case: Case) -> None:
    if case.status in (CaseStatus.CLOSED, CaseStatus.TERMINATED):
        raise Conflict(
            _("办件 %(number)s 已%(status)s，不能修改；如需修改请使用更正功能。")
            % {"number": case.number, "status": CaseStatus(case.status).label},
            code=CaseErrorCode.CASE_FINAL,
        )


def _lock_free_for(case: Case, actor: Any) -> None:
    if case.locked_by_id is not None and case.locked_by_id != actor.pk:
        holder = case.locked_by
        raise Conflict(
            _("办件已被%(name)s认领办理，请其释放后再操作。") % {"name": holder},
            code=CaseErrorCode.CASE_LOCKED,
        )


def _deadline(start: date, workdays: int) -> date:
    try:
        return add_workdays(start, workdays)
    except CalendarUnknown as exc:
        raise CalendarUnknown(
            _("无法计算办结期限：%(message)s") % {"message": exc.message}, **exc.details
        ) from exc


def _is_workday(day: date) -> bool:
    try:
        return is_workday(day)
    except CalendarUnknown:
        return True


def case_number_next(*, center: Any, day: date) -> str:
    """TG-20261128-0007: per center and day; one atomic upsert, safe under concurrency."""
    table = CaseNumberCounter._meta.db_table
    sql = (
        f"INSERT INTO {table} (center_id, day, last) VALUES (%s, %s, 1) "  # noqa: S608 - table name is ours
        f"ON CONFLICT (center_id, day) DO UPDATE SET last = {table}.last + 1 RETURNING last"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [center.pk, day])
        (last,) = cursor.fetchone()
    return f"{center.code}-{day:%Y%m%d}-{last:04d}"


def phone_digest(number: str, phone_last4: str) -> str:
    return blind_index(f"{number}:{phone_last4}", purpose="case_progress_phone")


# --- inquiries (首问负责) -------------------------------------------------------------------------


@transaction.atomic
def inquiry_open(
    *, actor: Any, ticket_id: str = "", item_code: str = "", topic: str = ""
) -> Inquiry:
    """The officer who first takes a question becomes its first responder."""
    _need(actor, Perm.CASE_ACCEPT)
    ticket_number = ""
    center_id = actor.center_id
    if ticket_id:
        summary = hall_ticket_summary(ticket_id)
        if summary is None and hall_available():
            raise NotFound(_("没有找到这张号票"), code="ticket_not_found")
        if summary is not None:
            if summary.center_id != actor.center_id:
                raise NotFound(_("没有找到这张号票"), code="ticket_not_found")
            ticket_number = summary.number
            if not item_code and summary.item_codes:
                item_code = summary.item_codes[0]
        existing = Inquiry.objects.filter(
            center_id=center_id,
            ticket_id=ticket_id,
            status__in=[InquiryStatus.OPEN, InquiryStatus.HANDOVER_PENDING],
        ).first()
        if existing is not None:
            return existing
    item = item_get(code=item_code) if item_code else None
    inquiry = Inquiry.objects.create(
        center_id=center_id,
        ticket_id=ticket_id[:64],
        ticket_number=ticket_number,
        item=item,
        topic=topic.strip()[:300],
        first_responder=actor,
        responsible=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.INQUIRY_OPENED,
        target=inquiry,
        after={"ticket": ticket_number, "item": item.code if item else ""},
    )
    return inquiry


def _inquiry_open_only(inquiry: Inquiry) -> None:
    if inquiry.status in (InquiryStatus.ANSWERED, InquiryStatus.CONVERTED):
        raise Conflict(_("该咨询已结束"), code="inquiry_closed")


@transaction.atomic
def inquiry_answer(*, actor: Any, inquiry: Inquiry, answer: str) -> Inquiry:
    _need(actor, Perm.CASE_ACCEPT)
    inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    _inquiry_open_only(inquiry)
    if inquiry.responsible_id != actor.pk:
        raise PermissionDenied(_("只有该咨询的当前责任人可以答复"))
    if not answer.strip():
        raise DomainError(_("请填写答复内容"), code=CaseErrorCode.REASON_REQUIRED)
    inquiry.answer = answer.strip()[:500]
    inquiry.status = InquiryStatus.ANSWERED
    inquiry.answered_at = clock.now()
    inquiry.save()
    audit_record(
        actor=actor,
        action=AuditAction.INQUIRY_ANSWERED,
        target=inquiry,
        after={"status": inquiry.status},
    )
    return inquiry


@transaction.atomic
def inquiry_hand_over(
    *, actor: Any, inquiry: Inquiry, to_officer: Any, note: str
) -> InquiryHandover:
    """Start a handover; the first responder stays responsible until the next officer signs."""
    _need(actor, Perm.CASE_ACCEPT)
    inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    _inquiry_open_only(inquiry)
    if inquiry.responsible_id != actor.pk:
        raise PermissionDenied(_("只有该咨询的当前责任人可以移交"))
    if to_officer.pk == actor.pk or to_officer.center_id != inquiry.center_id:
        raise DomainError(_("请选择本中心的另一位民警接手"), code="invalid_handover")
    if not has_perm(to_officer, Perm.CASE_ACCEPT):
        raise DomainError(_("接手人须为窗口民警"), code="invalid_handover")
    if not note.strip():
        raise DomainError(_("移交须说明情况"), code=CaseErrorCode.REASON_REQUIRED)
    if inquiry.handovers.filter(received_at__isnull=True).exists():
        raise Conflict(_("已有一次移交等待接手确认"), code="handover_pending")
    handover = InquiryHandover.objects.create(
        inquiry=inquiry, from_officer=actor, to_officer=to_officer, note=note.strip()[:300]
    )
    inquiry.status = InquiryStatus.HANDOVER_PENDING
    inquiry.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.INQUIRY_HANDED_OVER,
        target=inquiry,
        after={"to": to_officer.pk, "received": False},
    )
    return handover


@transaction.atomic
def inquiry_receive(*, actor: Any, inquiry: Inquiry) -> Inquiry:
    """The next officer records receipt: responsibility moves to them now."""
    inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    handover = inquiry.handovers.filter(received_at__isnull=True).first()
    if handover is None:
        raise Conflict(_("没有待接手的移交"), code="no_handover")
    if handover.to_officer_id != actor.pk:
        raise PermissionDenied(_("只有被指定的接手人可以确认接手"))
    handover.received_at = clock.now()
    handover.save(update_fields=["received_at", "updated_at"])
    inquiry.responsible = actor
    inquiry.status = InquiryStatus.OPEN
    inquiry.save(update_fields=["responsible", "status", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.INQUIRY_HANDED_OVER,
        target=inquiry,
        after={"to": actor.pk, "received": True},
    )
    return inquiry


# --- case creation and confirmations ------------------------------------------------------------


@dataclass(frozen=True)
class ApplicantInput:
    name: str
    id_number: str
    gender: str
    phone: str = ""
    id_type: str = IdType.RESIDENT_ID


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
    actor: Any,
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
) -> Case:
    """Register an application (pre-review starts): the person goes to the encrypted registry,
    the case gets its number and checklist, and the form data counts as the 'form' confirmation."""
    _need(actor, Perm.CASE_ACCEPT)
    if actor.center_id is None:
        raise PermissionDenied(_("您的账号未分配到服务中心"))
    item = item_get(code=item_code)
    if not item.is_active:
        raise DomainError(_("事项 %(code)s 已停用") % {"code": item.code}, code="item_inactive")
    if not staff_may_serve(staff=actor, item_id=item.pk):
        raise PermissionDenied(_("您未获得办理“%(item)s”的授权") % {"item": item.name})
    stages = pipeline.validate_stages(item.stages)
    if applicant.id_type not in IdType.values:
        raise DomainError(_("证件类型不正确"), code="invalid_id_type")
    if fee_variant and not item.fee_variants.filter(code=fee_variant).exists():
        raise DomainError(
            _("收费类型 %(v)s 不属于该事项") % {"v": fee_variant}, code="invalid_fee_variant"
        )
    if ticket_id and inquiry is None:
        inquiry = inquiry_open(actor=actor, ticket_id=ticket_id, item_code=item.code)
    if ticket_id and not _is_workday(clock.today()):
        # a booked visit served on a day off (节假日预约) is marked for the board
        summary = hall_ticket_summary(ticket_id)
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
        created_by=actor,
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
    )
    _event(case, CaseEventType.CREATED, actor, data={"item": item.code, "facts": facts})
    _audit(actor, AuditAction.CASE_CREATED, case, item=item.code)
    return case


def _confirm(
    case: Case, actor: Any, stage: str, name: str, gender: str, id_type: str, id_number: str
) -> CaseConfirmation:
    return CaseConfirmation.objects.create(
        case=case,
        stage=stage,
        name_masked=mask_name(name),
        gender=gender,
        id_type=id_type,
        id_number_masked=mask_id_number(id_number),
        confirmed_by=actor if getattr(actor, "pk", None) else None,
        confirmed_at=clock.now(),
    )


FIELD_LABELS = {"name": "姓名", "gender": "性别", "id_type": "证件类型", "id_number": "证件号码"}


@transaction.atomic
def case_confirmation_record(
    *,
    actor: Any,
    case_number: str,
    stage: str,
    name: str,
    gender: str,
    id_type: str,
    id_number: str,
) -> None:
    """零差错: the applicant confirms name, gender, ID type and number (form, window, payment).

    A mismatch with what the case holds blocks with a message naming the fields (not values).
    """
    _need(actor, Perm.CASE_ACCEPT, Perm.FEE_COLLECT)
    if stage not in ConfirmationStage.values:
        raise DomainError(_("确认环节不正确"), code="invalid_stage")
    case = Case.objects.select_related("applicant").filter(number=case_number.strip()).first()
    if case is None:
        raise NotFound(
            _("没有找到受理编号为 %(n)s 的办件") % {"n": case_number}, code="case_not_found"
        )
    _same_center(actor, case)
    _not_final(case)
    person = case.applicant
    given = {
        "name": (name or "").strip(),
        "gender": (gender or "").strip(),
        "id_type": (id_type or "").strip(),
        "id_number": (id_number or "").strip().upper(),
    }
    held = {
        "name": person.name,
        "gender": person.gender,
        "id_type": case.applicant_id_type,
        "id_number": (person.id_number or "").upper(),
    }
    wrong = [FIELD_LABELS[k] for k in FIELD_LABELS if given[k] != held[k]]
    if wrong:
        raise DomainError(
            _(
                "申请人确认的%(fields)s与登记信息不一致，请核对证件原件后重新确认；"
                "如登记有误，请重新登记申请。"
            )
            % {"fields": "、".join(wrong)},
            code=CaseErrorCode.CONFIRMATION_MISMATCH,
            fields=wrong,
        )
    _confirm(
        case,
        actor,
        stage,
        person.name,
        person.gender,
        case.applicant_id_type,
        person.id_number or "",
    )
    _event(case, CaseEventType.CONFIRMED, actor, data={"stage": stage})
    _audit(actor, AuditAction.CASE_CONFIRMED, case, stage=stage)


@transaction.atomic
def case_facts_change(*, actor: Any, case: Case, declared: Mapping[str, Any], note: str) -> Case:
    """The applicant's situation changed (e.g. now applies through a guardian): recorded, and the
    checklist follows. Only such a recorded change lets a later notice list new materials."""
    _need(actor, Perm.CASE_ACCEPT)
    _same_center(actor, case)
    case = _locked(case)
    if case.status not in (CaseStatus.PRE_REVIEW, CaseStatus.AWAITING_SUPPLEMENT):
        raise Conflict(_("办件已受理，申请人情况不能再修改"), code=CaseErrorCode.ALREADY_ACCEPTED)
    if not note.strip():
        raise DomainError(_("请说明申请人情况发生了什么变化"), code=CaseErrorCode.REASON_REQUIRED)
    before = dict(case.facts)
    setting = case_setting_for(case.center_id)
    after = applicant_facts(
        id_number=case.applicant.id_number or "",
        today=clock.today(),
        local_prefix=setting.local_region_prefix,
        declared=_clean_declared(declared),
    )
    if after == before:
        raise DomainError(_("申请人情况没有变化"), code="facts_unchanged")
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
    *, actor: Any, case: Case, results: Mapping[str, tuple[str, str] | str]
) -> Case:
    """Record each material as provided / missing / defective (with a reason). Codes that are not
    this item's materials are refused whole; required materials not mentioned count as missing."""
    _need(actor, Perm.CASE_ACCEPT)
    _same_center(actor, case)
    case = _locked(case)
    if case.status not in (CaseStatus.PRE_REVIEW, CaseStatus.AWAITING_SUPPLEMENT):
        _not_final(case)
        raise Conflict(_("办件已受理，材料预审已结束"), code=CaseErrorCode.ALREADY_ACCEPTED)
    rows = {m.code: m for m in case.materials.all()}
    unknown = sorted(set(results) - set(rows))
    if unknown:
        raise DomainError(
            _("材料 %(codes)s 不属于事项“%(item)s”，请核对材料清单。")
            % {"codes": "、".join(unknown), "item": case.item.name},
            code=CaseErrorCode.UNKNOWN_MATERIAL,
            materials=unknown,
        )
    parsed: dict[str, tuple[str, str]] = {}
    for code, value in results.items():
        state, reason = (value, "") if isinstance(value, str) else value
        if state not in (MaterialState.PROVIDED, MaterialState.MISSING, MaterialState.DEFECTIVE):
            raise DomainError(
                _("材料 %(code)s 的核验结果只能是已提供、缺少或不符合要求") % {"code": code},
                code="invalid_material_state",
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
def case_issue_missing_notice(*, actor: Any, case: Case) -> MissingNotice:
    """一次性告知单: list everything missing or defective at once. A later notice may only list what
    the first one listed, unless the applicant's facts changed since (and that was recorded)."""
    _need(actor, Perm.CASE_ACCEPT)
    _same_center(actor, case)
    case = _locked(case)
    if case.status not in (CaseStatus.PRE_REVIEW, CaseStatus.AWAITING_SUPPLEMENT):
        _not_final(case)
        raise Conflict(_("办件已受理，不能再出具一次性告知单"), code=CaseErrorCode.ALREADY_ACCEPTED)
    materials = list(case.materials.all())
    if any(m.is_required and m.state == MaterialState.NOT_CHECKED for m in materials):
        raise DomainError(_("请先完成材料预审"), code=CaseErrorCode.NOT_PRE_REVIEWED)
    lacking = case_lacking(case)
    if not lacking:
        raise DomainError(_("材料齐全，无需告知，可以直接受理"), code=CaseErrorCode.NOTHING_MISSING)
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
                    "date": timezone.localtime(first.created_at).strftime("%Y-%m-%d"),
                    "names": "、".join(m.name for m in extra),
                },
                code=CaseErrorCode.ONE_TIME_NOTICE,
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
        issued_by=actor,
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
    """The SMS copy of a notice, through notifications when that context provides it."""
    enqueue = _optional("bianmin.notifications.services", "sms_enqueue")
    if enqueue is None:
        return False
    notice = MissingNotice.objects.select_related("case__item", "case__applicant").get(pk=notice_id)
    case = notice.case
    phone = case.applicant.phone or ""
    if not phone:
        return False
    try:
        queued = bool(
            enqueue(
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


@transaction.atomic
def case_accept(*, actor: Any, case: Case, with_gaps: bool = False, commitment: str = "") -> Case:
    """受理: materials complete (or only secondary ones owed, 容缺), the applicant confirmed at the
    window; the deadline is the item's promised working days after today."""
    _need(actor, Perm.CASE_ACCEPT)
    _same_center(actor, case)
    case = _locked(case)
    if case.status in (CaseStatus.ACCEPTED, CaseStatus.CLOSED):
        accepted = (
            timezone.localtime(case.accepted_at).strftime("%Y-%m-%d %H:%M")
            if case.accepted_at
            else ""
        )
        raise Conflict(
            _("办件 %(number)s 已于 %(when)s 受理，不能重复受理。")
            % {"number": case.number, "when": accepted},
            code=CaseErrorCode.ALREADY_ACCEPTED,
        )
    _not_final(case)
    item = case.item
    if not staff_may_serve(staff=actor, item_id=item.pk):
        raise PermissionDenied(_("您未获得办理“%(item)s”的授权") % {"item": item.name})
    materials = list(case.materials.all())
    if any(m.is_required and m.state == MaterialState.NOT_CHECKED for m in materials):
        raise DomainError(_("请先完成材料预审"), code=CaseErrorCode.NOT_PRE_REVIEWED)
    if not case.confirmations.filter(stage=ConfirmationStage.WINDOW).exists():
        raise DomainError(
            _("受理前须由申请人在窗口核对确认姓名、性别、证件类型和号码"),
            code=CaseErrorCode.CONFIRMATION_MISSING,
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
            code=CaseErrorCode.DUPLICATE_OPEN_CASE,
        )
    lacking = [m for m in materials if m.is_required and m.state != MaterialState.PROVIDED]
    if lacking and not with_gaps:
        raise DomainError(
            _("材料不齐（%(names)s），不能受理；请出具一次性告知单%(gaps)s。")
            % {
                "names": "、".join(m.name for m in lacking),
                "gaps": _("或办理容缺受理") if item.allows_accept_with_gaps else "",
            },
            code=CaseErrorCode.MATERIALS_INCOMPLETE,
        )
    if with_gaps:
        if not lacking:
            with_gaps = False
        elif not item.allows_accept_with_gaps:
            raise DomainError(
                _("事项“%(item)s”不适用容缺受理") % {"item": item.name},
                code=CaseErrorCode.GAPS_NOT_ALLOWED,
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
                    code=CaseErrorCode.GAPS_NOT_ALLOWED,
                )
            if not commitment.strip():
                raise DomainError(
                    _("容缺受理须记录申请人的补正承诺"), code=CaseErrorCode.REASON_REQUIRED
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
    case.accepted_at, case.accepted_by = now, actor
    case.deadline, case.warn_on = deadline, warn_on
    if with_gaps:
        case.accepted_with_gaps = True
        case.gaps_open = True
        case.gap_commitment = commitment.strip()[:500]
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
    return case


@transaction.atomic
def case_supplement_gaps(*, actor: Any, case: Case) -> Case:
    """容缺: the owed secondary materials were handed in; the pipeline may continue."""
    _need(actor, Perm.CASE_ACCEPT)
    _same_center(actor, case)
    case = _locked(case)
    _not_final(case)
    if not case.gaps_open:
        raise DomainError(_("该办件没有待补正的容缺材料"), code="no_gaps")
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


# --- the back office: lock, advance, send back ------------------------------------------------------


@transaction.atomic
def case_claim(*, actor: Any, case: Case) -> Case:
    _need(actor, Perm.CASE_PROCESS, Perm.CASE_ACCEPT)
    _same_center(actor, case)
    case = _locked(case)
    _not_final(case)
    if case.status != CaseStatus.ACCEPTED:
        raise Conflict(_("只有已受理的办件可以认领"), code="not_accepted")
    _lock_free_for(case, actor)
    if case.locked_by_id == actor.pk:
        return case
    case.locked_by, case.locked_at = actor, clock.now()
    case.save(update_fields=["locked_by", "locked_at", "updated_at"])
    _event(case, CaseEventType.CLAIMED, actor)
    return case


@transaction.atomic
def case_release(*, actor: Any, case: Case) -> Case:
    """The holder releases; a shift leader (CASE_MONITOR) may release anyone's lock."""
    _same_center(actor, case)
    case = _locked(case)
    if case.locked_by_id is None:
        return case
    if case.locked_by_id != actor.pk and not has_perm(actor, Perm.CASE_MONITOR):
        raise PermissionDenied(_("只有认领人或值班长可以释放该办件"))
    holder = case.locked_by_id
    case.locked_by, case.locked_at = None, None
    case.save(update_fields=["locked_by", "locked_at", "updated_at"])
    _event(case, CaseEventType.RELEASED, actor, data={"holder": holder})
    return case


def _complete_step(
    case: Case,
    actor: Any,
    target: str,
    route: str,
    *,
    reason: str = "",
    event: CaseEventType = CaseEventType.ADVANCED,
) -> None:
    stages = case.stage_tuple
    pipeline.check_step(
        stages=stages,
        status=case.status,
        current=case.stage,
        target=target,
        role=actor.role if actor is not None else None,
        route=route,
        gaps_open=case.gaps_open,
    )
    from_stage = case.stage
    case.stage = target
    case.next_stage = pipeline.next_stage(stages, target) or ""
    now = clock.now()
    if target == Stage.CLOSED:
        case.status = CaseStatus.CLOSED
        case.closed_at = now
        event = CaseEventType.CLOSED
    case.locked_by, case.locked_at = None, None
    case.save()
    _event(case, event, actor, from_stage=from_stage, to_stage=target, reason=reason)
    _audit(actor, AuditAction.CASE_TRANSITIONED, case, from_stage=from_stage, to_stage=target)


@transaction.atomic
def case_advance(*, actor: Any, case: Case, to_stage: str, note: str = "") -> Case:
    """Complete the pending step (review, approve, production, closed). No skipping."""
    _need(actor, Perm.CASE_PROCESS, Perm.CASE_ACCEPT)
    _same_center(actor, case)
    case = _locked(case)
    _not_final(case)
    if case.status != CaseStatus.ACCEPTED:
        raise Conflict(_("办件尚未受理，不能流转"), code="not_accepted")
    _lock_free_for(case, actor)
    _complete_step(case, actor, to_stage, "advance", reason=note)
    return case


@transaction.atomic
def case_send_back(*, actor: Any, case: Case, reason: str) -> Case:
    """Send a case back one step with a reason (e.g. the approver returns it to review)."""
    _need(actor, Perm.CASE_PROCESS)
    _same_center(actor, case)
    case = _locked(case)
    _not_final(case)
    _lock_free_for(case, actor)
    back_to = pipeline.check_send_back(
        stages=case.stage_tuple,
        status=case.status,
        current=case.stage,
        role=actor.role,
        reason=reason,
    )
    from_stage = case.stage
    case.stage = back_to
    case.next_stage = pipeline.next_stage(case.stage_tuple, back_to) or ""
    case.locked_by, case.locked_at = None, None
    case.save()
    _event(
        case,
        CaseEventType.SENT_BACK,
        actor,
        from_stage=from_stage,
        to_stage=back_to,
        reason=reason.strip(),
    )
    _audit(
        actor,
        AuditAction.CASE_TRANSITIONED,
        case,
        from_stage=from_stage,
        to_stage=back_to,
        sent_back=True,
    )
    return case


# --- arrival and pickup ------------------------------------------------------------------------------


@transaction.atomic
def case_register_arrival(*, actor: Any, case: Case) -> Case:
    """到证: the produced certificate (or plate) arrived at the center."""
    _need(actor, Perm.CASE_PROCESS, Perm.CASE_ACCEPT)
    _same_center(actor, case)
    case = _locked(case)
    _not_final(case)
    if case.arrived_at is not None:
        raise Conflict(
            _("办件 %(n)s 已于 %(t)s 登记到证")
            % {
                "n": case.number,
                "t": timezone.localtime(case.arrived_at).strftime("%Y-%m-%d %H:%M"),
            },
            code="already_arrived",
        )
    if case.status != CaseStatus.ACCEPTED:
        raise Conflict(_("办件尚未受理，不能登记到证"), code="not_accepted")
    _lock_free_for(case, actor)
    case.arrived_at = clock.now()
    _complete_step(case, actor, Stage.ARRIVAL, "arrival", event=CaseEventType.ARRIVED)
    audit_record(
        actor=actor,
        action=AuditAction.CASE_ARRIVED,
        target=case,
        center_id=case.center_id,
        after={"number": case.number},
    )
    return case


@dataclass
class ArrivalRow:
    value: str
    number: str = ""
    ok: bool = False
    message: str = ""


@dataclass
class ArrivalBatch:
    rows: list[ArrivalRow] = field(default_factory=list)

    @property
    def registered(self) -> int:
        return sum(1 for r in self.rows if r.ok)


def case_arrival_batch(*, actor: Any, values: Iterable[str]) -> ArrivalBatch:
    """Register arrival for a list of case numbers or ID numbers; each row succeeds on its own."""
    from bianmin.cases.selectors import case_find_for_arrival

    _need(actor, Perm.CASE_PROCESS, Perm.CASE_ACCEPT)
    batch = ArrivalBatch()
    seen: set[str] = set()
    for raw in values:
        value = raw.strip().upper()
        if not value or value in seen:
            continue
        seen.add(value)
        row = ArrivalRow(value=value)
        batch.rows.append(row)
        is_id = len(value) == 18 and value[:17].isdigit()
        case = case_find_for_arrival(
            center_id=actor.center_id,
            case_number="" if is_id else value,
            id_number=value if is_id else "",
        )
        if case is None:
            row.message = _("没有找到待到证的办件")
            continue
        row.number = case.number
        try:
            case_register_arrival(actor=actor, case=case)
        except DomainError as exc:
            row.message = exc.message
        else:
            row.ok = True
            row.message = _("已登记到证")
    return batch


def _face_confirmed(check_id: str, id_number: str) -> bool:
    fn = _optional("bianmin.identity.selectors", "face_check_confirmed")
    if fn is None:
        raise DomainError(
            _("刷脸核验功能尚未启用，请查验身份证件原件"), code=CaseErrorCode.IDENTITY_CHECK
        )
    return bool(fn(check_id=check_id, id_number=id_number))


@transaction.atomic
def case_pickup(
    *,
    actor: Any,
    case: Case,
    method: str,
    proxy_name: str = "",
    proxy_id_number: str = "",
    authorization_note: str = "",
    face_check_id: str | None = None,
) -> Case:
    """领证: the collector's identity checked (ID card, or a confirmed face check); a proxy needs
    their own ID and the applicant's authorization, recorded. Closes the case when pickup is the
    last step before closing."""
    _need(actor, Perm.CASE_ACCEPT)
    _same_center(actor, case)
    case = _locked(case)
    _not_final(case)
    if case.status != CaseStatus.ACCEPTED or case.next_stage != Stage.PICKUP:
        raise Conflict(
            _("办件 %(n)s 当前不在待领取环节（%(s)s）")
            % {
                "n": case.number,
                "s": pipeline.progress_label(status=case.status, next_stage_=case.next_stage),
            },
            code=CaseErrorCode.NOT_NEXT_STAGE,
        )
    _lock_free_for(case, actor)
    if method not in PickupMethod.values:
        raise DomainError(_("请选择身份核验方式"), code=CaseErrorCode.IDENTITY_CHECK)
    by_proxy = bool(proxy_name.strip() or proxy_id_number.strip())
    collector_id = case.applicant.id_number or ""
    if by_proxy:
        name = clean_name(proxy_name)
        check = check_id_number(proxy_id_number, today=clock.today())
        if not check.valid:
            raise DomainError(
                _("代领人身份证号码有误：%(e)s") % {"e": check.error},
                code=CaseErrorCode.IDENTITY_CHECK,
            )
        if check.normalized == collector_id:
            raise DomainError(_("代领人不能是申请人本人"), code=CaseErrorCode.IDENTITY_CHECK)
        if not authorization_note.strip():
            raise DomainError(
                _("代领须记录申请人的委托（委托书或授权说明）"), code=CaseErrorCode.REASON_REQUIRED
            )
        collector_id = check.normalized
        case.proxy_name = name
        case.proxy_id_number = check.normalized
        case.proxy_id_number_masked = mask_id_number(check.normalized)
        case.authorization_note = authorization_note.strip()[:300]
        case.pickup_by_proxy = True
    if method == PickupMethod.FACE:
        if not face_check_id:
            raise DomainError(_("请先完成刷脸核验"), code=CaseErrorCode.IDENTITY_CHECK)
        if not _face_confirmed(face_check_id, collector_id):
            raise DomainError(
                _("刷脸核验未通过或与领取人不符，请查验身份证件"), code=CaseErrorCode.IDENTITY_CHECK
            )
        case.face_check_id = face_check_id[:64]
    case.pickup_method = method
    case.picked_up_at = clock.now()
    _complete_step(case, actor, Stage.PICKUP, "pickup", event=CaseEventType.PICKED_UP)
    audit_record(
        actor=actor,
        action=AuditAction.CASE_PICKED_UP,
        target=case,
        center_id=case.center_id,
        after={"number": case.number, "method": method, "proxy": by_proxy},
    )
    if case.next_stage == Stage.CLOSED:
        _complete_step(case, actor, Stage.CLOSED, "advance")
    return case


# --- flags, corrections, termination --------------------------------------------------------------

FLAG_FIELDS = ("is_urgent", "is_holiday_appointment", "is_standby_24h")
CORRECTABLE_FIELDS = {"remark": "备注", "fee_variant": "收费类型", "applicant_id_type": "证件类型"}


@transaction.atomic
def case_set_flags(*, actor: Any, case: Case, **flags: bool) -> Case:
    """加急 / 节假日预约 / 24小时值守 markers, on open cases."""
    _need(actor, Perm.CASE_ACCEPT, Perm.CASE_MONITOR)
    _same_center(actor, case)
    case = _locked(case)
    _not_final(case)
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
def case_correct(*, actor: Any, case: Case, field_name: str, value: str, reason: str) -> Case:
    """The only edit after closing: a recorded correction with the old and the new value."""
    _need(actor, Perm.CASE_MONITOR)
    _same_center(actor, case)
    case = _locked(case)
    if field_name not in CORRECTABLE_FIELDS:
        raise DomainError(_("该项目不能更正"), code="not_correctable")
    if not reason.strip():
        raise DomainError(_("更正必须填写原因"), code=CaseErrorCode.REASON_REQUIRED)
    if field_name == "applicant_id_type" and value not in IdType.values:
        raise DomainError(_("证件类型不正确"), code="invalid_id_type")
    if (
        field_name == "fee_variant"
        and value
        and not case.item.fee_variants.filter(code=value).exists()
    ):
        raise DomainError(_("收费类型不属于该事项"), code="invalid_fee_variant")
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


def _terminate(case: Case, actor: Any, reason: str) -> None:
    case.status = CaseStatus.TERMINATED
    case.terminated_at = clock.now()
    case.termination_reason = reason[:300]
    case.locked_by, case.locked_at = None, None
    case.save()
    _event(case, CaseEventType.TERMINATED, actor, from_stage=case.stage, reason=reason)
    audit_record(
        actor=actor,
        action=AuditAction.CASE_TERMINATED,
        target=case,
        center_id=case.center_id,
        after={"number": case.number, "reason": reason},
    )


@transaction.atomic
def case_terminate(*, actor: Any, case: Case, reason: str) -> Case:
    """A shift leader ends a case (withdrawn by the applicant, …), with the reason."""
    _need(actor, Perm.CASE_MONITOR)
    _same_center(actor, case)
    case = _locked(case)
    _not_final(case)
    if not reason.strip():
        raise DomainError(_("终止办件必须填写原因"), code=CaseErrorCode.REASON_REQUIRED)
    _terminate(case, actor, reason.strip())
    return case


# --- the sweep ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    warned: int
    overdue: int
    terminated: int


@transaction.atomic
def case_deadline_sweep(*, today: date | None = None) -> SweepResult:
    """Warnings, overdue alerts and 容缺 terminations; idempotent (each is raised once)."""
    today = today or clock.today()
    now = clock.now()
    open_ = Case.objects.filter(status=CaseStatus.ACCEPTED)
    skip = connection.features.has_select_for_update_skip_locked

    def pick(qs: Any) -> list[int]:
        qs = qs.order_by()  # no ORDER BY: the partial indexes answer these directly
        if skip:
            qs = qs.select_for_update(skip_locked=True)
        return list(qs.values_list("pk", flat=True)[:5000])

    warn_ids = pick(open_.filter(warned_at__isnull=True, warn_on__lte=today, deadline__gte=today))
    Case.objects.filter(pk__in=warn_ids).update(warned_at=now)
    overdue_ids = pick(open_.filter(overdue_at__isnull=True, deadline__lt=today))
    # an overdue case is past its warning too: it leaves both partial indexes
    Case.objects.filter(pk__in=overdue_ids, warned_at__isnull=True).update(warned_at=now)
    Case.objects.filter(pk__in=overdue_ids).update(overdue_at=now)
    CaseEvent.objects.bulk_create(
        [CaseEvent(case_id=pk, type=CaseEventType.WARNED, created_at=now) for pk in warn_ids]
        + [
            CaseEvent(
                case_id=pk,
                type=CaseEventType.OVERDUE,
                created_at=now,
                data={"today": today.isoformat()},
            )
            for pk in overdue_ids
        ]
    )
    terminated = 0
    for case in open_.filter(gaps_open=True, supplement_deadline__lt=today).order_by("pk"):
        _terminate(
            case,
            None,
            _("容缺受理的材料未在补正期限 %(d)s 前补齐，办件终止")
            % {"d": case.supplement_deadline},
        )
        terminated += 1
    if warn_ids or overdue_ids or terminated:
        logger.info(
            "case sweep: %s warned, %s overdue, %s terminated",
            len(warn_ids),
            len(overdue_ids),
            terminated,
        )
    return SweepResult(warned=len(warn_ids), overdue=len(overdue_ids), terminated=terminated)


# --- the API's one-call submission ------------------------------------------------------------------


@dataclass(frozen=True)
class SubmitResult:
    case: Case
    missing: list[str]
    notice: MissingNotice | None


@transaction.atomic
def case_submit(
    *,
    actor: Any,
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
            code=CaseErrorCode.UNKNOWN_MATERIAL,
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


# --- demo history ----------------------------------------------------------------------------------------


def cases_demo_history(*, center: Any, rng: random.Random, days: int = 30, count: int = 400) -> int:
    """A few hundred cases over the last `days` days across all stages: some overdue, some
    picked up, some waiting for supplements. Bulk inserts; draws only from `rng`."""
    from bianmin.accounts.selectors import staff_list
    from bianmin.catalogue.selectors import item_list
    from bianmin.people.selectors import person_list

    class _Viewer:
        center_id = center.pk

    people = list(person_list(user=_Viewer()).only("pk", "name", "gender", "phone")[:600])
    officers = list(staff_list(user=_Viewer(), role=Role.OFFICER))
    items = [i for i in item_list() if len(i.stages) >= 2]
    if not people or not officers or not items:
        return 0
    setting = case_setting_for(center.pk)
    today = clock.today()
    tz = timezone.get_current_timezone()
    counters: dict[date, int] = dict(
        CaseNumberCounter.objects.filter(center=center).values_list("day", "last")
    )
    cases: list[Case] = []
    plans: list[tuple[Case, list[str], Any, int]] = []
    for _i in range(count):
        day = today - timedelta(days=rng.randint(0, days))
        item = rng.choice(items)
        person = rng.choice(people)
        officer = rng.choice(officers)
        counters[day] = counters.get(day, 0) + 1
        number = f"{center.code}-{day:%Y%m%d}-{counters[day]:04d}"
        at = datetime.combine(day, time(8, 40), tzinfo=tz) + timedelta(minutes=rng.randint(0, 480))
        stages = list(item.stages)
        phone = person.phone or ""
        case = Case(
            center=center,
            number=number,
            item=item,
            stages=stages,
            promised_workdays=item.promised_workdays,
            applicant=person,
            applicant_name_masked=mask_name(person.name),
            applicant_gender=person.gender,
            phone_last4_digest=phone_digest(number, phone[-4:]) if phone else "",
            facts={},
            created_by=officer,
            is_urgent=rng.random() < 0.08,
            is_holiday_appointment=rng.random() < 0.04,
            is_standby_24h=rng.random() < 0.03,
        )
        if rng.random() < 0.08:
            case.status = CaseStatus.AWAITING_SUPPLEMENT
            plans.append((case, [], at, 0))
            cases.append(case)
            continue
        try:
            case.deadline = add_workdays(day, item.promised_workdays)
            case.warn_on = add_workdays(
                day, pipeline.warning_workdays(item.promised_workdays, setting.warning_share)
            )
        except DomainError:
            continue
        case.status, case.accepted_at, case.accepted_by = CaseStatus.ACCEPTED, at, officer
        # how far along: older cases are further, a few get stuck (overdue)
        age = (today - day).days
        reach = (
            len(stages) - 1 if age > 12 and rng.random() < 0.8 else rng.randint(0, len(stages) - 1)
        )
        if rng.random() < 0.12:
            reach = min(reach, max(0, len(stages) - 3))
        path = stages[: reach + 1]
        case.stage = path[-1]
        case.next_stage = pipeline.next_stage(tuple(stages), path[-1]) or ""
        step_at = at
        for stage in path[1:]:
            step_at = step_at + timedelta(hours=rng.randint(2, 40))
            step_at = min(step_at, timezone.now())
            if stage == Stage.ARRIVAL:
                case.arrived_at = step_at
            elif stage == Stage.PICKUP:
                case.picked_up_at = step_at
                case.pickup_method = PickupMethod.ID_CARD
            elif stage == Stage.CLOSED:
                case.status, case.closed_at = CaseStatus.CLOSED, step_at
        if case.status == CaseStatus.ACCEPTED and case.deadline and case.deadline < today:
            case.overdue_at = timezone.now()
        if case.status == CaseStatus.ACCEPTED and case.warn_on and case.warn_on <= today:
            case.warned_at = timezone.now()
        plans.append((case, path, at, 0))
        cases.append(case)
    Case.objects.bulk_create(cases, batch_size=500)
    for day, last in counters.items():
        CaseNumberCounter.objects.update_or_create(center=center, day=day, defaults={"last": last})
    events: list[CaseEvent] = []
    for case, path, at, _n in plans:
        events.append(
            CaseEvent(case=case, type=CaseEventType.CREATED, actor=case.created_by, created_at=at)
        )
        if not path:
            continue
        events.append(
            CaseEvent(
                case=case,
                type=CaseEventType.ACCEPTED,
                actor=case.created_by,
                to_stage=Stage.ACCEPT,
                created_at=at,
            )
        )
        for previous, stage in itertools.pairwise(path):
            moments: dict[str, datetime | None] = {
                Stage.ARRIVAL: case.arrived_at,
                Stage.PICKUP: case.picked_up_at,
                Stage.CLOSED: case.closed_at,
            }
            when = moments.get(stage) or at
            events.append(
                CaseEvent(
                    case=case,
                    type=CaseEventType.ADVANCED,
                    from_stage=previous,
                    to_stage=stage,
                    created_at=when,
                )
            )
    CaseEvent.objects.bulk_create(events, batch_size=1000)
    return len(cases)


@transaction.atomic
def case_document_viewed(*, actor: Any, case: Case, document: str) -> None:
    """Receipts and notices are personal documents: every print or download is recorded."""
    _need(actor, Perm.CASE_ACCEPT, Perm.CASE_PROCESS, Perm.CASE_MONITOR)
    _same_center(actor, case)
    _audit(actor, AuditAction.CASE_VIEWED, case, document=document)
