"""认领: identity proven (ID card or 刷脸办), control questions answered, one handover only."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.actors import StaffActor
from bianmin.core.errors import Conflict, DomainError
from bianmin.core.permissions import Perm
from bianmin.identity.selectors import face_check_confirmed
from bianmin.lost_found.enums import FoundItemStatus, IdentityMethod, LostReportStatus, MatchStatus
from bianmin.lost_found.errors import LostFoundError
from bianmin.lost_found.models import Claim, FoundItem, FoundItemToken, LostReport
from bianmin.lost_found.services.common import item_for_update, need, transition
from bianmin.people.idnumber import check_id_number, mask_id_number
from bianmin.people.services import id_number_index


@dataclass(frozen=True)
class ClaimInput:
    id_number: str
    control_answers: str
    face_check_id: str = ""
    proxy_authorization: str = ""  # the owner's written authorization, when a proxy claims
    is_proxy: bool = False
    keeping_cost_paid: Decimal | None = None
    reward_note: str = ""


def _refuse(item: FoundItem, actor: StaffActor, message: str, code: LostFoundError) -> DomainError:
    audit_record(
        actor=actor,
        action=AuditAction.FOUND_ITEM_CLAIM_REFUSED,
        target=item,
        center_id=item.center_id,
        after={"reason": str(code)},
    )
    return DomainError(message, code=code)


def _already(item: FoundItem) -> Conflict:
    return Conflict(
        _("物品 %(number)s 已交付领取人，不能重复认领。") % {"number": item.number},
        code=LostFoundError.ALREADY_HANDED_OVER,
    )


def claim_handover(*, actor: StaffActor, number: str, data: ClaimInput) -> Claim:
    """Hand the item over once; a second claim (even a racing one) gets 409."""
    need(actor, Perm.FOUND_ITEM_MANAGE)
    id_number = (data.id_number or "").strip().upper()
    if not check_id_number(id_number, today=clock.today()).valid:
        raise DomainError(
            _("领取人身份证号码有误，请核对。"), code=LostFoundError.IDENTITY_NOT_PROVEN
        )
    answers = (data.control_answers or "").strip()
    with transaction.atomic():
        item = item_for_update(actor=actor, number=number)
        if item.status == FoundItemStatus.RETURNED or Claim.objects.filter(item=item).exists():
            raise _already(item)
        method = IdentityMethod.ID_CARD
        if data.face_check_id:
            if not face_check_confirmed(check_id=data.face_check_id, id_number=id_number):
                raise _refuse(
                    item,
                    actor,
                    _("刷脸核验未通过或已过期，请重新核验或查验身份证。"),
                    LostFoundError.IDENTITY_NOT_PROVEN,
                )
            method = IdentityMethod.FACE
        if not answers:
            raise _refuse(
                item,
                actor,
                _("请记录领取人对物品特征的说明（核对问题）。"),
                LostFoundError.CONTROL_ANSWERS_MISSING,
            )
        is_proxy = data.is_proxy or bool(data.proxy_authorization.strip())
        if is_proxy and not data.proxy_authorization.strip():
            raise _refuse(
                item,
                actor,
                _("代领须登记失主的书面委托。"),
                LostFoundError.PROXY_AUTHORIZATION_MISSING,
            )
        claimant_index = id_number_index(id_number)
        if (
            item.is_document
            and item.document_number_index
            and not is_proxy
            and claimant_index != item.document_number_index
        ):
            raise _refuse(
                item,
                actor,
                _("证件只能由证件本人或持书面委托的代领人领取。"),
                LostFoundError.IDENTITY_NOT_PROVEN,
            )
        try:
            with transaction.atomic():
                claim = Claim.objects.create(
                    center_id=item.center_id,
                    item=item,
                    identity_method=method,
                    claimant_id_index=claimant_index,
                    claimant_id_masked=mask_id_number(id_number),
                    face_check_id=data.face_check_id.strip()[:40],
                    control_answers=answers[:500],
                    is_proxy=is_proxy,
                    proxy_authorization=data.proxy_authorization.strip()[:300],
                    officer_id=actor.pk,
                    handed_over_at=clock.now(),
                    keeping_cost_paid=data.keeping_cost_paid,
                )
        except IntegrityError as exc:
            raise _already(item) from exc
        if data.reward_note.strip():
            item.reward_note = data.reward_note.strip()[:200]
        transition(item, to=FoundItemStatus.RETURNED, actor=actor, note=claim.claimant_id_masked)
        FoundItemToken.objects.filter(item=item).update(is_public=False)
        LostReport.objects.filter(
            matches__found_item=item, matches__status=MatchStatus.CONFIRMED
        ).update(status=LostReportStatus.CLOSED)
        audit_record(
            actor=actor,
            action=AuditAction.FOUND_ITEM_CLAIMED,
            target=claim,
            center_id=item.center_id,
            after={
                "item": item.number,
                "claimant": claim.claimant_id_masked,
                "method": method,
                "proxy": is_proxy,
            },
        )
    return claim
