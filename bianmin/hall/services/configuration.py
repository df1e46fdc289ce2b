"""The director's hall settings (calling-rule weights, no-show ladder, alerts, closing)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core.actors import StaffActor
from bianmin.core.errors import PermissionDenied
from bianmin.core.permissions import Perm
from bianmin.hall.models import HallSettings
from bianmin.hall.services._common import atomic_write, require


@atomic_write
def hall_settings_update(
    *, actor: StaffActor, center_id: int, changes: dict[str, Any]
) -> HallSettings:
    require(actor, Perm.HALL_CONFIGURE)
    if actor.center_id != center_id:
        raise PermissionDenied(_("只能修改本中心的设置"))
    settings, _created = HallSettings.objects.get_or_create(center_id=center_id)
    before = {k: getattr(settings, k) for k in changes}
    for key, value in changes.items():
        setattr(settings, key, value)
    settings.full_clean()
    settings.save()
    audit_record(
        actor=actor,
        action=AuditAction.HALL_SETTINGS_UPDATED,
        target=settings,
        center_id=center_id,
        before=before,
        after=changes,
    )
    return settings
