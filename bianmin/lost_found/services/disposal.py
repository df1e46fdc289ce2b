"""处置: an officer requests, the shift leader approves or rejects; nothing is deleted."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.errors import DomainError, NotFound
from bianmin.core.permissions import Perm
from bianmin.lost_found.enums import DisposalMethod, DisposalStatus, FoundItemStatus
from bianmin.lost_found.errors import LostFoundError
from bianmin.lost_found.models import Disposal, FoundItemToken
from bianmin.lost_found.selectors import item_dates
from bianmin.lost_found.services.common import item_for_update, need, transition


def disposal_request(*, actor: StaffActor, number: str, method: str, note: str) -> Disposal:
    """Ask for disposal of an item that is due (retention over or claim deadline passed)."""
    need(actor, Perm.FOUND_ITEM_MANAGE)
    if method not in DisposalMethod.values:
        raise DomainError(_("请选择处置方式。"), code=LostFoundError.INVALID_TRANSITION)
    note = (note or "").strip()
    if not note:
        raise DomainError(_("请填写处置说明。"), code=LostFoundError.DESCRIPTION_EMPTY)
    with transaction.atomic():
        item = item_for_update(actor=actor, number=number)
        due = item_dates(item).due_on
        if due is None or due >= clock.today():
            raise DomainError(
                _("该物品尚未到处置期限（%(due)s），不能申请处置。")
                % {"due": due.isoformat() if due else _("未发布招领公告")},
                code=LostFoundError.DISPOSAL_NOT_DUE,
            )
        transition(item, to=FoundItemStatus.DISPOSAL_REQUESTED, actor=actor, note=method)
        disposal = Disposal.objects.create(
            center_id=item.center_id,
            item=item,
            method=method,
            note=note[:300],
            requested_by_id=actor.pk,
        )
        audit_record(
            actor=actor,
            action=AuditAction.FOUND_ITEM_DISPOSAL,
            target=disposal,
            after={"item": item.number, "method": method, "status": disposal.status},
        )
    return disposal


def disposal_decide(
    *, actor: StaffActor, disposal_id: int, approve: bool, decision_note: str = ""
) -> Disposal:
    """The shift leader's decision; the requester may not approve their own request."""
    need(actor, Perm.FOUND_ITEM_DISPOSE, _("处置须经值班长审批。"))
    with transaction.atomic():
        disposal = (
            Disposal.objects.select_for_update()
            .filter(pk=disposal_id, center_id=home_center_id(actor))
            .first()
        )
        if disposal is None:
            raise NotFound(_("没有找到该处置申请。"), code=LostFoundError.NOT_FOUND)
        if disposal.status != DisposalStatus.REQUESTED:
            raise DomainError(
                _("该处置申请已审批。"), code=LostFoundError.INVALID_TRANSITION, status=409
            )
        if disposal.requested_by_id == actor.pk:
            raise DomainError(
                _("申请人不能审批自己的处置申请。"),
                code=LostFoundError.PERMISSION_DENIED,
                status=403,
            )
        item = item_for_update(actor=actor, number=disposal.item.number)
        disposal.status = DisposalStatus.APPROVED if approve else DisposalStatus.REJECTED
        disposal.decided_by_id = actor.pk
        disposal.decided_at = clock.now()
        disposal.decision_note = decision_note.strip()[:300]
        disposal.save()
        if approve:
            target = FoundItemStatus.DISPOSED
        else:
            target = FoundItemStatus.PUBLISHED if item.published_on else FoundItemStatus.STORED
        transition(item, to=target, actor=actor, note=disposal.get_method_display())
        if approve:
            FoundItemToken.objects.filter(item=item).update(is_public=False)
        audit_record(
            actor=actor,
            action=AuditAction.FOUND_ITEM_DISPOSAL,
            target=disposal,
            after={"item": item.number, "status": disposal.status},
        )
    return disposal
