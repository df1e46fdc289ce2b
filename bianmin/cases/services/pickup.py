"""Pickup (领证): the collector's identity checked, by ID card or a confirmed face check."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.cases import pipeline
from bianmin.cases.enums import (
    CaseEventType,
    PickupMethod,
)
from bianmin.cases.errors import CaseError
from bianmin.cases.events import CasePickedUp
from bianmin.cases.models import (
    Case,
)
from bianmin.cases.services.base import (
    _audit,
    _take,
)
from bianmin.cases.services.pipeline import _complete_step
from bianmin.catalogue.enums import Stage
from bianmin.core import clock
from bianmin.core.actors import StaffActor
from bianmin.core.errors import DomainError
from bianmin.core.events import publish
from bianmin.core.permissions import Perm
from bianmin.identity.selectors import face_check_confirmed
from bianmin.people.idnumber import check_id_number, mask_id_number
from bianmin.people.services import clean_name


def _face_confirmed(check_id: str, id_number: str) -> bool:
    return face_check_confirmed(check_id=check_id, id_number=id_number)


@transaction.atomic
def case_pickup(
    *,
    actor: StaffActor,
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
    case = _take(actor, case, pipeline.CaseAction.PICKUP, Perm.CASE_ACCEPT)
    if method not in PickupMethod.values:
        raise DomainError(_("请选择身份核验方式"), code=CaseError.IDENTITY_CHECK)
    by_proxy = bool(proxy_name.strip() or proxy_id_number.strip())
    collector_id = case.applicant.id_number or ""
    if by_proxy:
        name = clean_name(proxy_name)
        check = check_id_number(proxy_id_number, today=clock.today())
        if not check.valid:
            raise DomainError(
                _("代领人身份证号码有误：%(e)s") % {"e": check.error},
                code=CaseError.IDENTITY_CHECK,
            )
        if check.normalized == collector_id:
            raise DomainError(_("代领人不能是申请人本人"), code=CaseError.IDENTITY_CHECK)
        if not authorization_note.strip():
            raise DomainError(
                _("代领须记录申请人的委托（委托书或授权说明）"), code=CaseError.REASON_REQUIRED
            )
        collector_id = check.normalized
        case.proxy_name = name
        case.proxy_id_number = check.normalized
        case.proxy_id_number_masked = mask_id_number(check.normalized)
        case.authorization_note = authorization_note.strip()[:300]
        case.pickup_by_proxy = True
    if method == PickupMethod.FACE:
        if not face_check_id:
            raise DomainError(_("请先完成刷脸核验"), code=CaseError.IDENTITY_CHECK)
        if not _face_confirmed(face_check_id, collector_id):
            raise DomainError(
                _("刷脸核验未通过或与领取人不符，请查验身份证件"), code=CaseError.IDENTITY_CHECK
            )
        case.face_check_id = face_check_id[:64]
    case.pickup_method = method
    case.picked_up_at = clock.now()
    _complete_step(case, actor, Stage.PICKUP, "pickup", event=CaseEventType.PICKED_UP)
    _audit(actor, AuditAction.CASE_PICKED_UP, case, method=method, proxy=by_proxy)
    if case.next_stage == Stage.CLOSED:
        _complete_step(case, actor, Stage.CLOSED, "advance")
    publish(
        CasePickedUp(
            center_id=case.center_id,
            case_id=case.pk,
            case_number=case.number,
            officer_id=actor.pk,
            item_code=case.item.code,
            at=case.picked_up_at,
            applicant_id=case.applicant_id,
        )
    )
    return case
