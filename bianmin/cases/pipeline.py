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

from django.utils.translation import gettext as _

from bianmin.cases.enums import CaseStatus
from bianmin.cases.errors import CaseError
from bianmin.catalogue.enums import Stage
from bianmin.core.errors import DomainError
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


def deadline_state(*, today: date, deadline: date | None, warn_on: date | None) -> str:
    """ "overdue" after the deadline day, "warning" from warn_on, otherwise "ok"."""
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
