"""The three stars against a hand computation on a small November, with explanations, objections,
recomputation history, the annual roll-up and the Excel export."""

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from bianmin.cases import services as cases
from bianmin.cases.tests.factories import ApplicantFactory
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Role
from bianmin.hall.services import window_pause, window_resume, window_sign_in, window_sign_out
from bianmin.standards.models import ExamAttempt, StarResult, StarRule
from bianmin.standards.scoring import NOT_CONNECTED
from bianmin.standards.selectors import stars_annual
from bianmin.standards.services import (
    SatisfactionFacts,
    absence_record,
    satisfaction_source_clear,
    satisfaction_source_register,
    star_objection_answer,
    star_objection_file,
    star_rule_save,
    stars_compute,
    stars_export_xlsx,
)
from bianmin.standards.tests.factories import ExamFactory
from tests.support.case_builders import all_provided

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOVEMBER = date(2026, 11, 1)


def at(day: int, hour: int, minute: int = 0):
    return time_machine.travel(datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI), tick=False)


@pytest.fixture
def satisfaction():
    seen = []

    def source(center_id, officer_id, first):
        seen.append((center_id, officer_id, first))
        return SatisfactionFacts(rated=45, satisfied=44, bad=2, bad_revoked=1, complaints_upheld=0)

    satisfaction_source_register(source)
    yield seen
    satisfaction_source_clear()


@pytest.fixture
def november(hall, officer, director, make_staff, back_office):
    """officer01's November: 2 cases accepted (1 later sent back), an exam at 80, one late
    sign-in, one day with 75 minutes of pauses, one unexcused absence."""
    leader = make_staff(Role.SHIFT_LEADER, username="leader01")
    with at(2, 8, 29):
        window_sign_in(actor=officer, window_code="W01")
    with at(2, 17, 30):
        window_sign_out(actor=officer)
    with at(3, 8, 50):  # opens 08:30, grace 5 minutes → late
        window_sign_in(actor=officer, window_code="W01")
    with at(3, 17, 30):
        window_sign_out(actor=officer)
    with at(4, 8, 30):
        window_sign_in(actor=officer, window_code="W01")
    with at(4, 10, 0):
        window_pause(actor=officer, reason="会议")
    with at(4, 11, 15):
        window_resume(actor=officer)
        window_sign_out(actor=officer)
    made = []
    with at(10, 9, 0):
        for _i in range(2):
            who = ApplicantFactory()
            case = cases.case_create(actor=officer, item_code="HZ02", applicant=who)
            cases.case_confirmation_record(
                actor=officer,
                case_number=case.number,
                stage="window",
                name=who.name,
                gender=who.gender,
                id_type=who.id_type,
                id_number=who.id_number,
            )
            cases.case_pre_review(actor=officer, case=case, results=all_provided(case))
            made.append(cases.case_accept(actor=officer, case=case))
    with at(12, 9, 0):
        sent = cases.case_advance(actor=back_office, case=made[0], to_stage="review")
        sent = cases.case_advance(actor=back_office, case=sent, to_stage="approve")
        cases.case_send_back(actor=back_office, case=sent, reason="照片不合格")
    exam: Any = ExamFactory(center=hall, scope="all_round", question_count=5)
    ExamAttempt.objects.create(
        center=hall,
        exam=exam,
        officer=officer,
        status="passed",
        question_ids=[],
        started_at=datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI),
        deadline_at=datetime(2026, 11, 20, 9, 20, tzinfo=SHANGHAI),
        submitted_at=datetime(2026, 11, 20, 9, 15, tzinfo=SHANGHAI),
        score=80,
    )
    with at(20, 9, 0):
        absence_record(actor=leader, officer_id=officer.pk, day=date(2026, 11, 5), is_excused=False)
        absence_record(actor=leader, officer_id=officer.pk, day=date(2026, 11, 6), is_excused=True)
    with at(21, 9, 0):
        star_rule_save(actor=director, values={"cases_target": 2}, note="试点：目标 2 件")
    return {"officer": officer, "director": director, "leader": leader}


def test_the_stars_equal_the_hand_computation(clock, november, satisfaction):
    officer = november["officer"]

    results = stars_compute(actor=november["director"], month=NOVEMBER)

    mine = next(r for r in results if r.officer_id == officer.pk)
    # skill: 30×0.80 + 30×min(2/2, 1) + 25×(1 − 1/2) + 15×(1 − 0/2) = 24 + 30 + 12.5 + 15
    assert mine.skill_score == Decimal("81.5")
    assert mine.skill is False  # 81.5 < 85
    assert mine.facts["skill"] == {
        "exam_scores": [80],
        "holds_certificate": False,
        "handled": 2,
        "corrections": 0,
        "sent_back": 1,
        "overdue": 0,
        "mismatches": 0,
    }
    assert "81.5 分 < 85 分" in mine.explanations["skill"]
    # discipline: late 1 day ≤ 1, pauses beyond 60 minutes on 1 day > 0, unexcused 1 > 0
    assert mine.discipline is False
    assert mine.facts["discipline"] == {
        "days_signed_in": 3,
        "late_days": ["11-03 08:50"],
        "pause_excess_days": ["11-04 75 分钟"],
        "absences_unexcused": 1,
        "absences_excused": 1,
        "late_by_roster": 0,
    }
    assert (
        "1 天（按排班 0 天、按开放时间 1 天）（11-03 08:50），1 天 ≤ 1 天"
        in (mine.explanations["discipline"])
    )
    assert (
        "暂停超过每日 60 分钟 1 天（11-04 75 分钟），1 天 > 0 天" in mine.explanations["discipline"]
    )
    # satisfaction: 44/45 = 97.8 % ≥ 95 %, bad 2 − 1 revoked = 1 ≤ 1, complaints 0 ≤ 0
    assert mine.satisfaction is True
    assert "本月差评 2 条，其中 1 条经复核撤销" in mine.explanations["satisfaction"]
    assert "满意率 97.8% ≥ 95%" in mine.explanations["satisfaction"]
    assert (officer.center_id, officer.pk, NOVEMBER) in satisfaction
    assert mine.rule.version == 2


def test_without_a_rating_source_the_satisfaction_star_says_it_is_not_connected(clock, november):
    satisfaction_source_clear()
    results = stars_compute(actor=november["director"], month=NOVEMBER)

    assert {r.satisfaction for r in results} == {False}
    assert {r.explanations["satisfaction"] for r in results} == {NOT_CONNECTED}
    assert {r.facts["satisfaction"] for r in results} == {None}


def test_weights_that_do_not_add_up_are_refused_and_no_version_is_added(clock, hall, director):
    with pytest.raises(DomainError) as err:
        star_rule_save(actor=director, values={"weight_exam": 40})
    assert err.value.code == "weights_not_100"
    assert "现在是 110" in err.value.message
    assert StarRule.objects.filter(center=hall).count() <= 1
    assert not StarRule.objects.filter(center=hall, version=2).exists()


def test_a_recomputation_keeps_the_history(clock, november, satisfaction):
    director = november["director"]
    stars_compute(actor=director, month=NOVEMBER)
    star_rule_save(actor=director, values={"skill_threshold": 80}, note="放宽")
    stars_compute(actor=director, month=NOVEMBER, reason="规则调整")

    rows = list(
        StarResult.objects.filter(officer=november["officer"], month=NOVEMBER).order_by("revision")
    )
    assert [(r.revision, r.is_current, r.skill, r.rule.version) for r in rows] == [
        (1, False, False, 2),
        (2, True, True, 3),
    ]
    assert rows[1].reason == "规则调整"


def test_an_objection_within_five_working_days_is_answered_later_ones_are_refused(
    clock, november, satisfaction
):
    officer, director = november["officer"], november["director"]
    result = next(
        r for r in stars_compute(actor=director, month=NOVEMBER) if r.officer_id == officer.pk
    )

    objection = star_objection_file(
        actor=officer, result_id=result.pk, star="discipline", text="11 月 5 日已请假"
    )
    answered = star_objection_answer(
        actor=director, objection_id=objection.pk, upheld=True, answer="核实已请假，重新评定"
    )
    assert answered.status == "upheld"

    clock.move_to(datetime(2026, 12, 9, 10, 0, tzinfo=SHANGHAI))  # 6 working days later
    with pytest.raises(DomainError) as err:
        star_objection_file(actor=officer, result_id=result.pk, star="skill", text="迟了")
    assert err.value.code == "objection_too_late"
    assert "2026-12-08" in err.value.message
    assert result.objections.count() == 1


def test_an_officer_cannot_object_to_someone_elses_stars(clock, november, satisfaction, make_staff):
    result = stars_compute(actor=november["director"], month=NOVEMBER)[0]
    other = make_staff(Role.OFFICER, username="someone_else")
    with pytest.raises(DomainError) as err:
        star_objection_file(actor=other, result_id=result.pk, star="skill", text="x")
    assert err.value.code == "not_found"


def test_the_annual_roll_up_and_the_excel_export(clock, november, satisfaction):
    stars_compute(actor=november["director"], month=NOVEMBER)
    stars_compute(actor=november["director"], month=date(2026, 10, 1))

    rows = {r.officer: r for r in stars_annual(center_id=november["officer"].center_id, year=2026)}
    mine = rows[str(november["officer"])]
    # October: no sign-in (discipline not rated), no cases (skill 40 < 85), ratings connected
    assert (mine.skill, mine.discipline, mine.satisfaction) == (0, 0, 2)

    book = load_workbook(
        io.BytesIO(stars_export_xlsx(center_id=november["officer"].center_id, year=2026))
    )
    summary = list(book["2026年汇总"].values)
    assert summary[0] == ("民警", "业务技能星", "劳动纪律星", "群众满意星", "合计")
    assert (str(november["officer"]), 0, 0, 2, 2) in summary
    assert len(list(book["各月明细"].values)) == 1 + 2 * len(rows)


def test_the_monthly_task_computes_last_month(clock, november, satisfaction):
    from bianmin.standards.tasks import stars_compute_last_month

    assert (
        stars_compute_last_month.call_local() == StarResult.objects.filter(month=NOVEMBER).count()
    )
    assert StarResult.objects.filter(month=NOVEMBER).count() >= 1


def test_an_absence_in_the_future_is_refused(clock, november):
    with pytest.raises(DomainError):
        absence_record(
            actor=november["leader"],
            officer_id=november["officer"].pk,
            day=date(2026, 12, 1) + timedelta(days=1),
            is_excused=False,
        )
