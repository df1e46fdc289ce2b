"""Arrival (到证): registering produced certificates, one by one or as a list."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.cases import pipeline
from bianmin.cases.enums import (
    CaseEventType,
)
from bianmin.cases.models import (
    Case,
)
from bianmin.cases.services.base import (
    _guard,
    _locked,
    _need,
    _same_center,
)
from bianmin.cases.services.pipeline import _complete_step
from bianmin.catalogue.enums import Stage
from bianmin.core import clock
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Perm

# --- arrival and pickup ------------------------------------------------------------------------------


@transaction.atomic
def case_register_arrival(*, actor: Any, case: Case) -> Case:
    """到证: the produced certificate (or plate) arrived at the center."""
    _need(actor, Perm.CASE_PROCESS, Perm.CASE_ACCEPT)
    _same_center(actor, case)
    case = _locked(case)
    _guard(case, actor, pipeline.CaseAction.ARRIVAL)
    case.arrived_at = clock.now()
    _complete_step(case, actor, Stage.ARRIVAL, "arrival", event=CaseEventType.ARRIVED)
    audit_record(
        actor=actor,
        action=AuditAction.CASE_ARRIVED,
        target=case,
        center_id=case.center_id,
        after={"number": case.number},
    )
    return case


@dataclass
class ArrivalRow:
    value: str
    number: str = ""
    ok: bool = False
    message: str = ""


@dataclass
class ArrivalBatch:
    rows: list[ArrivalRow] = field(default_factory=list)

    @property
    def registered(self) -> int:
        return sum(1 for r in self.rows if r.ok)


def case_arrival_batch(*, actor: Any, values: Iterable[str]) -> ArrivalBatch:
    """Register arrival for a list of case numbers or ID numbers; each row succeeds on its own."""
    from bianmin.cases.selectors import case_find_for_arrival

    _need(actor, Perm.CASE_PROCESS, Perm.CASE_ACCEPT)
    batch = ArrivalBatch()
    seen: set[str] = set()
    for raw in values:
        value = raw.strip().upper()
        if not value or value in seen:
            continue
        seen.add(value)
        row = ArrivalRow(value=value)
        batch.rows.append(row)
        is_id = len(value) == 18 and value[:17].isdigit()
        case = case_find_for_arrival(
            center_id=actor.center_id,
            case_number="" if is_id else value,
            id_number=value if is_id else "",
        )
        if case is None:
            row.message = _("没有找到待到证的办件")
            continue
        row.number = case.number
        try:
            case_register_arrival(actor=actor, case=case)
        except DomainError as exc:
            row.message = exc.message
        else:
            row.ok = True
            row.message = _("已登记到证")
    return batch
