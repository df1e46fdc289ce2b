"""The ticket's state machine as pure code: the transition table, the guards, the priority rule."""

from datetime import date

import pytest

from bianmin.audit.enums import AuditAction
from bianmin.core.errors import Conflict, PermissionDenied
from bianmin.hall import pipeline
from bianmin.hall.enums import EventKind, Priority, TicketStatus
from bianmin.hall.pipeline import Step

TODAY = date(2026, 12, 1)


def _advance(step: Step, status: str, *, holder: int | None = 7, day: date = TODAY):
    return pipeline.advance(
        step,
        number="A001",
        status=status,
        holder_id=holder,
        actor_id=7,
        service_day=day,
        today=TODAY,
    )


@pytest.mark.parametrize(
    ("step", "source", "target"),
    [
        (Step.CALL, TicketStatus.WAITING, TicketStatus.CALLED),
        (Step.RECALL, TicketStatus.CALLED, TicketStatus.CALLED),
        (Step.REQUEUE, TicketStatus.CALLED, TicketStatus.WAITING),
        (Step.NO_SHOW, TicketStatus.CALLED, TicketStatus.NO_SHOW),
        (Step.FINISH, TicketStatus.CALLED, TicketStatus.FINISHED),
        (Step.TRANSFER, TicketStatus.CALLED, TicketStatus.WAITING),
        (Step.PARK, TicketStatus.CALLED, TicketStatus.PARKED),
        (Step.UNPARK, TicketStatus.PARKED, TicketStatus.CALLED),
        (Step.UNPARK_QUEUE, TicketStatus.PARKED, TicketStatus.WAITING),
        (Step.PRIORITY_CONFIRM, TicketStatus.WAITING, TicketStatus.WAITING),
    ],
)
def test_each_step_leads_where_the_table_says(step, source, target) -> None:
    assert _advance(step, source).target == target


@pytest.mark.parametrize(
    "status", [TicketStatus.FINISHED, TicketStatus.NO_SHOW, TicketStatus.WAITING]
)
def test_nothing_but_a_called_ticket_can_be_finished(status) -> None:
    with pytest.raises(Conflict) as err:
        _advance(Step.FINISH, status)
    assert err.value.code == "wrong_status"


def test_only_the_caller_acts_on_a_called_ticket_but_anyone_calls_a_waiting_one() -> None:
    with pytest.raises(PermissionDenied) as err:
        _advance(Step.PARK, TicketStatus.CALLED, holder=8)
    assert err.value.code == "not_your_ticket"
    assert _advance(Step.CALL, TicketStatus.WAITING, holder=None).kind == EventKind.CALL


def test_yesterdays_ticket_is_expired_except_for_finishing() -> None:
    with pytest.raises(Conflict) as err:
        _advance(Step.RECALL, TicketStatus.CALLED, day=date(2026, 11, 30))
    assert err.value.code == "expired"
    assert _advance(Step.FINISH, TicketStatus.CALLED, day=date(2026, 11, 30))


def test_the_no_show_ladder() -> None:
    with pytest.raises(Conflict):
        pipeline.no_show_step(recall_count=1, recall_limit=2, requeue_count=0, requeue_limit=1)
    assert (
        pipeline.no_show_step(recall_count=2, recall_limit=2, requeue_count=0, requeue_limit=1)
        == Step.REQUEUE
    )
    assert (
        pipeline.no_show_step(recall_count=2, recall_limit=2, requeue_count=1, requeue_limit=1)
        == Step.NO_SHOW
    )


def test_every_kind_has_one_audit_action_and_one_display_rule() -> None:
    assert pipeline.audit_action_for(EventKind.CALL) == AuditAction.TICKET_CALLED
    assert pipeline.audit_action_for(EventKind.PARK) == AuditAction.TICKET_CHANGED
    assert pipeline.push_kind(EventKind.RECALL) == "call"
    assert pipeline.push_kind(EventKind.SIGN_IN) == "window"
    assert pipeline.push_kind(EventKind.ISSUE) is None


@pytest.mark.parametrize(
    ("asked", "by_staff", "age", "expected"),
    [
        (Priority.APPOINTMENT, False, None, (Priority.NORMAL, Priority.APPOINTMENT)),
        (Priority.MILITARY, False, 40, (Priority.NORMAL, Priority.MILITARY)),
        (Priority.DISABLED, False, 75, (Priority.ELDERLY, None)),  # the ID number's age counts
        (Priority.NORMAL, False, 75, (Priority.ELDERLY, None)),
        (Priority.NORMAL, False, None, (Priority.NORMAL, None)),
        (Priority.MILITARY, True, None, (Priority.MILITARY, None)),  # the guide has seen the card
        (Priority.NORMAL, True, 80, (Priority.ELDERLY, None)),
    ],
)
def test_self_declared_priority_is_only_a_claim(asked, by_staff, age, expected) -> None:
    decision = pipeline.issue_priority(asked=asked, by_staff=by_staff, age=age, elderly_age=70)
    assert (decision.priority, decision.claimed) == expected
