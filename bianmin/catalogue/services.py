"""Writes to the catalogue: the reference load and the director's edits (with history).

The item catalogue and the working-day calendar are province-wide (ADR 0007): every center's
citizens see the same items, fees and deadlines, so only a province-scope account (a director
with no center) edits them; a center's director reads them."""

import json
from pathlib import Path
from typing import Any

from django.db import transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.catalogue.errors import CatalogueError
from bianmin.catalogue.models import FeeVariant, ItemRevision, Material, ServiceItem
from bianmin.catalogue.selectors import guide_forget
from bianmin.core.actors import StaffActor
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.permissions import Perm, has_perm

REFERENCE_FILE = Path(__file__).parent / "data" / "items.json"
EDITABLE_FIELDS = (
    "name",
    "fee_fen",
    "promised_workdays",
    "statutory_limit",
    "legal_basis",
    "notes",
    "allows_accept_with_gaps",
    "average_service_minutes",
    "is_active",
)


def item_snapshot(item: ServiceItem) -> dict[str, Any]:
    data = model_to_dict(item, fields=[*EDITABLE_FIELDS, "code", "category", "stages", "channels"])
    data["materials"] = [
        model_to_dict(m, fields=["code", "name", "required_when", "is_primary", "requirement"])
        for m in item.materials.all()
    ]
    data["fee_variants"] = [
        model_to_dict(v, fields=["code", "name", "fee_fen"]) for v in item.fee_variants.all()
    ]
    return data


@transaction.atomic
def catalogue_load_reference(*, path: Path = REFERENCE_FILE) -> int:
    """Create the reference items that do not exist yet. Existing items are the director's: an
    upgrade never overwrites their edits. Returns the number of items created."""
    created = 0
    for row in json.loads(path.read_text()):
        if ServiceItem.objects.filter(code=row["code"]).exists():
            continue
        materials = row.pop("materials")
        variants = row.pop("fee_variants")
        item = ServiceItem.objects.create(**row)
        Material.objects.bulk_create(
            Material(item=item, sort_order=i, **m) for i, m in enumerate(materials)
        )
        FeeVariant.objects.bulk_create(FeeVariant(item=item, **v) for v in variants)
        ItemRevision.objects.create(
            item=item, changed_by=None, snapshot=item_snapshot(item), reason="参考数据导入"
        )
        created += 1
    if created:
        guide_forget()  # bulk_create sends no signals: the variants came after the item
    return created


@transaction.atomic
def item_update(
    *, actor: StaffActor, item: ServiceItem, changes: dict[str, Any], reason: str
) -> ServiceItem:
    """The director edits an item; the old and new values go to the history and the audit log."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(
            _("不能修改这些字段：%s") % "、".join(sorted(unknown)),
            code=CatalogueError.UNEDITABLE_FIELD,
        )
    _check_edit(actor, reason)
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    before = item_snapshot(item)
    for field, value in changes.items():
        setattr(item, field, value)
    item.full_clean()
    item.save()
    after = item_snapshot(item)
    ItemRevision.objects.create(item=item, changed_by_id=actor.pk, snapshot=after, reason=reason)
    audit_record(
        actor=actor,
        action=AuditAction.ITEM_UPDATED,
        target=item,
        before={k: before[k] for k in changes},
        after={k: after[k] for k in changes},
    )
    return item


def may_edit_province_wide(actor: StaffActor, perm: Perm) -> bool:
    """The catalogue and the calendar apply to every center: only a province-scope account
    (no center of its own) holding `perm` changes them."""
    return has_perm(actor, perm) and actor.center_id is None


def _require_province(actor: StaffActor, perm: Perm, what: str) -> None:
    if not has_perm(actor, perm):
        raise PermissionDenied(_("只有主任可以修改%s") % what)
    if actor.center_id is not None:
        raise PermissionDenied(
            _("%s全省统一，各中心看到的都一样，只有省级账号可以修改；请联系省级管理员") % what,
            code=CatalogueError.PROVINCE_ONLY,
        )


def calendar_override_save(*, actor: StaffActor, day: Any, is_workday: bool, note: str) -> None:
    """The director enters a holiday or a make-up working day (next year's schedule, closures)."""
    from bianmin.core.services import calendar_override_set

    _require_province(actor, Perm.CALENDAR_EDIT, _("工作日历"))
    with transaction.atomic():
        calendar_override_set(day=day, is_workday=is_workday, note=note)
        audit_record(
            actor=actor,
            action=AuditAction.CALENDAR_UPDATED,
            target_type="core.calendaroverride",
            target_id=str(day),
            after={"is_workday": is_workday, "note": note},
        )


def calendar_year_save(*, actor: StaffActor, year: int, source: str) -> None:
    """Mark a year as fully entered: it stops being provisional."""
    from bianmin.core.services import calendar_year_confirm

    _require_province(actor, Perm.CALENDAR_EDIT, _("工作日历"))
    if not source.strip():
        raise DomainError(
            _("请填写依据，例如国务院办公厅通知的文号"), code=CatalogueError.SOURCE_REQUIRED
        )
    with transaction.atomic():
        calendar_year_confirm(year=year, source=source)
        audit_record(
            actor=actor,
            action=AuditAction.CALENDAR_UPDATED,
            target_type="core.calendaryear",
            target_id=str(year),
            after={"confirmed": True, "source": source},
        )


def _revise(*, actor: StaffActor, item: ServiceItem, before: dict[str, Any], reason: str) -> None:
    """History and audit after an edit of an item's materials or fee variants."""
    after = item_snapshot(item)
    ItemRevision.objects.create(item=item, changed_by_id=actor.pk, snapshot=after, reason=reason)
    changed = [key for key in ("materials", "fee_variants") if before[key] != after[key]]
    audit_record(
        actor=actor,
        action=AuditAction.ITEM_UPDATED,
        target=item,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )


def _check_edit(actor: StaffActor, reason: str) -> None:
    _require_province(actor, Perm.CATALOGUE_EDIT, _("事项目录"))
    if not reason.strip():
        raise DomainError(_("请填写修改原因"), code=CatalogueError.REASON_REQUIRED)


@transaction.atomic
def material_save(
    *,
    actor: StaffActor,
    item: ServiceItem,
    code: str,
    name: str,
    requirement: str = "",
    legal_basis: str = "",
    required_when: str = "always",
    is_primary: bool = True,
    reason: str,
) -> Material:
    """Add a material to an item's checklist, or change the one with this code."""
    from bianmin.catalogue.conditions import CONDITIONS

    _check_edit(actor, reason)
    code = code.strip()
    if not code.replace("_", "").isalnum() or not code.isascii() or len(code) > 30:
        raise DomainError(
            _("材料编码须为不超过30位的英文字母、数字或下划线"), code=CatalogueError.BAD_CODE
        )
    if not name.strip():
        raise DomainError(_("请填写材料名称"), code=CatalogueError.NAME_REQUIRED)
    if required_when not in CONDITIONS:
        raise DomainError(
            _("未知的适用条件：%s") % required_when, code=CatalogueError.UNKNOWN_CONDITION
        )
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    before = item_snapshot(item)
    material, _created = Material.objects.get_or_create(
        item=item, code=code, defaults={"name": name, "sort_order": item.materials.count()}
    )
    material.name, material.requirement = name.strip()[:100], requirement.strip()[:300]
    material.legal_basis, material.required_when = legal_basis.strip()[:200], required_when
    material.is_primary = is_primary
    material.save()
    _revise(actor=actor, item=item, before=before, reason=reason)
    return material


@transaction.atomic
def material_remove(*, actor: StaffActor, item: ServiceItem, code: str, reason: str) -> None:
    _check_edit(actor, reason)
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    before = item_snapshot(item)
    if not Material.objects.filter(item=item, code=code).delete()[0]:
        raise DomainError(
            _("该事项没有编码为 %s 的材料") % code, code=CatalogueError.UNKNOWN_MATERIAL
        )
    _revise(actor=actor, item=item, before=before, reason=reason)


@transaction.atomic
def fee_variant_save(
    *, actor: StaffActor, item: ServiceItem, code: str, name: str, fee_fen: int, reason: str
) -> FeeVariant:
    """Add or re-price a fee variant (e.g. CR03's endorsement types). Payments already made keep
    their own amounts."""
    _check_edit(actor, reason)
    code = code.strip()
    if not code.replace("_", "").isalnum() or not code.isascii() or len(code) > 30:
        raise DomainError(
            _("类型编码须为不超过30位的英文字母、数字或下划线"), code=CatalogueError.BAD_CODE
        )
    if fee_fen < 0:
        raise DomainError(_("工本费不能为负数"), code=CatalogueError.NEGATIVE_FEE)
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    before = item_snapshot(item)
    variant, _created = FeeVariant.objects.update_or_create(
        item=item, code=code, defaults={"name": name.strip()[:60], "fee_fen": fee_fen}
    )
    _revise(actor=actor, item=item, before=before, reason=reason)
    return variant
