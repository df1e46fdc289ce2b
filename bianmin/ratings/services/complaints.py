"""诉求: complaints and suggestions from the phone page, the kiosk, the hall's box and the 12345
hotline; acknowledgement number and SMS, assignment, deadline, notes vs reply, closing."""

from __future__ import annotations

import logging
import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bianmin.accounts.selectors import staff_of_center
from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.actors import StaffActor
from bianmin.core.errors import Conflict, DomainError
from bianmin.core.masking import mask_phone
from bianmin.core.permissions import Perm
from bianmin.core.validators import is_mobile
from bianmin.notifications.services import sms_enqueue
from bianmin.ratings import pipeline, wording
from bianmin.ratings.enums import (
    ComplaintCategory,
    ComplaintChannel,
    ComplaintStatus,
    NoteKind,
    Satisfaction,
)
from bianmin.ratings.errors import RatingError
from bianmin.ratings.models import Complaint, ComplaintNote, NumberCounter
from bianmin.ratings.pipeline import ComplaintStep
from bianmin.ratings.services.common import not_found, refused, require, settings_for

log = logging.getLogger(__name__)
_HANDLE = _("只有值班长或主任可以办理诉求。")


def _clean_phone(phone: str | None) -> str:
    phone = re.sub(r"[\s-]", "", str(phone or ""))[:20]
    if phone and not is_mobile(phone):
        raise DomainError(_("手机号码格式不正确。"), code=RatingError.INVALID_PHONE)
    return phone


def _number(center_id: int) -> str:
    today = clock.today()
    counter, _created = NumberCounter.objects.select_for_update().get_or_create(
        center_id=center_id, day=today
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"TS{today:%Y%m%d}{counter.last:03d}-{center_id}"


def _sms(complaint: Complaint, template: str, actor: StaffActor | None) -> None:
    if not complaint.phone:
        return  # anonymous: accepted, simply no reply channel
    try:
        with transaction.atomic():
            sms_enqueue(
                center_id=complaint.center_id,
                template_code=template,
                phone=complaint.phone,
                params={"case_number": complaint.number},
                dedupe_key=f"complaint:{complaint.pk}:{template}",
                actor=actor,
            )
    except DomainError:
        log.warning("complaint SMS %s not queued for %s", template, complaint.pk, exc_info=True)


def complaint_submit(
    *,
    center_id: int,
    channel: str,
    category: str,
    text: str,
    phone: str = "",
    actor: StaffActor | None = None,
    hotline_reference: str = "",
    request_key: str | None = None,
) -> Complaint:
    """Record a complaint or suggestion and acknowledge it (number; SMS when there is a
    phone). Public channels (phone page, kiosk) have no actor; the box and 12345 are typed in
    by staff. A repeated `request_key` (double submit) returns the first record."""
    if actor is not None:
        center_id = require(actor, Perm.RATING_MANAGE, _HANDLE)
        if channel not in {ComplaintChannel.BOX, ComplaintChannel.HOTLINE}:
            raise DomainError(
                _("工作人员只能录入意见箱或12345转办的诉求。"), code=RatingError.INVALID
            )
    elif channel not in {ComplaintChannel.PHONE_PAGE, ComplaintChannel.KIOSK}:
        raise DomainError(_("渠道不正确。"), code=RatingError.INVALID)
    if category not in ComplaintCategory.values:
        raise DomainError(
            _("类别只能是：%(c)s。") % {"c": "、".join(str(x) for x in ComplaintCategory.labels)},
            code=RatingError.BAD_CATEGORY,
        )
    try:
        text = pipeline.clean_text(
            text, limit=pipeline.COMPLAINT_MAX, what="诉求内容", required=True
        )
        hotline_reference = pipeline.clean_text(hotline_reference, limit=40, what="工单号")
    except pipeline.Refused as exc:
        raise refused(exc) from None
    phone = _clean_phone(phone)
    key = (request_key or "").strip()[:64] or None
    if key:
        first = Complaint.objects.filter(request_key=key, center_id=center_id).first()
        if first is not None:
            return first
    setting = settings_for(center_id)
    now = clock.now()
    try:
        with transaction.atomic():
            complaint = Complaint.objects.create(
                center_id=center_id,
                number=_number(center_id),
                channel=channel,
                category=category,
                text=text,
                phone=phone or None,
                phone_masked=mask_phone(phone) if phone else "",
                hotline_reference=hotline_reference,
                due_on=pipeline.complaint_due(
                    clock.local(now).date(), workdays=setting.complaint_workdays
                ),
                entered_by_id=getattr(actor, "pk", None),
                received_at=now,
                request_key=key,
            )
            audit_record(
                actor=actor,
                action=AuditAction.COMPLAINT_RECEIVED,
                target=complaint,
                center_id=center_id,
                after={"number": complaint.number, "channel": channel, "category": category},
            )
            _sms(complaint, wording.COMPLAINT_RECEIVED, actor)
    except IntegrityError:
        first = (
            Complaint.objects.filter(request_key=key, center_id=center_id).first() if key else None
        )
        if first is None:
            raise DomainError(_("提交失败，请刷新页面后重试。"), code=RatingError.INVALID) from None
        return first
    return complaint


def _load(center_id: int, complaint_id: int) -> Complaint:
    found = (
        Complaint.objects.select_for_update().filter(pk=complaint_id, center_id=center_id).first()
    )
    if found is None:
        raise not_found(_("没有找到该诉求"))
    return found


def _advance(actor: StaffActor, complaint: Complaint, step: ComplaintStep, **after: object) -> None:
    before = complaint.status
    try:
        complaint.status = pipeline.complaint_next(complaint.status, step)
    except pipeline.Refused as exc:
        raise Conflict(str(exc), code=RatingError.BAD_TRANSITION) from None
    complaint.save()
    audit_record(
        actor=actor,
        action=AuditAction.COMPLAINT_STEP,
        target=complaint,
        center_id=complaint.center_id,
        before={"status": before},
        after={"status": complaint.status, "step": str(step), **after},
    )


def complaint_assign(
    *, actor: StaffActor, complaint_id: int, assignee_id: int, is_complex: bool = False
) -> Complaint:
    """Assign to a colleague of the center; a complex one (the director's decision) gets the
    longer deadline (15 working days by default)."""
    center_id = require(actor, Perm.RATING_MANAGE, _HANDLE)
    if is_complex:
        require(actor, Perm.RATING_DECIDE, _("复杂诉求的延长时限由中心主任决定。"))
    if not staff_of_center(center_id=center_id).filter(pk=assignee_id).exists():
        raise not_found(_("没有这位工作人员"))
    with transaction.atomic():
        complaint = _load(center_id, complaint_id)
        complaint.assignee_id = assignee_id
        if is_complex and not complaint.is_complex:
            setting = settings_for(center_id)
            complaint.is_complex = True
            complaint.due_on = pipeline.complaint_due(
                clock.local(complaint.received_at).date(),
                workdays=setting.complaint_complex_workdays,
            )
        _advance(actor, complaint, ComplaintStep.ASSIGN, assignee=assignee_id, complex=is_complex)
    return complaint


def complaint_note_add(
    *, actor: StaffActor, complaint_id: int, kind: str, text: str
) -> ComplaintNote:
    """An internal note stays inside; a reply is what the citizen is told (SMS when they left
    a phone) and marks the complaint answered."""
    center_id = require(actor, Perm.RATING_MANAGE, _HANDLE)
    if kind not in NoteKind.values:
        raise DomainError(_("请选择备注或答复。"), code=RatingError.INVALID)
    try:
        text = pipeline.clean_text(text, limit=pipeline.COMPLAINT_MAX, what="内容", required=True)
    except pipeline.Refused as exc:
        raise refused(exc) from None
    with transaction.atomic():
        complaint = _load(center_id, complaint_id)
        if complaint.status == ComplaintStatus.CLOSED:
            raise Conflict(_("诉求已办结。"), code=RatingError.BAD_TRANSITION)
        note = ComplaintNote.objects.create(
            complaint=complaint, kind=kind, author_id=actor.pk, text=text, created_at=clock.now()
        )
        if kind == NoteKind.REPLY:
            first_answer = complaint.answered_at is None
            complaint.answered_at = complaint.answered_at or note.created_at
            _advance(actor, complaint, ComplaintStep.ANSWER, reply=note.pk)
            if first_answer:
                _sms(complaint, wording.COMPLAINT_ANSWERED, actor)
        else:
            audit_record(
                actor=actor,
                action=AuditAction.COMPLAINT_STEP,
                target=complaint,
                center_id=center_id,
                after={"note": note.pk},
            )
    return note


def complaint_close(
    *, actor: StaffActor, complaint_id: int, satisfaction: str = "", callback_note: str = ""
) -> Complaint:
    """办结 needs the citizen's satisfaction or, when they cannot be asked (anonymous, no
    answer), the callback record."""
    center_id = require(actor, Perm.RATING_MANAGE, _HANDLE)
    if satisfaction and satisfaction not in Satisfaction.values:
        raise DomainError(_("满意度不正确。"), code=RatingError.INVALID)
    try:
        callback_note = pipeline.clean_text(callback_note, limit=1000, what="回访记录")
    except pipeline.Refused as exc:
        raise refused(exc) from None
    if not satisfaction and not callback_note:
        raise DomainError(
            _("办结前请记录群众满意度或回访情况。"), code=RatingError.CLOSE_NEEDS_CALLBACK
        )
    with transaction.atomic():
        complaint = _load(center_id, complaint_id)
        complaint.satisfaction = satisfaction
        complaint.callback_note = callback_note
        complaint.closed_at = clock.now()
        _advance(actor, complaint, ComplaintStep.CLOSE, satisfaction=satisfaction)
    return complaint


def suggestion_adopt(
    *, actor: StaffActor, complaint_id: int, adopted: bool, published: bool
) -> Complaint:
    """The director marks a suggestion adopted and may publish it (text only, no phone)."""
    center_id = require(actor, Perm.RATING_DECIDE, _("只有中心主任可以采纳和公开建议。"))
    with transaction.atomic():
        complaint = _load(center_id, complaint_id)
        complaint.is_adopted = adopted
        complaint.is_published = adopted and published
        complaint.save(update_fields=["is_adopted", "is_published", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.COMPLAINT_STEP,
            target=complaint,
            center_id=center_id,
            after={"adopted": adopted, "published": complaint.is_published},
        )
    return complaint
