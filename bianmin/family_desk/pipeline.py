"""The one state machine of a desk request: transitions, who may apply them, deadlines.

Pure code (no DB): services apply a transition and write a ``RequestEvent`` row.

    待受理 pending ──take/assign──▶ 处理中 in_progress ──close──▶ 已办结 closed
                                       │  ▲
                          ask for info ▼  │ requester answers
                                     待补充 awaiting_info
    pending / in_progress / awaiting_info ──requester withdraws──▶ 已撤回 withdrawn
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.utils.translation import gettext as _

from bianmin.family_desk.enums import RequestStatus, RequestType

S = RequestStatus


class Party(StrEnum):
    REQUESTER = "requester"
    DESK = "desk"
    HANDLER = "handler"


class Action(StrEnum):
    TAKE = "take"
    ASSIGN = "assign"
    ASK_INFO = "ask_info"
    SUPPLY_INFO = "supply_info"
    CLOSE = "close"
    WITHDRAW = "withdraw"


@dataclass(frozen=True)
class Transition:
    source: frozenset[RequestStatus]
    target: RequestStatus
    parties: frozenset[Party]


TRANSITIONS: dict[Action, Transition] = {
    Action.TAKE: Transition(frozenset({S.PENDING}), S.IN_PROGRESS, frozenset({Party.DESK})),
    Action.ASSIGN: Transition(
        frozenset({S.PENDING, S.IN_PROGRESS, S.AWAITING_INFO}),
        S.IN_PROGRESS,
        frozenset({Party.DESK}),
    ),
    Action.ASK_INFO: Transition(
        frozenset({S.IN_PROGRESS}), S.AWAITING_INFO, frozenset({Party.DESK, Party.HANDLER})
    ),
    Action.SUPPLY_INFO: Transition(
        frozenset({S.AWAITING_INFO}), S.IN_PROGRESS, frozenset({Party.REQUESTER})
    ),
    Action.CLOSE: Transition(
        frozenset({S.IN_PROGRESS, S.AWAITING_INFO}),
        S.CLOSED,
        frozenset({Party.DESK, Party.HANDLER}),
    ),
    Action.WITHDRAW: Transition(
        frozenset({S.PENDING, S.IN_PROGRESS, S.AWAITING_INFO}),
        S.WITHDRAWN,
        frozenset({Party.REQUESTER}),
    ),
}


class TransitionRefused(ValueError):
    """The action is not allowed from this status or for this party (message is Chinese)."""


def next_status(*, status: str, action: Action, parties: frozenset[Party]) -> RequestStatus:
    transition = TRANSITIONS[action]
    if not parties & transition.parties:
        raise TransitionRefused(_("您不能对此诉求执行该操作。"))
    if RequestStatus(status) not in transition.source:
        raise TransitionRefused(
            _("诉求当前为“%(s)s”，不能执行该操作。") % {"s": RequestStatus(status).label}
        )
    return transition.target


def allowed_actions(*, status: str, parties: frozenset[Party]) -> list[Action]:
    return [
        action
        for action, t in TRANSITIONS.items()
        if RequestStatus(status) in t.source and parties & t.parties
    ]


# Response deadlines in working days (咨询 1, 帮办 3, 代办 the procedure's own limit).
RESPONSE_WORKDAYS = {RequestType.CONSULT: 1, RequestType.ASSISTED: 3}
# 代办 of a procedure whose limit the guide does not state, or of a free-text matter.
ON_BEHALF_DEFAULT_WORKDAYS = 5


def response_workdays(*, type: str, procedure_workdays: int | None) -> int:
    if type == RequestType.ON_BEHALF:
        return procedure_workdays or ON_BEHALF_DEFAULT_WORKDAYS
    return RESPONSE_WORKDAYS[RequestType(type)]


def due_on(
    *,
    type: str,
    asked_on: date,
    procedure_workdays: int | None,
    add_workdays: Callable[[date, int], date],
) -> date:
    """The answer is due on the N-th working day after the day the request was made."""
    return add_workdays(
        asked_on, response_workdays(type=type, procedure_workdays=procedure_workdays)
    )


def is_overdue(*, status: str, due: date, today: date) -> bool:
    return status in {S.PENDING, S.IN_PROGRESS, S.AWAITING_INFO} and due < today
