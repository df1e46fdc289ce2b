"""Helpers shared by the case services: scoping, locking, history rows, audit, numbering."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.cases import pipeline
from bianmin.cases.enums import (
    CaseEventType,
)
from bianmin.cases.errors import CaseError
from bianmin.cases.models import (
    Case,
    CaseEvent,
    CaseNumberCounter,
    CaseSetting,
)
from bianmin.core import clock
from bianmin.core.actors import StaffActor
from bianmin.core.crypto import blind_index
from bianmin.core.errors import NotFound, PermissionDenied
from bianmin.core.permissions import Perm, has_perm
from bianmin.core.workdays import CalendarUnknown, add_workdays, is_workday

# --- helpers ----------------------------------------------------------------------------------


def case_setting_for(center_id: int) -> CaseSetting:
    setting, _created = CaseSetting.objects.get_or_create(center_id=center_id)
    return setting


def _need(actor: StaffActor, *perms: Perm) -> None:
    if not any(has_perm(actor, p) for p in perms):
        raise PermissionDenied(_("您没有执行此操作的权限"))


def _same_center(actor: StaffActor, case: Case) -> None:
    if actor.center_id is not None and actor.center_id != case.center_id:
        raise NotFound(_("没有找到该办件"), code=CaseError.CASE_NOT_FOUND)


def _locked(case: Case) -> Case:
    """The case re-read under a row lock (PostgreSQL); SQLite serializes writers already."""
    return Case.objects.select_for_update().select_related("item", "applicant").get(pk=case.pk)


def _event(
    case: Case,
    type_: CaseEventType,
    actor: StaffActor | None,
    *,
    from_stage: str = "",
    to_stage: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        type=type_,
        actor_id=getattr(actor, "pk", None),
        from_stage=from_stage,
        to_stage=to_stage,
        reason=reason[:300],
        data=data or {},
        created_at=clock.now(),
    )


def _audit(actor: StaffActor | None, action: AuditAction, case: Case, **after: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=case,
        center_id=case.center_id,
        after={"number": case.number, **after},
    )


def _when(moment: datetime | None) -> str:
    return clock.local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def case_state(case: Case) -> pipeline.CaseState:
    """The case as the pure status guards of the pipeline see it."""
    return pipeline.CaseState(
        number=case.number,
        status=case.status,
        next_stage=case.next_stage or "",
        locked_by_id=case.locked_by_id,
        locked_by_label=str(case.locked_by) if case.locked_by_id else "",
        accepted_at_label=_when(case.accepted_at),
        arrived_at_label=_when(case.arrived_at),
    )


def _guard(case: Case, actor: StaffActor | None, action: pipeline.CaseAction) -> None:
    """Ask the pipeline whether `action` is allowed on the case now (raises when not)."""
    pipeline.check_status(
        action=action, state=case_state(case), actor_id=getattr(actor, "pk", None)
    )


def _deadline(start: date, workdays: int) -> date:
    try:
        return add_workdays(start, workdays)
    except CalendarUnknown as exc:
        raise CalendarUnknown(
            _("无法计算办结期限：%(message)s") % {"message": exc.message}, **exc.details
        ) from exc


def _is_workday(day: date) -> bool:
    try:
        return is_workday(day)
    except CalendarUnknown:
        return True


def case_number_next(*, center: Any, day: date) -> str:
    """TG-20261128-0007: per center and day; one atomic upsert, safe under concurrency."""
    table = CaseNumberCounter._meta.db_table
    sql = (
        f"INSERT INTO {table} (center_id, day, last) VALUES (%s, %s, 1) "  # noqa: S608 - table name is ours
        f"ON CONFLICT (center_id, day) DO UPDATE SET last = {table}.last + 1 RETURNING last"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [center.pk, day])
        (last,) = cursor.fetchone()
    return f"{center.code}-{day:%Y%m%d}-{last:04d}"


def phone_digest(number: str, phone_last4: str) -> str:
    return blind_index(f"{number}:{phone_last4}", purpose="case_progress_phone")


def _take(actor: StaffActor, case: Case, action: pipeline.CaseAction, *perms: Perm) -> Case:
    """The prologue of every case write: the actor's permission and center, the row locked,
    and the pipeline's status guard for `action`. Returns the locked case."""
    _need(actor, *perms)
    _same_center(actor, case)
    case = _locked(case)
    _guard(case, actor, action)
    return case
