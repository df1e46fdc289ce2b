"""零差错 mismatches: a refused confirmation leaves one recorded event, and nothing else.

The applicant confirms name, gender, ID type and number; when what they confirm differs from the
registration the confirmation is refused (``ConfirmationMismatch``, a DomainError). The refusal
itself is recorded as a ``CaseEventType.CONFIRMATION_MISMATCH`` event attributed to the officer
who registered the data (``Case.created_by``: who erred), naming the differing fields by label,
never by value, and the confirmation stage. The standards context counts these events against the
业务技能星 (``cases.selectors.officer_case_facts``).

Requests do not run in one transaction (no ATOMIC_REQUESTS; the API adds none), so the service
that refuses writes the event after its own atomic block has rolled back, and it commits. A
caller that wraps the confirmation in a transaction of its own (the fee collection does: the
confirmation and the charge are one transaction) rolls the event back with everything else; it
calls ``case_confirmation_mismatch_keep(error)`` once its block has exited, which writes the
event again only if it is no longer there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from bianmin.cases.enums import CaseEventType, ConfirmationStage
from bianmin.cases.errors import CaseError
from bianmin.cases.models import Case, CaseEvent
from bianmin.core.errors import DomainError


@dataclass(frozen=True)
class Mismatch:
    """What a refused confirmation records: no personal data, only labels and ids."""

    case_id: int
    registered_by_id: int  # the case's registering officer, to whom the error is attributed
    checked_by_id: int | None  # the staff member at whose terminal the applicant confirmed
    stage: str  # ConfirmationStage
    method: str  # ConfirmationMethod
    fields: tuple[str, ...]  # labels of the differing fields (姓名, 性别, 证件类型, 证件号码)
    at: datetime


class ConfirmationMismatch(DomainError):
    """The applicant's confirmed data differ from the registration (code confirmation_mismatch).

    Carries the ``Mismatch`` to record and, once written, the id of its event."""

    def __init__(self, message: str, *, mismatch: Mismatch) -> None:
        super().__init__(
            message, code=CaseError.CONFIRMATION_MISMATCH, fields=list(mismatch.fields)
        )
        self.mismatch = mismatch
        self.event_id: int | None = None


def mismatch_reason(stage: str, fields: tuple[str, ...] | list[str]) -> str:
    """The timeline's text: the stage and the field labels (never the values)."""
    label = ConfirmationStage(stage).label
    return f"{label}环节申请人确认的{'、'.join(fields)}与登记信息不一致，未予确认"[:300]


def case_confirmation_mismatch_keep(error: ConfirmationMismatch) -> CaseEvent | None:
    """Write the mismatch event of a refused confirmation unless it is already recorded.

    Called by the confirmation service after its atomic block, and again by any caller whose own
    transaction wrapped the confirmation, after that transaction rolled back. Idempotent. Returns
    the event, or None when the case itself was rolled back (a submission registering and
    confirming in one transaction leaves no case to attach it to)."""
    mismatch = error.mismatch
    if error.event_id is not None:
        kept = CaseEvent.objects.filter(
            pk=error.event_id, case_id=mismatch.case_id, type=CaseEventType.CONFIRMATION_MISMATCH
        ).first()
        if kept is not None:
            return kept
    if not Case.objects.filter(pk=mismatch.case_id).exists():
        return None
    with transaction.atomic():
        event = CaseEvent.objects.create(
            case_id=mismatch.case_id,
            type=CaseEventType.CONFIRMATION_MISMATCH,
            actor_id=mismatch.registered_by_id,
            reason=mismatch_reason(mismatch.stage, mismatch.fields),
            data={
                "stage": mismatch.stage,
                "method": mismatch.method,
                "fields": list(mismatch.fields),
                "checked_by": mismatch.checked_by_id,
            },
            created_at=mismatch.at,
        )
    error.event_id = event.pk
    return event
