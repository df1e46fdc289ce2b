"""Inquiries (首问负责): the officer who first takes a question owns it until a handover."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.cases.enums import (
    InquiryStatus,
)
from bianmin.cases.errors import CaseError
from bianmin.cases.models import (
    Inquiry,
    InquiryHandover,
)
from bianmin.cases.services.base import (
    _need,
)
from bianmin.catalogue.selectors import item_get
from bianmin.core import clock
from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from bianmin.core.permissions import Perm, has_perm
from bianmin.hall.selectors import ticket_summary

# --- inquiries (首问负责) -------------------------------------------------------------------------


@transaction.atomic
def inquiry_open(
    *, actor: StaffActor, ticket_id: str = "", item_code: str = "", topic: str = ""
) -> Inquiry:
    """The officer who first takes a question becomes its first responder."""
    _need(actor, Perm.CASE_ACCEPT)
    ticket_number = ""
    center_id = home_center_id(actor)
    if ticket_id:
        summary = ticket_summary(ticket_id=ticket_id, center_id=center_id)
        if summary is None or summary.center_id != actor.center_id:
            raise NotFound(_("没有找到这张号票"), code=CaseError.TICKET_NOT_FOUND)
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
        first_responder_id=actor.pk,
        responsible_id=actor.pk,
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
        raise Conflict(_("该咨询已结束"), code=CaseError.INQUIRY_CLOSED)


@transaction.atomic
def inquiry_answer(*, actor: StaffActor, inquiry: Inquiry, answer: str) -> Inquiry:
    _need(actor, Perm.CASE_ACCEPT)
    inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    _inquiry_open_only(inquiry)
    if inquiry.responsible_id != actor.pk:
        raise PermissionDenied(_("只有该咨询的当前责任人可以答复"))
    if not answer.strip():
        raise DomainError(_("请填写答复内容"), code=CaseError.REASON_REQUIRED)
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
    *, actor: StaffActor, inquiry: Inquiry, to_officer: StaffActor, note: str
) -> InquiryHandover:
    """Start a handover; the first responder stays responsible until the next officer signs."""
    _need(actor, Perm.CASE_ACCEPT)
    inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    _inquiry_open_only(inquiry)
    if inquiry.responsible_id != actor.pk:
        raise PermissionDenied(_("只有该咨询的当前责任人可以移交"))
    if to_officer.pk == actor.pk or to_officer.center_id != inquiry.center_id:
        raise DomainError(_("请选择本中心的另一位民警接手"), code=CaseError.INVALID_HANDOVER)
    if not has_perm(to_officer, Perm.CASE_ACCEPT):
        raise DomainError(_("接手人须为窗口民警"), code=CaseError.INVALID_HANDOVER)
    if not note.strip():
        raise DomainError(_("移交须说明情况"), code=CaseError.REASON_REQUIRED)
    if inquiry.handovers.filter(received_at__isnull=True).exists():
        raise Conflict(_("已有一次移交等待接手确认"), code=CaseError.HANDOVER_PENDING)
    handover = InquiryHandover.objects.create(
        inquiry=inquiry,
        from_officer_id=actor.pk,
        to_officer_id=to_officer.pk,
        note=note.strip()[:300],
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
def inquiry_receive(*, actor: StaffActor, inquiry: Inquiry) -> Inquiry:
    """The next officer records receipt: responsibility moves to them now."""
    inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    handover = inquiry.handovers.filter(received_at__isnull=True).first()
    if handover is None:
        raise Conflict(_("没有待接手的移交"), code=CaseError.NO_HANDOVER)
    if handover.to_officer_id != actor.pk:
        raise PermissionDenied(_("只有被指定的接手人可以确认接手"))
    handover.received_at = clock.now()
    handover.save(update_fields=["received_at", "updated_at"])
    inquiry.responsible_id = actor.pk
    inquiry.status = InquiryStatus.OPEN
    inquiry.save(update_fields=["responsible", "status", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.INQUIRY_HANDED_OVER,
        target=inquiry,
        after={"to": actor.pk, "received": True},
    )
    return inquiry
