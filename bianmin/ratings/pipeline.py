"""The one state machine of ratings: rectification and complaint transitions, deadlines, and
the checks of a citizen's rating. Pure code, no database."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bianmin.core.workdays import add_workdays
from bianmin.ratings.enums import (
    BAD_LEVELS,
    ComplaintStatus,
    Reason,
    RectificationStatus,
)

COMMENT_MAX = 500
COMPLAINT_MAX = 2000
# Control characters other than the line breaks a textarea sends.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]"
)


class Refused(ValueError):
    """A transition or input the rules refuse; the message is Chinese for the user."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class Step(StrEnum):
    CALLBACK = "callback"  # 回访: the shift leader called the citizen
    RESOLVE = "resolve"  # 整改完成: evidence and result recorded
    CONFIRM = "confirm"  # the citizen accepts the outcome
    CONTEST = "contest"  # 复核: the citizen contests; goes to the director
    REVIEW = "review"  # the director's decision on a contest
    REVOKE = "revoke"  # the officer's appeal upheld: nothing left to fix


S = RectificationStatus
RECTIFICATION: dict[Step, tuple[frozenset[str], str]] = {
    Step.CALLBACK: (frozenset({S.OPEN}), S.CALLED_BACK),
    Step.RESOLVE: (frozenset({S.OPEN, S.CALLED_BACK}), S.RESOLVED),
    Step.CONFIRM: (frozenset({S.RESOLVED}), S.CLOSED),
    Step.CONTEST: (frozenset({S.RESOLVED}), S.CONTESTED),
    Step.REVIEW: (frozenset({S.CONTESTED}), S.CLOSED),
    Step.REVOKE: (frozenset({S.OPEN, S.CALLED_BACK, S.RESOLVED, S.CONTESTED}), S.REVOKED),
}


def rectification_next(status: str, step: Step) -> str:
    allowed, target = RECTIFICATION[step]
    if status not in allowed:
        raise Refused(f"当前状态（{S(status).label}）不能进行此操作。", "bad_transition")
    return str(target)


class ComplaintStep(StrEnum):
    ASSIGN = "assign"
    ANSWER = "answer"
    CLOSE = "close"


C = ComplaintStatus
COMPLAINT: dict[ComplaintStep, tuple[frozenset[str], str]] = {
    ComplaintStep.ASSIGN: (frozenset({C.RECEIVED, C.ASSIGNED}), C.ASSIGNED),
    ComplaintStep.ANSWER: (frozenset({C.RECEIVED, C.ASSIGNED, C.ANSWERED}), C.ANSWERED),
    ComplaintStep.CLOSE: (frozenset({C.ANSWERED}), C.CLOSED),
}


def complaint_next(status: str, step: ComplaintStep) -> str:
    allowed, target = COMPLAINT[step]
    if status not in allowed:
        raise Refused(f"当前状态（{C(status).label}）不能进行此操作。", "bad_transition")
    return str(target)


@dataclass(frozen=True)
class Deadlines:
    callback_due: date
    due_on: date


def rectification_deadlines(day: date, *, callback_workdays: int, workdays: int) -> Deadlines:
    """Counted in working days from the day of the rating (statutory calendar)."""
    return Deadlines(add_workdays(day, callback_workdays), add_workdays(day, workdays))


def complaint_due(day: date, *, workdays: int) -> date:
    return add_workdays(day, workdays)


def clean_text(text: str | None, *, limit: int, what: str, required: bool = False) -> str:
    """Trimmed text, refused when too long, carrying control characters, or empty if needed."""
    text = unicodedata.normalize("NFC", str(text or "")).strip()
    if required and not text:
        raise Refused(f"请填写{what}。", "empty_text")
    if len(text) > limit:
        raise Refused(f"{what}不能超过{limit}字（现为{len(text)}字）。", "comment_invalid")
    if _CONTROL.search(text):
        raise Refused(f"{what}含有不可见的控制字符，请删除后重试。", "comment_invalid")
    return text


@dataclass(frozen=True)
class RatingInput:
    level: int
    reasons: tuple[str, ...]
    comment: str


def rating_check(level: object, reasons: object, comment: object) -> RatingInput:
    """Level 1–5; reasons only from the list (and at least one for a bad level); comment
    length and characters checked."""
    if isinstance(level, bool) or not isinstance(level, int | str):
        raise Refused("评价等级只能是1到5。", "bad_level")
    try:
        value = int(level)
    except ValueError:
        raise Refused("评价等级只能是1到5。", "bad_level") from None
    if value < 1 or value > 5:
        raise Refused("评价等级只能是1到5。", "bad_level")
    if reasons is None:
        reasons = []
    if not isinstance(reasons, list | tuple):
        raise Refused("差评原因格式不正确。", "bad_reason")
    picked: list[str] = []
    for reason in reasons:
        if str(reason) not in Reason.values:
            labels = "、".join(str(label) for label in Reason.labels)
            raise Refused(f"差评原因只能从以下选择：{labels}。", "bad_reason")
        if str(reason) not in picked:
            picked.append(str(reason))
    if value in BAD_LEVELS and not picked:
        raise Refused("请选择不满意的原因。", "reason_required")
    if value not in BAD_LEVELS:
        picked = []
    text = clean_text(str(comment or ""), limit=COMMENT_MAX, what="意见")
    return RatingInput(value, tuple(picked), text)
