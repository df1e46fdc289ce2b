"""Writes to the guide: procedure edits (versioned, with a reason), checks, synonyms, settings."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.errors import NotFound
from bianmin.core.permissions import Perm
from bianmin.family_desk.enums import LifeEvent
from bianmin.family_desk.errors import DeskError
from bianmin.family_desk.models import DeskSettings, Procedure, Synonym, Unit
from bianmin.family_desk.services.common import DeskInvalid, desk_settings, require_perm

EDITABLE_FIELDS = (
    "name",
    "purpose",
    "eligibility",
    "materials",
    "fee",
    "time_limit",
    "time_limit_workdays",
    "place",
    "online_channel",
    "legal_basis",
    "life_events",
    "keywords",
    "is_active",
)


def _procedure_for_edit(actor: StaffActor, procedure_id: int) -> Procedure:
    procedure = (
        Procedure.objects.select_for_update()
        .filter(pk=procedure_id, center_id=home_center_id(actor))
        .first()
    )
    if procedure is None:
        raise NotFound(_("没有找到该事项。"), code=DeskError.UNKNOWN_PROCEDURE)
    return procedure


def save_version(procedure: Procedure, *, actor: StaffActor, reason: str, checked: bool) -> None:
    """Save the procedure as a new version; the history row carries who and why."""
    if checked:
        procedure.last_checked_on = clock.today()
        procedure.last_checked_by = str(actor)
    procedure._change_reason = reason  # type: ignore[attr-defined]
    procedure._history_user = actor  # type: ignore[attr-defined]
    procedure.save()


def clean_life_events(values: Any) -> list[str]:
    allowed = set(LifeEvent.values)
    events = [str(v) for v in (values or [])]
    unknown = [v for v in events if v not in allowed]
    if unknown:
        raise DeskInvalid(
            _("人生事件只能是：%(allowed)s。")
            % {"allowed": "、".join(str(label) for label in LifeEvent.labels)},
            code=DeskError.INVALID,
        )
    return [v for v in LifeEvent.values if v in events]


def procedure_update(
    *, actor: StaffActor, procedure_id: int, changes: dict[str, Any], reason: str
) -> Procedure:
    """Change a procedure's text; the old version stays in its history with the reason."""
    require_perm(actor, Perm.DESK_GUIDE_EDIT, _("只有服务台可以修改办事指南。"))
    reason = (reason or "").strip()
    if not reason:
        raise DeskInvalid(_("请填写修改原因。"), code=DeskError.REASON_REQUIRED)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DeskInvalid(_("不能修改这些字段。"), code=DeskError.INVALID)
    if "name" in changes and not str(changes["name"]).strip():
        raise DeskInvalid(_("事项名称不能为空。"), code=DeskError.INVALID)
    if "life_events" in changes:
        changes = {**changes, "life_events": clean_life_events(changes["life_events"])}
    with transaction.atomic():
        procedure = _procedure_for_edit(actor, procedure_id)
        if "name" in changes:
            changes = {**changes, "name": str(changes["name"]).strip()}
            twin = Procedure.objects.filter(unit_id=procedure.unit_id, name=changes["name"])
            if twin.exclude(pk=procedure.pk).exists():
                raise DeskInvalid(
                    _("本单位已有名为“%(n)s”的事项。") % {"n": changes["name"][:100]},
                    code=DeskError.INVALID,
                )
        before = {k: getattr(procedure, k) for k in changes}
        for key, value in changes.items():
            setattr(procedure, key, value)
        # An edit is a check: the desk has just read the procedure against its source.
        save_version(procedure, actor=actor, reason=reason, checked=True)
        audit_record(
            actor=actor,
            action=AuditAction.DESK_GUIDE_UPDATED,
            target=procedure,
            before=before,
            after={**{k: getattr(procedure, k) for k in changes}, "reason": reason},
        )
    return procedure


def procedure_mark_checked(*, actor: StaffActor, procedure_id: int) -> Procedure:
    """The desk confirmed the procedure against the unit today (no text changed)."""
    require_perm(actor, Perm.DESK_GUIDE_EDIT, _("只有服务台可以核对办事指南。"))
    with transaction.atomic():
        procedure = _procedure_for_edit(actor, procedure_id)
        save_version(procedure, actor=actor, reason=_("核对无变化"), checked=True)
        audit_record(
            actor=actor,
            action=AuditAction.DESK_GUIDE_UPDATED,
            target=procedure,
            after={"last_checked_on": procedure.last_checked_on},
        )
    return procedure


def parse_synonym_lines(text: str) -> list[list[str]]:
    """One group a line: 公积金=住房公积金 (also ＝ , ， 、 or spaces between words)."""
    groups = []
    for line in (text or "").splitlines():
        for sep in "＝,，、 \t":
            line = line.replace(sep, "=")
        words = list(dict.fromkeys(w.strip() for w in line.split("=") if w.strip()))
        if len(words) == 1:
            raise DeskInvalid(
                _("“%(word)s”一行只有一个词，同义词至少要两个。") % {"word": words[0]},
                code=DeskError.INVALID,
            )
        if any(len(w) > 20 for w in words):
            raise DeskInvalid(_("同义词每个不超过20个字。"), code=DeskError.INVALID)
        if words:
            groups.append(words)
    return groups


def synonyms_replace(*, actor: StaffActor, text: str) -> list[Synonym]:
    require_perm(actor, Perm.DESK_GUIDE_EDIT, _("只有服务台可以维护同义词。"))
    groups = parse_synonym_lines(text)
    with transaction.atomic():
        before = list(
            Synonym.objects.filter(center_id=home_center_id(actor)).values_list("words", flat=True)
        )
        Synonym.objects.filter(center_id=home_center_id(actor)).delete()
        rows = Synonym.objects.bulk_create(
            Synonym(center_id=home_center_id(actor), words="=".join(words)) for words in groups
        )
        audit_record(
            actor=actor,
            action=AuditAction.DESK_GUIDE_UPDATED,
            target_type="family_desk.synonym",
            before={"synonyms": before},
            after={"synonyms": ["=".join(g) for g in groups]},
        )
    return rows


def guide_set_public(*, actor: StaffActor, is_public: bool) -> DeskSettings:
    require_perm(actor, Perm.DESK_CONFIGURE, _("只有中心主任可以决定办事指南是否对社会公开。"))
    with transaction.atomic():
        settings = desk_settings(home_center_id(actor))
        before = settings.guide_is_public
        settings.guide_is_public = bool(is_public)
        settings.save(update_fields=["guide_is_public", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.DESK_SETTINGS_UPDATED,
            target=settings,
            before={"guide_is_public": before},
            after={"guide_is_public": settings.guide_is_public},
        )
    return settings


def unit_get_or_create(*, center_id: int, name: str, **fields: Any) -> Unit:
    unit, created = Unit.objects.get_or_create(center_id=center_id, name=name, defaults=fields)
    if not created:
        changed = [k for k, v in fields.items() if v and getattr(unit, k) != v]
        for key in changed:
            setattr(unit, key, fields[key])
        if changed:
            unit.save(update_fields=[*changed, "updated_at"])
    return unit
