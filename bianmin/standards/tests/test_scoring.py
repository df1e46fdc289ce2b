"""The star rules as pure functions: boundaries, explanations, the draw's state machine."""

from decimal import Decimal

from bianmin.standards import pipeline, scoring
from bianmin.standards.enums import DrawStatus, FindingStatus

RULE = scoring.Rule(
    weight_exam=30,
    weight_volume=30,
    weight_accuracy=25,
    weight_timeliness=15,
    cases_target=60,
    skill_threshold=85,
    mismatches_max=3,
    late_grace_minutes=5,
    late_days_max=1,
    pause_allowance_minutes=60,
    pause_days_max=0,
    absences_max=0,
    satisfaction_min_percent=Decimal("95"),
    bad_max=1,
    complaints_max=0,
    min_rated=1,
)


def skill(**kwargs):
    base = {
        "exam_scores": (),
        "holds_certificate": True,
        "handled": 60,
        "corrections": 0,
        "sent_back": 0,
        "overdue": 0,
        "mismatches": 0,
    }
    return scoring.skill_star(scoring.SkillFacts(**{**base, **kwargs}), RULE)


def test_a_full_month_scores_100_and_earns_the_skill_star():
    star = skill()
    assert (star.awarded, star.score) == (True, Decimal("100.0"))
    assert "本月未考试，持有效上岗证书" in star.explanation


def test_the_skill_score_at_the_threshold_earns_the_star():
    # 30×1 + 30×(30/60) + 25×1 + 15×1 = 85
    star = skill(handled=30)
    assert (star.awarded, star.score) == (True, Decimal("85.0"))
    assert "85.0 分 ≥ 85 分" in star.explanation


def test_errors_and_overdue_cases_lower_the_score():
    # 30×0.7 + 30×1 + 25×(1 − 6/60) + 15×(1 − 3/60) = 21 + 30 + 22.5 + 14.25 = 87.75 → 87.8
    star = skill(exam_scores=(60, 80), corrections=4, sent_back=2, overdue=3)
    assert star.score == Decimal("87.8")
    assert "本月考试 2 次，平均 70.0 分" in star.explanation


def test_mismatches_at_confirmation_count_among_the_errors():
    # 30×1 + 30×1 + 25×(1 − 3/60) + 15×1 = 98.75 → 98.8; 3 mismatches ≤ 3
    star = skill(mismatches=3)
    assert (star.awarded, star.score) == (True, Decimal("98.8"))
    assert "差错 3 次（更正 0 次、退回 0 次、确认不一致 3 次）" in star.explanation
    assert star.explanation.endswith("确认不一致 3 次 ≤ 3 次")


def test_mismatches_beyond_the_limit_withhold_the_star_whatever_the_score():
    # 30 + 30 + 25×(1 − 4/60) + 15 = 98.33 → 98.3, above 85, but 4 mismatches > 3
    star = skill(mismatches=4)
    assert (star.awarded, star.score) == (False, Decimal("98.3"))
    assert "98.3 分 ≥ 85 分；确认不一致 4 次 > 3 次" in star.explanation


def test_the_satisfaction_explanation_reads_like_the_issue():
    facts = scoring.SatisfactionFacts(
        rated=45, satisfied=44, bad=2, bad_revoked=1, complaints_upheld=0
    )
    star = scoring.satisfaction_star(facts, RULE)
    assert star.awarded
    assert star.explanation.startswith(
        "本月评价 45 条，满意 44 条；本月差评 2 条，其中 1 条经复核撤销"
    )
    assert "满意率 97.8% ≥ 95%" in star.explanation


def test_a_rate_below_the_minimum_or_an_upheld_complaint_withholds_the_star():
    low = scoring.SatisfactionFacts(
        rated=20, satisfied=18, bad=0, bad_revoked=0, complaints_upheld=0
    )
    assert "满意率 90.0% < 95%" in scoring.satisfaction_star(low, RULE).explanation
    assert not scoring.satisfaction_star(low, RULE).awarded
    complained = scoring.SatisfactionFacts(
        rated=20, satisfied=20, bad=0, bad_revoked=0, complaints_upheld=1
    )
    assert not scoring.satisfaction_star(complained, RULE).awarded


def test_no_source_means_no_star_and_no_made_up_figure():
    star = scoring.satisfaction_star(None, RULE)
    assert (star.awarded, star.explanation) == (False, scoring.NOT_CONNECTED)


def test_discipline_counts_late_days_pauses_and_absences():
    ok = scoring.DisciplineFacts(
        days_signed_in=20,
        late_days=("11-03 08:50",),
        pause_excess_days=(),
        absences_unexcused=0,
        absences_excused=2,
    )
    assert scoring.discipline_star(ok, RULE).awarded
    late = scoring.DisciplineFacts(
        days_signed_in=20,
        late_days=("11-03 08:50", "11-04 08:41"),
        pause_excess_days=(),
        absences_unexcused=0,
        absences_excused=0,
    )
    star = scoring.discipline_star(late, RULE)
    assert not star.awarded
    assert "2 天 > 1 天" in star.explanation


def test_the_draw_runs_once_and_findings_need_a_recheck():
    assert pipeline.draw_next(DrawStatus.COMMITTED, pipeline.DrawAction.RUN) == DrawStatus.DRAWN
    assert pipeline.draw_next(DrawStatus.DRAWN, pipeline.DrawAction.RUN) is None
    assert pipeline.draw_next(DrawStatus.PUBLISHED, pipeline.DrawAction.RUN) is None
    assert pipeline.draw_next(DrawStatus.DRAWN, pipeline.DrawAction.PUBLISH) is None
    assert pipeline.finding_next(FindingStatus.OPEN, pipeline.FindingAction.RECHECK_OK) is None
    assert (
        pipeline.finding_next(FindingStatus.RECTIFIED, pipeline.FindingAction.RECHECK_FAIL)
        == FindingStatus.OPEN
    )


def test_grading_needs_exactly_the_right_letters():
    assert pipeline.grade(kind="multiple", given=["B", "A"], answer=["A", "B"])
    assert not pipeline.grade(kind="multiple", given=["A"], answer=["A", "B"])
    assert not pipeline.grade(kind="single", given=[], answer=["A"])
    assert (
        pipeline.score_of(
            questions={1: ("single", ["A"]), 2: ("true_false", ["B"]), 3: ("multiple", ["A", "C"])},
            answers={"1": ["A"], "2": ["A"], "3": ["C", "A"]},
        )
        == 66
    )
