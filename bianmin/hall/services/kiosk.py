"""The self-service kiosk's "call a guide" (呼叫导办员) and its answer at the guide desk.

A call holds no personal data (a kiosk number and times); the guide desk polls the open ones."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bianmin.core import clock
from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.errors import DomainError, NotFound, PermissionDenied
from bianmin.core.permissions import Perm, has_perm
from bianmin.hall.errors import HallError
from bianmin.hall.models import GuideCall
from bianmin.hall.services._common import atomic_write

KIOSK_NUMBER_RE = re.compile(r"^[0-9A-Za-z-]{1,8}$")


@atomic_write
def guide_call_request(*, actor: StaffActor | None = None, center_id: int, kiosk: str) -> GuideCall:
    """A citizen at kiosk `kiosk` asks for a guide; an open call of that kiosk is reused."""
    kiosk = (kiosk or "").strip()
    if not KIOSK_NUMBER_RE.match(kiosk):
        raise DomainError(_("自助机编号不正确"), code=HallError.INVALID_KIOSK)
    open_call = GuideCall.objects.filter(
        center_id=center_id, kiosk=kiosk, answered_at__isnull=True
    ).first()
    if open_call is not None:
        return open_call
    try:
        with transaction.atomic():
            call = GuideCall.objects.create(
                center_id=center_id, kiosk=kiosk, created_at=clock.now()
            )
    except IntegrityError:  # the same kiosk pressed twice at once: one call
        return GuideCall.objects.get(center_id=center_id, kiosk=kiosk, answered_at__isnull=True)
    return call


@atomic_write
def guide_call_answer(*, actor: StaffActor, call_id: int) -> GuideCall:
    """The guide goes to the kiosk: the call leaves every guide desk's list."""
    if not has_perm(actor, Perm.TICKET_ISSUE):
        raise PermissionDenied(_("您没有导办权限"))
    call = (
        GuideCall.objects.select_for_update()
        .filter(pk=call_id, center_id=home_center_id(actor))
        .first()
    )
    if call is None:
        raise NotFound(_("没有找到这个呼叫"), code=HallError.GUIDE_CALL_NOT_FOUND)
    if call.answered_at is None:
        call.answered_at = clock.now()
        call.answered_by_id = actor.pk
        call.save(update_fields=["answered_at", "answered_by"])
    return call
