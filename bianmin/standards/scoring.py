"""The three stars as pure functions of a month's figures and a rule version (no DB).

Each star returns whether it is awarded and the explanation an officer can check: the figures,
and for every condition the comparison that gave or withheld the star.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class SatisfactionFacts:
    """群众满意星 figures of one officer for one month, given by the ratings context."""

    rated: int
    satisfied: int
    bad: int
    bad_revoked: int
    complaints_upheld: int


@dataclass(frozen=True)
class SkillFacts:
    exam_scores: tuple[int, ...]  # scores of exams submitted this month
    holds_certificate: bool  # at least one valid certificate at the end of the month
    handled: int  # cases accepted by the officer
    corrections: int
    sent_back: int
    overdue: int
    mismatches: int  # confirmations refused: the applicant's data differed from the registration


@dataclass(frozen=True)
class DisciplineFacts:
    days_signed_in: int
    late_days: tuple[str, ...]  # "11-03 08:41" (first sign-in after shift start/opening + grace)
    pause_excess_days: tuple[str, ...]  # "11-05 75 分钟"
    absences_unexcused: int
    absences_excused: int
    late_by_roster: int = 0  # of late_days: days with a duty shift (the rest: opening hours)


@dataclass(frozen=True)
class Rule:
    weight_exam: int
    weight_volume: int
    weight_accuracy: int
    weight_timeliness: int
    cases_target: int
    skill_threshold: int
    mismatches_max: int
    late_grace_minutes: int
    late_days_max: int
    pause_allowance_minutes: int
    pause_days_max: int
    absences_max: int
    satisfaction_min_percent: Decimal
    bad_max: int
    complaints_max: int
    min_rated: int

    @property
    def weights_total(self) -> int:
        return self.weight_exam + self.weight_volume + self.weight_accuracy + self.weight_timeliness


@dataclass(frozen=True)
class Star:
    awarded: bool
    explanation: str
    score: Decimal | None = None


def _pct(part: int, whole: int) -> Decimal:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _cmp(ok: bool, left: str, right: str, *, fewer: bool = True) -> str:
    if fewer:
        return f"{left} {'≤' if ok else '>'} {right}"
    return f"{left} {'≥' if ok else '<'} {right}"


def skill_star(facts: SkillFacts, rule: Rule) -> Star:
    """业务技能星: score = Σ weight × part, parts in [0, 1]; awarded at or above the threshold
    and with no more mismatches at confirmation than the rule allows."""
    if facts.exam_scores:
        exam_part = Decimal(sum(facts.exam_scores)) / len(facts.exam_scores) / 100
        average = (exam_part * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
        exam_text = f"本月考试 {len(facts.exam_scores)} 次，平均 {average} 分"
    elif facts.holds_certificate:
        exam_part = Decimal(1)
        exam_text = "本月未考试，持有效上岗证书，考试项计满分"
    else:
        exam_part = Decimal(0)
        exam_text = "本月未考试且无有效上岗证书，考试项计 0 分"
    volume_part = min(Decimal(facts.handled) / max(rule.cases_target, 1), Decimal(1))
    # Errors: corrections, send-backs and data mismatches at confirmation (refused, recorded
    # by the cases context against the registering officer).
    errors = facts.corrections + facts.sent_back + facts.mismatches
    if facts.handled:
        accuracy_part = max(Decimal(1) - Decimal(errors) / facts.handled, Decimal(0))
        timeliness_part = max(Decimal(1) - Decimal(facts.overdue) / facts.handled, Decimal(0))
    else:
        accuracy_part = Decimal(0) if errors else Decimal(1)
        timeliness_part = Decimal(0) if facts.overdue else Decimal(1)
    score = (
        rule.weight_exam * exam_part
        + rule.weight_volume * volume_part
        + rule.weight_accuracy * accuracy_part
        + rule.weight_timeliness * timeliness_part
    ).quantize(Decimal("0.1"), ROUND_HALF_UP)
    score_ok = score >= rule.skill_threshold
    mismatches_ok = facts.mismatches <= rule.mismatches_max
    awarded = score_ok and mismatches_ok
    text = (
        f"{exam_text}；办件 {facts.handled} 件（目标 {rule.cases_target} 件）；"
        f"差错 {errors} 次（更正 {facts.corrections} 次、退回 {facts.sent_back} 次、"
        f"确认不一致 {facts.mismatches} 次）；"
        f"超期 {facts.overdue} 件。"
        f"得分 = {rule.weight_exam}×{exam_part:.3f} + {rule.weight_volume}×{volume_part:.3f}"
        f" + {rule.weight_accuracy}×{accuracy_part:.3f} + {rule.weight_timeliness}×"
        f"{timeliness_part:.3f} = {score}；"
        + _cmp(score_ok, f"{score} 分", f"{rule.skill_threshold} 分", fewer=False)
        + "；"
        + _cmp(
            mismatches_ok,
            f"确认不一致 {facts.mismatches} 次",
            f"{rule.mismatches_max} 次",
        )
    )
    return Star(awarded=awarded, explanation=text, score=score)


def discipline_star(facts: DisciplineFacts, rule: Rule) -> Star:
    """劳动纪律星: late days, days with pauses beyond the allowance, unexcused absences. A month
    without any window sign-in is not rated (no attendance is no evidence of discipline)."""
    if facts.days_signed_in == 0:
        return Star(
            awarded=False,
            explanation=f"本月没有窗口签到记录（请假 {facts.absences_excused} 天、"
            f"无故缺勤 {facts.absences_unexcused} 天），劳动纪律星不评定",
        )
    late_ok = len(facts.late_days) <= rule.late_days_max
    pause_ok = len(facts.pause_excess_days) <= rule.pause_days_max
    absence_ok = facts.absences_unexcused <= rule.absences_max
    awarded = late_ok and pause_ok and absence_ok
    late = len(facts.late_days)
    late_list = f"（{'、'.join(facts.late_days)}）" if facts.late_days else ""
    pause_list = f"（{'、'.join(facts.pause_excess_days)}）" if facts.pause_excess_days else ""
    text = (
        f"本月窗口签到 {facts.days_signed_in} 天；"
        f"迟到（晚于排班上班时间或开门时间 {rule.late_grace_minutes} 分钟后签到）"
        f"{late} 天（按排班 {facts.late_by_roster} 天、按开放时间 {late - facts.late_by_roster} 天）"
        f"{late_list}，"
        + _cmp(late_ok, f"{len(facts.late_days)} 天", f"{rule.late_days_max} 天")
        + f"；暂停超过每日 {rule.pause_allowance_minutes} 分钟 {len(facts.pause_excess_days)} 天"
        f"{pause_list}，"
        + _cmp(pause_ok, f"{len(facts.pause_excess_days)} 天", f"{rule.pause_days_max} 天")
        + f"；无故缺勤 {facts.absences_unexcused} 天（请假 {facts.absences_excused} 天不计），"
        + _cmp(absence_ok, f"{facts.absences_unexcused} 天", f"{rule.absences_max} 天")
    )
    return Star(awarded=awarded, explanation=text)


NOT_CONNECTED = "好差评数据尚未接入，群众满意星暂不评定（不使用估算数字）"


def satisfaction_star(facts: SatisfactionFacts | None, rule: Rule) -> Star:
    """群众满意星: satisfaction rate, bad ratings net of those revoked on review, upheld complaints."""
    if facts is None:
        return Star(awarded=False, explanation=NOT_CONNECTED)
    if facts.rated < rule.min_rated:
        return Star(
            awarded=False,
            explanation=f"本月评价 {facts.rated} 条，少于 {rule.min_rated} 条，不评定",
        )
    rate = _pct(facts.satisfied, facts.rated)
    bad_net = max(facts.bad - facts.bad_revoked, 0)
    rate_ok = rate >= rule.satisfaction_min_percent
    bad_ok = bad_net <= rule.bad_max
    complaints_ok = facts.complaints_upheld <= rule.complaints_max
    awarded = rate_ok and bad_ok and complaints_ok
    minimum = rule.satisfaction_min_percent.normalize()
    text = (
        f"本月评价 {facts.rated} 条，满意 {facts.satisfied} 条；"
        f"本月差评 {facts.bad} 条，其中 {facts.bad_revoked} 条经复核撤销，"
        + _cmp(bad_ok, f"有效差评 {bad_net} 条", f"{rule.bad_max} 条")
        + "；"
        + _cmp(rate_ok, f"满意率 {rate}%", f"{minimum:f}%", fewer=False)
        + f"；有效投诉 {facts.complaints_upheld} 件，"
        + _cmp(complaints_ok, f"{facts.complaints_upheld} 件", f"{rule.complaints_max} 件")
    )
    return Star(awarded=awarded, explanation=text)
