"""The duty roster: one officer's shifts per day, set and cleared by the shift leader or the
director of the same center (audited). The 劳动纪律星 compares first sign-ins with it."""

from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.accounts.selectors import staff_list
from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core.actors import StaffActor
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Perm
from bianmin.standards.errors import StandardsError
from bianmin.standards.models import DutyShift
from bianmin.standards.services.common import not_found, require

# Who keeps the roster: the shift leader and the director (the holders of ABSENCE_RECORD).
ROSTER_PERM = Perm.ABSENCE_RECORD


def parse_clock_time(text: str, what: str) -> time:
    """'08:30' → time(8, 30); anything else a Chinese refusal."""
    try:
        return datetime.strptime(str(text or "").strip()[:5], "%H:%M").time()  # noqa: DTZ007
    except ValueError:
        raise DomainError(
            _("%s格式应为 HH:MM。") % what, code=StandardsError.SHIFT_INVALID
        ) from None


def _officer(actor: StaffActor, officer_id: int) -> Any:
    officer = staff_list(user=actor).filter(pk=officer_id).first()
    if officer is None or officer.center_id != actor.center_id:
        raise not_found(_("民警"))
    return officer


def _label(shift: DutyShift) -> str:
    return f"{shift.day.isoformat()} {shift.start:%H:%M}–{shift.end:%H:%M}"


@transaction.atomic
def duty_shift_set(
    *, actor: StaffActor, officer_id: int, day: date, start: time, end: time, note: str = ""
) -> DutyShift:
    """Set (or change the end and note of) the officer's shift starting at `start` on `day`.
    A shift ending at or before its start, or overlapping another of that day, is refused."""
    center_id = require(actor, ROSTER_PERM)
    officer = _officer(actor, officer_id)
    shift = (
        DutyShift.objects.select_for_update()
        .filter(center_id=center_id, officer=officer, day=day, start=start)
        .first()
    ) or DutyShift(center_id=center_id, officer=officer, day=day, start=start)
    before = _label(shift) if shift.pk else None
    shift.end = end
    shift.note = note.strip()[:200]
    try:
        shift.clean()
    except ValidationError as exc:
        message = "；".join(m for messages in exc.message_dict.values() for m in messages)
        raise DomainError(message, code=StandardsError.SHIFT_INVALID) from None
    overlap = (
        DutyShift.objects.filter(
            center_id=center_id, officer=officer, day=day, start__lt=end, end__gt=start
        )
        .exclude(pk=shift.pk)
        .first()
    )
    if overlap is not None:
        raise DomainError(
            _("与该民警当天已有的排班 %s 重叠。") % _label(overlap),
            code=StandardsError.SHIFT_OVERLAP,
        )
    shift.save()
    audit_record(
        actor=actor,
        action=AuditAction.DUTY_SHIFT_SET,
        target=shift,
        before={"shift": before} if before else None,
        after={"officer": officer_id, "shift": _label(shift), "note": shift.note},
    )
    return shift


@transaction.atomic
def duty_shift_clear(
    *, actor: StaffActor, officer_id: int, day: date, start: time | None = None
) -> int:
    """Clear the officer's shift of `day` starting at `start` (every shift of that day when
    `start` is None); returns how many were cleared. Nothing to clear is refused."""
    center_id = require(actor, ROSTER_PERM)
    officer = _officer(actor, officer_id)
    shifts = DutyShift.objects.filter(center_id=center_id, officer=officer, day=day)
    if start is not None:
        shifts = shifts.filter(start=start)
    labels = [_label(s) for s in shifts.select_for_update()]
    if not labels:
        raise not_found(_("排班"))
    shifts.delete()
    audit_record(
        actor=actor,
        action=AuditAction.DUTY_SHIFT_CLEARED,
        target=officer,
        before={"shifts": labels},
        after={"officer": officer_id, "day": day.isoformat()},
    )
    return len(labels)
