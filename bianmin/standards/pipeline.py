"""The context's state machines, pure (no DB): the draw and its findings, and exam grading.

Draw: committed → drawn → finished → published. The run is the only way out of ``committed``
and happens once per commitment. Finding: open → rectified → closed (or back to open when the
re-check fails).
"""

from collections.abc import Mapping, Sequence
from enum import StrEnum

from bianmin.standards.enums import DrawStatus, FindingStatus, QuestionKind


class DrawAction(StrEnum):
    RUN = "run"
    FINISH = "finish"
    PUBLISH = "publish"
    RECORD = "record"  # record findings: only while the inspection runs


DRAW_TRANSITIONS: dict[DrawAction, tuple[frozenset[DrawStatus], DrawStatus | None]] = {
    DrawAction.RUN: (frozenset({DrawStatus.COMMITTED}), DrawStatus.DRAWN),
    DrawAction.RECORD: (frozenset({DrawStatus.DRAWN}), None),
    DrawAction.FINISH: (frozenset({DrawStatus.DRAWN}), DrawStatus.FINISHED),
    DrawAction.PUBLISH: (frozenset({DrawStatus.FINISHED}), DrawStatus.PUBLISHED),
}


def draw_next(status: str, action: DrawAction) -> DrawStatus | None:
    """The status after `action`, the same status for an action that keeps it, or None when
    the action is not allowed from `status`."""
    allowed, target = DRAW_TRANSITIONS[action]
    if status not in allowed:
        return None
    return target or DrawStatus(status)


class FindingAction(StrEnum):
    RECTIFY = "rectify"
    RECHECK_OK = "recheck_ok"
    RECHECK_FAIL = "recheck_fail"


FINDING_TRANSITIONS: dict[FindingAction, tuple[FindingStatus, FindingStatus]] = {
    FindingAction.RECTIFY: (FindingStatus.OPEN, FindingStatus.RECTIFIED),
    FindingAction.RECHECK_OK: (FindingStatus.RECTIFIED, FindingStatus.CLOSED),
    FindingAction.RECHECK_FAIL: (FindingStatus.RECTIFIED, FindingStatus.OPEN),
}


def finding_next(status: str, action: FindingAction) -> FindingStatus | None:
    source, target = FINDING_TRANSITIONS[action]
    return target if status == source else None


# Checklist per object type (检查记录表): the points an inspector ticks for each drawn object.
CHECKLISTS: dict[str, tuple[tuple[str, str], ...]] = {
    "window": (
        ("sign", "窗口公示牌、事项指南齐全"),
        ("uniform", "着装规范、警容严整"),
        ("conduct", "文明用语、无推诿"),
        ("signin", "按时签到、无空岗"),
    ),
    "officer": (
        ("authorization", "办理事项均在交叉授权范围内"),
        ("conduct", "服务规范、一次性告知到位"),
        ("records", "办件登记完整"),
    ),
    "case": (
        ("materials", "申请材料齐全、与清单一致"),
        ("deadline", "在承诺时限内办结"),
        ("confirmation", "申请人信息确认无误"),
        ("fee", "收费或减免依据正确"),
    ),
    "item": (
        ("guide", "办事指南与现行规定一致"),
        ("materials", "材料清单无多余要求"),
        ("limit", "承诺时限不超过法定时限"),
    ),
    "fee": (
        ("standard", "收费标准正确"),
        ("waiver", "减免有依据"),
        ("receipt", "票据完整"),
    ),
}


def grade(*, kind: str, given: Sequence[str], answer: Sequence[str]) -> bool:
    """A question is right only with exactly the right set of letters (multiple choice too)."""
    normalized = sorted({g.strip().upper() for g in given if g.strip()})
    right = sorted({a.strip().upper() for a in answer})
    if kind == QuestionKind.TRUE_FALSE:
        return normalized == right
    return bool(normalized) and normalized == right


def score_of(
    *, questions: Mapping[int, tuple[str, Sequence[str]]], answers: Mapping[str, Sequence[str]]
) -> int:
    """Score out of 100 (rounded down): the share of questions answered right."""
    if not questions:
        return 0
    right = sum(
        1
        for qid, (kind, answer) in questions.items()
        if grade(kind=kind, given=answers.get(str(qid), ()), answer=answer)
    )
    return right * 100 // len(questions)
