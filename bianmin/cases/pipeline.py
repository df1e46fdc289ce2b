"""The case pipeline as data: stages, who may complete which step, guards, deadline arithmetic.

Pure code: no database, no clock. Services apply what this module allows and write the history.

Vocabulary. Each item declares its stages (`ServiceItem.stages`, e.g. accept → review →
approve → production → arrival → pickup → closed, or accept → closed). A case keeps
`stage`, the last stage it *reached*, and `next_stage`, the step now pending (the queue it waits
in). Completing a step moves `stage` to `next_stage`; there is no skipping and no way back
except "send back" (one step, with a reason) or, after closing, a recorded correction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_stubs_ext import StrOrPromise

from bianmin.cases.enums import CaseStatus
from bianmin.cases.errors import CaseError
from bianmin.catalogue.enums import Stage
from bianmin.core.errors import Conflict, DomainError
from bianmin.core.permissions import ROLE_PERMISSIONS, Perm, Role

CANONICAL_ORDER: tuple[str, ...] = tuple(Stage.values)


class TransitionError(DomainError):
    code = "invalid_transition"


@dataclass(frozen=True)
class StepRule:
    """Completing the step into `stage`: who may do it and through which service."""

    stage: str
    queue_label: str  # the back-office queue of cases waiting for this step
    progress_label: str  # what a citizen reads on the progress page while it is pending
    perms: frozenset[Perm]  # any one of these
    roles: frozenset[Role] | None = None  # further restricted to these roles (None: any)
    route: str = "advance"  # "accept", "advance", "arrival" or "pickup"
    needs_gaps_closed: bool = False  # 容缺: the result is not issued before the gaps are supplied
    may_send_back: bool = False  # a case waiting for this step may be sent back one step


STEPS: dict[str, StepRule] = {
    r.stage: r
    for r in [
        StepRule(Stage.ACCEPT, "待受理", "待受理", frozenset({Perm.CASE_ACCEPT}), route="accept"),
        StepRule(Stage.REVIEW, "待审核", "审核中", frozenset({Perm.CASE_PROCESS})),
        StepRule(
            Stage.APPROVE,
            "待审批",
            "审批中",
            frozenset({Perm.CASE_PROCESS}),
            roles=frozenset({Role.BACK_OFFICE, Role.SHIFT_LEADER}),
            needs_gaps_closed=True,
            may_send_back=True,
        ),
        StepRule(
            Stage.PRODUCTION,
            "待制证",
            "制证中",
            frozenset({Perm.CASE_PROCESS}),
            needs_gaps_closed=True,
            may_send_back=True,
        ),
        StepRule(
            Stage.ARRIVAL,
            "待到证",
            "证件制作中，待送达本中心",
            frozenset({Perm.CASE_PROCESS, Perm.CASE_ACCEPT}),
            route="arrival",
            needs_gaps_closed=True,
        ),
        StepRule(
            Stage.PICKUP,
            "待领取",
            "已到证，请携带受理回执和身份证件领取",
            frozenset({Perm.CASE_ACCEPT}),
            route="pickup",
            needs_gaps_closed=True,
        ),
        StepRule(
            Stage.CLOSED,
            "待办结",
            "办理中",
            frozenset({Perm.CASE_PROCESS, Perm.CASE_ACCEPT}),
            needs_gaps_closed=True,
            may_send_back=True,
        ),
    ]
}

ROUTE_HINT = {
    "accept": "请在窗口完成材料预审后受理",
    "arrival": "请使用“到证登记”功能",
    "pickup": "领证须核验领取人身份，请使用“领证”功能",
}


def validate_stages(stages: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """An item's stage list: starts with accept, ends with closed, canonical order, no repeats."""
    stages = tuple(stages)
    ok = (
        len(stages) >= 2
        and stages[0] == Stage.ACCEPT
        and stages[-1] == Stage.CLOSED
        and all(s in CANONICAL_ORDER for s in stages)
        and len(set(stages)) == len(stages)
        and list(stages) == sorted(stages, key=CANONICAL_ORDER.index)
    )
    if not ok:
        raise TransitionError(
            _("事项的流转环节配置有误：%(stages)s") % {"stages": " → ".join(stages) or "（空）"},
            code=CaseError.INVALID_STAGES,
        )
    return stages


def next_stage(stages: tuple[str, ...], current: str) -> str | None:
    index = stages.index(current)
    return stages[index + 1] if index + 1 < len(stages) else None


def previous_stage(stages: tuple[str, ...], current: str) -> str | None:
    index = stages.index(current)
    return stages[index - 1] if index > 0 else None


def stage_label(stage: str) -> str:
    return str(Stage(stage).label) if stage in CANONICAL_ORDER else stage


def role_may(role: str | None, step: str) -> bool:
    """The authorization matrix of the table: may this role complete the step into `step`?"""
    rule = STEPS[step]
    if not role:
        return False
    held = ROLE_PERMISSIONS.get(Role(role), frozenset())
    if not (rule.perms & held):
        return False
    return rule.roles is None or Role(role) in rule.roles


def check_step(
    *,
    stages: tuple[str, ...],
    status: str,
    current: str,
    target: str,
    role: str | None,
    route: str,
    gaps_open: bool,
) -> StepRule:
    """Raise TransitionError unless completing `target` is allowed now; return its rule."""
    if status in (CaseStatus.CLOSED, CaseStatus.TERMINATED):
        raise TransitionError(
            _("办件已%(status)s，不能再流转；如需修改请使用更正功能。")
            % {"status": CaseStatus(status).label},
            code=CaseError.CASE_FINAL,
        )
    if target not in stages:
        raise TransitionError(
            _("该事项没有“%(stage)s”环节。") % {"stage": stage_label(target)},
            code=CaseError.NOT_NEXT_STAGE,
        )
    expected = next_stage(stages, current) if current else stages[0]
    if target != expected:
        raise TransitionError(
            _("不能从“%(current)s”直接到“%(target)s”，下一环节应为“%(expected)s”。")
            % {
                "current": stage_label(current) if current else _("未受理"),
                "target": stage_label(target),
                "expected": stage_label(expected) if expected else _("无"),
            },
            code=CaseError.NOT_NEXT_STAGE,
        )
    rule = STEPS[target]
    if route != rule.route:
        raise TransitionError(
            ROUTE_HINT.get(rule.route, _("该环节须通过专门功能办理。")),
            code=CaseError.WRONG_ROUTE,
        )
    if not role_may(role, target):
        raise TransitionError(
            _("您的角色不能办理“%(stage)s”环节。") % {"stage": stage_label(target)},
            code=CaseError.ROLE_NOT_ALLOWED,
            status=403,
        )
    if rule.needs_gaps_closed and gaps_open:
        raise TransitionError(
            _("容缺受理的材料尚未补齐，补齐前不能进入“%(stage)s”环节。")
            % {"stage": stage_label(target)},
            code=CaseError.GAPS_OUTSTANDING,
        )
    return rule


def check_send_back(
    *, stages: tuple[str, ...], status: str, current: str, role: str | None, reason: str
) -> str:
    """The stage a case goes back to, or TransitionError. Only one step, always with a reason."""
    if status != CaseStatus.ACCEPTED:
        raise TransitionError(_("只有办理中的办件可以退回。"), code=CaseError.CANNOT_SEND_BACK)
    if not reason.strip():
        raise TransitionError(_("退回必须填写原因。"), code=CaseError.REASON_REQUIRED)
    pending = next_stage(stages, current)
    back_to = previous_stage(stages, current)
    if pending is None or back_to is None or not STEPS[pending].may_send_back:
        raise TransitionError(
            _("“%(stage)s”环节的办件不能退回。")
            % {"stage": STEPS[pending].queue_label if pending else stage_label(current)},
            code=CaseError.CANNOT_SEND_BACK,
        )
    if not role_may(role, pending):
        raise TransitionError(
            _("您的角色不能办理“%(stage)s”环节，也不能退回。") % {"stage": stage_label(pending)},
            code=CaseError.ROLE_NOT_ALLOWED,
            status=403,
        )
    return back_to


# --- deadlines ----------------------------------------------------------------------------------


def warning_workdays(promised: int, share: float) -> int:
    """After how many working days a case gets its deadline warning (e.g. 7 × 0.8 → 5)."""
    if promised <= 0:
        return 0
    return max(0, min(promised, math.floor(promised * share)))


def promised_label(workdays: int) -> str:
    """承诺时限 as people read it: "当场办结" for an on-the-spot item, else "N 个工作日"."""
    return _("当场办结") if workdays <= 0 else _("%(n)d 个工作日") % {"n": workdays}


def deadline_state(
    *, today: date, deadline: date | None, warn_on: date | None, status: str = CaseStatus.ACCEPTED
) -> str:
    """ "overdue" after the deadline day, "warning" from warn_on, otherwise "ok"; "final" for a
    closed or terminated case (its deadline no longer runs: no 临期 or 超期 badge)."""
    if status in (CaseStatus.CLOSED, CaseStatus.TERMINATED):
        return "final"
    if deadline is None:
        return "ok"
    if today > deadline:
        return "overdue"
    if warn_on is not None and today >= warn_on:
        return "warning"
    return "ok"


AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-1", 0, 1),
    ("2-3", 2, 3),
    ("4-7", 4, 7),
    ("8-15", 8, 15),
    ("16+", 16, None),
)


def age_bucket(days: int) -> str:
    for label, low, high in AGE_BUCKETS:
        if days >= low and (high is None or days <= high):
            return label
    return AGE_BUCKETS[0][0]


def progress_label(*, status: str, next_stage_: str | None) -> str:
    if status == CaseStatus.ACCEPTED and next_stage_:
        return STEPS[next_stage_].progress_label
    return str(CaseStatus(status).label)


# --- status guards: which case status allows which action (one chain for every service) ---------


class CaseAction(StrEnum):
    CONFIRM = "confirm"
    FACTS_CHANGE = "facts_change"
    PRE_REVIEW = "pre_review"
    NOTICE = "notice"
    ACCEPT = "accept"
    SUPPLEMENT_GAPS = "supplement_gaps"
    CLAIM = "claim"
    RELEASE = "release"
    ADVANCE = "advance"
    SEND_BACK = "send_back"
    ARRIVAL = "arrival"
    PICKUP = "pickup"
    FLAGS = "flags"
    CORRECT = "correct"
    TERMINATE = "terminate"


class StatusError(Conflict):
    """The case's status does not allow the action (409, like every other state conflict)."""


BEFORE_ACCEPTANCE = frozenset({CaseStatus.PRE_REVIEW, CaseStatus.AWAITING_SUPPLEMENT})
FINAL = frozenset({CaseStatus.CLOSED, CaseStatus.TERMINATED})


@dataclass(frozen=True)
class StatusRule:
    """Which statuses an action needs, what a refusal says, and whether the lock must be free."""

    statuses: frozenset[str] | None  # None: any status that is not final
    refusal: StrOrPromise = ""
    code: CaseError = CaseError.NOT_ACCEPTED
    needs_lock: bool = False  # the actor must hold the case's lock, or nobody does
    on_final_cases: bool = False  # corrections and lock release also apply to closed cases


STATUS_RULES: dict[CaseAction, StatusRule] = {
    CaseAction.CONFIRM: StatusRule(None),
    CaseAction.FACTS_CHANGE: StatusRule(
        BEFORE_ACCEPTANCE, _lazy("办件已受理，申请人情况不能再修改"), CaseError.ALREADY_ACCEPTED
    ),
    CaseAction.PRE_REVIEW: StatusRule(
        BEFORE_ACCEPTANCE, _lazy("办件已受理，材料预审已结束"), CaseError.ALREADY_ACCEPTED
    ),
    CaseAction.NOTICE: StatusRule(
        BEFORE_ACCEPTANCE, _lazy("办件已受理，不能再出具一次性告知单"), CaseError.ALREADY_ACCEPTED
    ),
    CaseAction.ACCEPT: StatusRule(BEFORE_ACCEPTANCE, code=CaseError.ALREADY_ACCEPTED),
    CaseAction.SUPPLEMENT_GAPS: StatusRule(None),
    CaseAction.CLAIM: StatusRule(
        frozenset({CaseStatus.ACCEPTED}), _lazy("只有已受理的办件可以认领"), needs_lock=True
    ),
    CaseAction.RELEASE: StatusRule(None, on_final_cases=True),
    CaseAction.ADVANCE: StatusRule(
        frozenset({CaseStatus.ACCEPTED}), _lazy("办件尚未受理，不能流转"), needs_lock=True
    ),
    CaseAction.SEND_BACK: StatusRule(None, needs_lock=True),
    CaseAction.ARRIVAL: StatusRule(
        frozenset({CaseStatus.ACCEPTED}), _lazy("办件尚未受理，不能登记到证"), needs_lock=True
    ),
    CaseAction.PICKUP: StatusRule(
        frozenset({CaseStatus.ACCEPTED}), code=CaseError.NOT_NEXT_STAGE, needs_lock=True
    ),
    CaseAction.FLAGS: StatusRule(None),
    CaseAction.CORRECT: StatusRule(None, on_final_cases=True),
    CaseAction.TERMINATE: StatusRule(None),
}


@dataclass(frozen=True)
class CaseState:
    """What the guards need to know about a case, as plain values."""

    number: str
    status: str
    next_stage: str = ""
    locked_by_id: int | None = None
    locked_by_label: str = ""
    accepted_at_label: str = ""  # "2026-09-29 10:00" once accepted
    arrived_at_label: str = ""  # set once the arrival was registered


def check_status(*, action: CaseAction, state: CaseState, actor_id: int | None) -> None:
    """Raise a DomainError unless `action` is allowed on a case in `state` by this actor.

    The order is the one a person reads the refusals in: already done, finished, wrong status,
    someone else holds the case."""
    rule = STATUS_RULES[action]
    if action == CaseAction.ACCEPT and state.status in (CaseStatus.ACCEPTED, CaseStatus.CLOSED):
        raise StatusError(
            _("办件 %(number)s 已于 %(when)s 受理，不能重复受理。")
            % {"number": state.number, "when": state.accepted_at_label},
            code=CaseError.ALREADY_ACCEPTED,
        )
    if state.status in FINAL and not rule.on_final_cases:
        raise StatusError(
            _("办件 %(number)s 已%(status)s，不能修改；如需修改请使用更正功能。")
            % {"number": state.number, "status": CaseStatus(state.status).label},
            code=CaseError.CASE_FINAL,
        )
    if action == CaseAction.ARRIVAL and state.arrived_at_label:
        raise StatusError(
            _("办件 %(n)s 已于 %(t)s 登记到证") % {"n": state.number, "t": state.arrived_at_label},
            code=CaseError.ALREADY_ARRIVED,
        )
    if action == CaseAction.PICKUP and (
        state.status != CaseStatus.ACCEPTED or state.next_stage != Stage.PICKUP
    ):
        raise StatusError(
            _("办件 %(n)s 当前不在待领取环节（%(s)s）")
            % {
                "n": state.number,
                "s": progress_label(status=state.status, next_stage_=state.next_stage),
            },
            code=CaseError.NOT_NEXT_STAGE,
        )
    if rule.statuses is not None and state.status not in rule.statuses:
        raise StatusError(str(rule.refusal), code=rule.code)
    if rule.needs_lock and state.locked_by_id not in (None, actor_id):
        raise StatusError(
            _("办件已被%(name)s认领办理，请其释放后再操作。") % {"name": state.locked_by_label},
            code=CaseError.CASE_LOCKED,
        )


def may_release(*, role: str | None, actor_id: int | None, holder_id: int | None) -> bool:
    """A lock is released by its holder or by the shift leader (值班长) on duty; the director
    and the inspector supervise but do not take cases out of an officer's hands."""
    return holder_id is None or holder_id == actor_id or role == Role.SHIFT_LEADER
