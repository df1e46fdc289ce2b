"""The ticket's life as data: states, the transition table, guards and what each step records.

Pure code: no database, no clock. Services load and lock the ticket, ask this module whether the
step is allowed and where it leads, then apply it through the one writer
(`services._record.change_record`), which writes the event, the audit entry and the push.

    waiting ──call──▶ called ──finish──▶ finished
       ▲  ▲             │ ├──no_show (ladder done)──▶ no_show
       │  └─requeue─────┤ ├──recall (stays called)
       │  └─transfer────┤ └──park──▶ parked ──unpark──▶ called
       │                                   └──unpark_queue──▶ waiting
       └─ priority_confirm / priority_deny (stays waiting)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.core.errors import Conflict, PermissionDenied
from bianmin.hall.enums import EventKind, Priority, TicketStatus
from bianmin.hall.errors import HallError

S = TicketStatus


class Step(StrEnum):
    CALL = "call"
    RECALL = "recall"
    REQUEUE = "requeue"
    NO_SHOW = "no_show"
    FINISH = "finish"
    TRANSFER = "transfer"
    PARK = "park"
    UNPARK = "unpark"
    UNPARK_QUEUE = "unpark_queue"
    PRIORITY_CONFIRM = "priority_confirm"
    PRIORITY_DENY = "priority_deny"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    kind: EventKind  # the event row the step writes
    by_holder: bool = True  # only the officer who called the ticket may take the step
    today_only: bool = True  # yesterday's tickets are expired


TRANSITIONS: dict[Step, Transition] = {
    Step.CALL: Transition(frozenset({S.WAITING}), S.CALLED, EventKind.CALL, by_holder=False),
    Step.RECALL: Transition(frozenset({S.CALLED}), S.CALLED, EventKind.RECALL),
    Step.REQUEUE: Transition(frozenset({S.CALLED}), S.WAITING, EventKind.REQUEUE),
    Step.NO_SHOW: Transition(frozenset({S.CALLED}), S.NO_SHOW, EventKind.NO_SHOW),
    Step.FINISH: Transition(frozenset({S.CALLED}), S.FINISHED, EventKind.FINISH, today_only=False),
    Step.TRANSFER: Transition(frozenset({S.CALLED}), S.WAITING, EventKind.TRANSFER),
    Step.PARK: Transition(frozenset({S.CALLED}), S.PARKED, EventKind.PARK),
    Step.UNPARK: Transition(frozenset({S.PARKED}), S.CALLED, EventKind.UNPARK),
    Step.UNPARK_QUEUE: Transition(frozenset({S.PARKED}), S.WAITING, EventKind.UNPARK),
    Step.PRIORITY_CONFIRM: Transition(
        frozenset({S.WAITING}), S.WAITING, EventKind.PRIORITY_CONFIRM, by_holder=False
    ),
    Step.PRIORITY_DENY: Transition(
        frozenset({S.WAITING}), S.WAITING, EventKind.PRIORITY_DENY, by_holder=False
    ),
}

# The audit action each event kind is recorded under (one table, no hand-written pairs).
AUDIT_ACTION: dict[EventKind, AuditAction] = {
    EventKind.ISSUE: AuditAction.TICKET_ISSUED,
    EventKind.CALL: AuditAction.TICKET_CALLED,
    EventKind.SIGN_IN: AuditAction.WINDOW_SIGNED_IN,
    EventKind.SIGN_OUT: AuditAction.WINDOW_SIGNED_OUT,
    EventKind.PAUSE: AuditAction.WINDOW_PAUSED,
    EventKind.RESUME: AuditAction.WINDOW_RESUMED,
}
DEFAULT_AUDIT_ACTION = AuditAction.TICKET_CHANGED

# What the calling display hears after commit: an announcement, a window refresh, or nothing.
ANNOUNCED = frozenset({EventKind.CALL, EventKind.RECALL})
SILENT = frozenset({EventKind.ISSUE, EventKind.PRIORITY_CONFIRM, EventKind.PRIORITY_DENY})


def audit_action_for(kind: EventKind) -> AuditAction:
    return AUDIT_ACTION.get(kind, DEFAULT_AUDIT_ACTION)


def push_kind(kind: EventKind) -> str | None:
    """ "call" (announce), "window" (refresh one window) or None (the display is not told)."""
    if kind in ANNOUNCED:
        return "call"
    if kind in SILENT:
        return None
    return "window"


def advance(
    step: Step,
    *,
    number: str,
    status: str,
    holder_id: int | None,
    actor_id: int | None,
    service_day: date,
    today: date,
) -> Transition:
    """The transition `step` takes from `status`, or the DomainError that forbids it."""
    rule = TRANSITIONS[step]
    if rule.today_only and service_day != today:
        raise Conflict(
            _("号票 %(number)s 是 %(day)s 取的，已过期，请重新取号")
            % {"number": number, "day": service_day.strftime("%m月%d日")},
            code=HallError.EXPIRED,
        )
    if rule.by_holder and holder_id != actor_id:
        raise PermissionDenied(_("号票 %s 不是您叫的号") % number, code=HallError.NOT_YOUR_TICKET)
    if status not in rule.sources:
        raise Conflict(
            _("号票 %(number)s 当前状态为“%(status)s”，不能执行此操作")
            % {"number": number, "status": TicketStatus(status).label},
            code=HallError.WRONG_STATUS,
        )
    return rule


def check_recall(*, recall_count: int, recall_limit: int) -> None:
    if recall_count >= recall_limit:
        raise Conflict(_("已重呼 %d 次，请标记未到") % recall_count, code=HallError.RECALL_LIMIT)


def no_show_step(
    *, recall_count: int, recall_limit: int, requeue_count: int, requeue_limit: int
) -> Step:
    """未到: after R recalls, move back (up to Q times), then 过号."""
    if recall_count < recall_limit:
        raise Conflict(
            _("请先重呼（已重呼 %(done)d 次，需 %(need)d 次）")
            % {"done": recall_count, "need": recall_limit},
            code=HallError.RECALLS_PENDING,
        )
    return Step.REQUEUE if requeue_count < requeue_limit else Step.NO_SHOW


@dataclass(frozen=True)
class PriorityDecision:
    priority: Priority  # the class the queue uses now
    claimed: Priority | None  # a self-declared class waiting for a guide's confirmation


def issue_priority(
    *, asked: Priority, by_staff: bool, age: int | None, elderly_age: int
) -> PriorityDecision:
    """Which priority a new ticket gets.

    A guide or officer has seen the citizen: what they choose counts. The ID number's age makes
    an elderly citizen elderly by itself. A class chosen on the kiosk, phone page or public API
    is only a claim: the ticket queues as normal until the guide desk confirms it.
    """
    by_age = age is not None and age >= elderly_age
    if by_staff:
        if asked == Priority.NORMAL and by_age:
            return PriorityDecision(Priority.ELDERLY, None)
        return PriorityDecision(asked, None)
    if by_age:
        return PriorityDecision(Priority.ELDERLY, None)
    if asked == Priority.NORMAL:
        return PriorityDecision(Priority.NORMAL, None)
    return PriorityDecision(Priority.NORMAL, asked)
