"""The back office: claim, release, advance, send back, and the deadline sweep."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.cases import pipeline
from bianmin.cases.enums import (
    CaseEventType,
    CaseStatus,
)
from bianmin.cases.models import (
    Case,
    CaseEvent,
)
from bianmin.cases.services.base import (
    _audit,
    _event,
    _locked,
    _same_center,
    _take,
)
from bianmin.cases.services.corrections import _terminate
from bianmin.catalogue.enums import Stage
from bianmin.core import clock
from bianmin.core.actors import StaffActor
from bianmin.core.errors import PermissionDenied
from bianmin.core.permissions import Perm

logger = logging.getLogger(__name__)

# --- the back office: lock, advance, send back ------------------------------------------------------


@transaction.atomic
def case_claim(*, actor: StaffActor, case: Case) -> Case:
    case = _take(actor, case, pipeline.CaseAction.CLAIM, Perm.CASE_PROCESS, Perm.CASE_ACCEPT)
    if case.locked_by_id == actor.pk:
        return case
    case.locked_by_id, case.locked_at = actor.pk, clock.now()
    case.save(update_fields=["locked_by", "locked_at", "updated_at"])
    _event(case, CaseEventType.CLAIMED, actor)
    _audit(actor, AuditAction.CASE_CLAIMED, case)
    return case


@transaction.atomic
def case_release(*, actor: StaffActor, case: Case) -> Case:
    """The holder releases; only the shift leader may release someone else's lock (the
    director and the inspector supervise, they do not take cases out of an officer's hands)."""
    _same_center(actor, case)
    case = _locked(case)
    if case.locked_by_id is None:
        return case
    if not pipeline.may_release(role=actor.role, actor_id=actor.pk, holder_id=case.locked_by_id):
        raise PermissionDenied(_("只有认领人或值班长可以释放该办件"))
    holder = case.locked_by_id
    case.locked_by, case.locked_at = None, None
    case.save(update_fields=["locked_by", "locked_at", "updated_at"])
    _event(case, CaseEventType.RELEASED, actor, data={"holder": holder})
    _audit(actor, AuditAction.CASE_RELEASED, case, holder=holder)
    return case


def _complete_step(
    case: Case,
    actor: StaffActor | None,
    target: str,
    route: str,
    *,
    reason: str = "",
    event: CaseEventType = CaseEventType.ADVANCED,
) -> None:
    stages = case.stage_tuple
    pipeline.check_step(
        stages=stages,
        status=case.status,
        current=case.stage,
        target=target,
        role=actor.role if actor is not None else None,
        route=route,
        gaps_open=case.gaps_open,
    )
    from_stage = case.stage
    case.stage = target
    case.next_stage = pipeline.next_stage(stages, target) or ""
    now = clock.now()
    if target == Stage.CLOSED:
        case.status = CaseStatus.CLOSED
        case.closed_at = now
        event = CaseEventType.CLOSED
    case.locked_by, case.locked_at = None, None
    case.save()
    _event(case, event, actor, from_stage=from_stage, to_stage=target, reason=reason)
    _audit(actor, AuditAction.CASE_TRANSITIONED, case, from_stage=from_stage, to_stage=target)


@transaction.atomic
def case_advance(*, actor: StaffActor, case: Case, to_stage: str, note: str = "") -> Case:
    """Complete the pending step (review, approve, production, closed). No skipping."""
    case = _take(actor, case, pipeline.CaseAction.ADVANCE, Perm.CASE_PROCESS, Perm.CASE_ACCEPT)
    _complete_step(case, actor, to_stage, "advance", reason=note)
    return case


@transaction.atomic
def case_send_back(*, actor: StaffActor, case: Case, reason: str) -> Case:
    """Send a case back one step with a reason (e.g. the approver returns it to review)."""
    case = _take(actor, case, pipeline.CaseAction.SEND_BACK, Perm.CASE_PROCESS)
    back_to = pipeline.check_send_back(
        stages=case.stage_tuple,
        status=case.status,
        current=case.stage,
        role=actor.role,
        reason=reason,
    )
    from_stage = case.stage
    case.stage = back_to
    case.next_stage = pipeline.next_stage(case.stage_tuple, back_to) or ""
    case.locked_by, case.locked_at = None, None
    case.save()
    _event(
        case,
        CaseEventType.SENT_BACK,
        actor,
        from_stage=from_stage,
        to_stage=back_to,
        reason=reason.strip(),
    )
    _audit(
        actor,
        AuditAction.CASE_TRANSITIONED,
        case,
        from_stage=from_stage,
        to_stage=back_to,
        sent_back=True,
    )
    return case


# --- the sweep ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    warned: int
    overdue: int
    terminated: int


@transaction.atomic
def case_deadline_sweep(*, today: date | None = None) -> SweepResult:
    """Warnings, overdue alerts and 容缺 terminations; idempotent (each is raised once)."""
    today = today or clock.today()
    now = clock.now()
    open_ = Case.objects.filter(status=CaseStatus.ACCEPTED)
    skip = connection.features.has_select_for_update_skip_locked

    def pick(qs: Any) -> list[int]:
        qs = qs.order_by()  # no ORDER BY: the partial indexes answer these directly
        if skip:
            qs = qs.select_for_update(skip_locked=True)
        return list(qs.values_list("pk", flat=True)[:5000])

    warn_ids = pick(open_.filter(warned_at__isnull=True, warn_on__lte=today, deadline__gte=today))
    Case.objects.filter(pk__in=warn_ids).update(warned_at=now)
    overdue_ids = pick(open_.filter(overdue_at__isnull=True, deadline__lt=today))
    # an overdue case is past its warning too: it leaves both partial indexes
    Case.objects.filter(pk__in=overdue_ids, warned_at__isnull=True).update(warned_at=now)
    Case.objects.filter(pk__in=overdue_ids).update(overdue_at=now)
    CaseEvent.objects.bulk_create(
        [CaseEvent(case_id=pk, type=CaseEventType.WARNED, created_at=now) for pk in warn_ids]
        + [
            CaseEvent(
                case_id=pk,
                type=CaseEventType.OVERDUE,
                created_at=now,
                data={"today": today.isoformat()},
            )
            for pk in overdue_ids
        ]
    )
    terminated = 0
    for case in open_.filter(gaps_open=True, supplement_deadline__lt=today).order_by("pk"):
        _terminate(
            case,
            None,
            _("容缺受理的材料未在补正期限 %(d)s 前补齐，办件终止")
            % {"d": case.supplement_deadline},
        )
        terminated += 1
    if warn_ids or overdue_ids or terminated:
        logger.info(
            "case sweep: %s warned, %s overdue, %s terminated",
            len(warn_ids),
            len(overdue_ids),
            terminated,
        )
    return SweepResult(warned=len(warn_ids), overdue=len(overdue_ids), terminated=terminated)
