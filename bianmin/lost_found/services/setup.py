"""The director's settings: collection points and per-category rules."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Perm
from bianmin.lost_found.enums import FoundCategory
from bianmin.lost_found.errors import LostFoundError
from bianmin.lost_found.models import CategoryRule, CollectionPoint
from bianmin.lost_found.services.common import need


def category_rule_save(
    *,
    actor: StaffActor,
    category: str,
    photo_public: bool,
    retention_days: int | None,
    perishable_days: int,
) -> CategoryRule:
    need(actor, Perm.LOST_FOUND_CONFIGURE)
    if category not in FoundCategory.values:
        raise DomainError(_("物品类别不正确。"), code=LostFoundError.INVALID_CATEGORY)
    if retention_days is not None and not 1 <= retention_days <= 3660:
        raise DomainError(_("保管天数应在 1～3660 之间。"), code=LostFoundError.INVALID_DATE)
    if not 1 <= perishable_days <= 90:
        raise DomainError(_("易腐物品保管天数应在 1～90 之间。"), code=LostFoundError.INVALID_DATE)
    with transaction.atomic():
        rule, _created = CategoryRule.objects.update_or_create(
            center_id=home_center_id(actor),
            category=category,
            defaults={
                "photo_public": photo_public,
                "retention_days": retention_days,
                "perishable_days": perishable_days,
            },
        )
        audit_record(
            actor=actor,
            action=AuditAction.LOST_FOUND_SETTINGS_UPDATED,
            target=rule,
            after={
                "category": category,
                "photo_public": photo_public,
                "retention_days": retention_days,
                "perishable_days": perishable_days,
            },
        )
    return rule


def collection_point_save(
    *, actor: StaffActor, code: str, name: str, address: str = ""
) -> CollectionPoint:
    need(actor, Perm.LOST_FOUND_CONFIGURE)
    code, name = code.strip().upper()[:16], name.strip()[:60]
    if not code or not name:
        raise DomainError(_("请填写保管点代码和名称。"), code=LostFoundError.INVALID_POINT)
    with transaction.atomic():
        point, _created = CollectionPoint.objects.update_or_create(
            center_id=home_center_id(actor),
            code=code,
            defaults={"name": name, "address": address.strip()[:200], "is_active": True},
        )
        audit_record(
            actor=actor,
            action=AuditAction.LOST_FOUND_SETTINGS_UPDATED,
            target=point,
            after={"code": code, "name": name},
        )
    return point
