"""The director's settings: deadlines (working days) and whether officers' names are public."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core.actors import StaffActor
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Perm
from bianmin.ratings.errors import RatingError
from bianmin.ratings.models import RatingSettings
from bianmin.ratings.services.common import require, settings_for

LIMITS = {
    "callback_workdays": (1, 5),
    "rectification_workdays": (1, 30),
    "complaint_workdays": (1, 30),
    "complaint_complex_workdays": (1, 60),
}


def rating_settings_update(
    *, actor: StaffActor, publish_officer_names: bool, **days: int
) -> RatingSettings:
    center_id = require(actor, Perm.RATING_DECIDE, _("只有中心主任可以修改好差评设置。"))
    for name, value in days.items():
        low, high = LIMITS.get(name, (0, -1))
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise DomainError(
                _("时限须在%(low)s到%(high)s个工作日之间。") % {"low": low, "high": high},
                code=RatingError.INVALID,
            )
    with transaction.atomic():
        setting = settings_for(center_id)
        before = {name: getattr(setting, name) for name in [*LIMITS, "publish_officer_names"]}
        for name, value in days.items():
            setattr(setting, name, value)
        setting.publish_officer_names = bool(publish_officer_names)
        setting.save()
        audit_record(
            actor=actor,
            action=AuditAction.RATING_SETTINGS_UPDATED,
            target=setting,
            center_id=center_id,
            before=before,
            after={name: getattr(setting, name) for name in before},
        )
    return setting
