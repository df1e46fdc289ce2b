"""业务技能星 counts data mismatches at confirmation (零差错) against the officer who registered the
data: end to end through the API, the director's page, the star page; two centers."""

from datetime import date
from decimal import Decimal

import pytest

from bianmin.cases import services as cases
from bianmin.cases.selectors import officer_case_facts
from bianmin.cases.tests.factories import ApplicantFactory
from bianmin.core.permissions import Role
from bianmin.standards.models import StarResult, StarRule
from bianmin.standards.services import star_rule_save, stars_compute
from tests.support.case_builders import all_provided

pytestmark = pytest.mark.django_db
DECEMBER = date(2026, 12, 1)


def confirm_via_api(client, case, who, **wrong):
    data = {
        "stage": "window",
        "name": who.name,
        "gender": who.gender,
        "id_type": who.id_type,
        "id_number": who.id_number,
        **wrong,
    }
    return client.post(
        f"/api/v1/cases/{case.number}/confirmations", data, content_type="application/json"
    )


@pytest.fixture
def month(hall, officer, director, make_staff, other_center, api_client_for):
    """December in two centers. TG: officer01 registers one case; at officer02's window the
    applicant twice confirms data that differ, then the right data; officer01 accepts it. HY: its
    own officer registers a case whose applicant three times confirms differing data."""
    checker = make_staff(Role.OFFICER, username="officer02")
    star_rule_save(
        actor=director,
        values={
            "weight_exam": 0,
            "weight_volume": 50,
            "weight_accuracy": 25,
            "weight_timeliness": 25,
            "cases_target": 1,
            "skill_threshold": 50,
            "mismatches_max": 1,
        },
        note="试点：确认不一致最多 1 次",
    )
    who = ApplicantFactory()
    case = cases.case_create(actor=officer, item_code="HZ02", applicant=who)
    at_window = api_client_for(checker)
    refused = [
        confirm_via_api(at_window, case, who, name="李四"),
        confirm_via_api(at_window, case, who, gender="female" if who.gender == "male" else "male"),
    ]
    assert [r.status_code for r in refused] == [400, 400]
    assert confirm_via_api(at_window, case, who).status_code == 204
    cases.case_pre_review(actor=officer, case=case, results=all_provided(case))
    cases.case_accept(actor=officer, case=case)

    hy_officer = make_staff(Role.OFFICER, username="hy_officer01", center_=other_center)
    hy_director = make_staff(Role.DIRECTOR, username="hy_director01", center_=other_center)
    hy_who = ApplicantFactory()
    hy_case = cases.case_create(actor=hy_officer, item_code="HZ02", applicant=hy_who)
    hy_client = api_client_for(hy_officer)
    for _i in range(3):
        assert confirm_via_api(hy_client, hy_case, hy_who, name="张三").status_code == 400
    return {
        "officer": officer,
        "checker": checker,
        "director": director,
        "hy_officer": hy_officer,
        "hy_director": hy_director,
    }


def current(officer):
    return StarResult.objects.get(officer=officer, month=DECEMBER, is_current=True)


def test_mismatches_beyond_the_rule_withhold_the_skill_star_with_the_explanation(
    clock, month, login_client_for, api_client_for
):
    director, officer = month["director"], month["officer"]

    response = login_client_for(director).post(
        "/standards/stars/manage/", {"action": "compute", "month": "2026-12"}
    )

    assert response.status_code in (200, 302)
    mine = current(officer)
    # 0×exam + 50×min(1/1, 1) + 25×max(1 − 2/1, 0) + 25×(1 − 0/1) = 50 + 0 + 25 = 75
    assert mine.skill_score == Decimal("75.0")
    assert mine.facts["skill"]["mismatches"] == 2
    assert mine.skill is False  # 75 ≥ 50, but 2 mismatches > 1
    explanation = mine.explanations["skill"]
    assert "差错 2 次（更正 0 次、退回 0 次、确认不一致 2 次）" in explanation
    assert "75.0 分 ≥ 50 分" in explanation
    assert explanation.endswith("确认不一致 2 次 > 1 次")
    # the officer at whose window it was caught is not blamed
    assert current(month["checker"]).facts["skill"]["mismatches"] == 0

    # the star page and the API show it to the officer
    page = login_client_for(officer).get("/standards/stars/?month=2026-12").content.decode()
    assert "确认不一致 2 次 &gt; 1 次" in page
    assert "<th>确认不一致</th>" in page
    assert "<td>2 次</td>" in page
    listed = api_client_for(officer).get("/api/v1/stars?month=2026-12").json()
    assert [r["explanations"]["skill"] for r in listed if r["officer"] == "officer01"] == [
        explanation
    ]


def test_the_director_raises_the_limit_in_a_new_rule_version_and_the_star_is_given(
    clock, month, login_client_for
):
    director, officer = month["director"], month["officer"]
    stars_compute(actor=director, month=DECEMBER)
    before = StarRule.objects.filter(center_id=officer.center_id).count()
    client = login_client_for(director)

    client.post(
        "/standards/stars/manage/",
        {"action": "rule", "mismatches_max": "2", "note": "放宽到 2 次"},
    )
    client.post(
        "/standards/stars/manage/",
        {"action": "compute", "month": "2026-12", "reason": "规则调整"},
    )

    rule = StarRule.objects.filter(center_id=officer.center_id).order_by("-version").first()
    assert StarRule.objects.filter(center_id=officer.center_id).count() == before + 1
    assert (rule.mismatches_max, rule.skill_threshold) == (2, 50)  # the rest carried over
    history = list(StarResult.objects.filter(officer=officer, month=DECEMBER).order_by("revision"))
    assert [(r.revision, r.skill, r.rule.version) for r in history] == [
        (1, False, rule.version - 1),
        (2, True, rule.version),
    ]
    assert history[1].explanations["skill"].endswith("确认不一致 2 次 ≤ 2 次")


def test_the_other_centers_mismatches_never_count(clock, month):
    officer, hy_officer = month["officer"], month["hy_officer"]
    hall_id, hy_id = officer.center_id, hy_officer.center_id
    span = {"start": DECEMBER, "end": date(2027, 1, 1)}

    stars_compute(actor=month["director"], month=DECEMBER)
    stars_compute(actor=month["hy_director"], month=DECEMBER)

    assert current(officer).facts["skill"]["mismatches"] == 2
    assert current(hy_officer).facts["skill"]["mismatches"] == 3
    # HY's rule is its own (the default limit 3): its officer keeps within it
    assert current(hy_officer).explanations["skill"].endswith("确认不一致 3 次 ≤ 3 次")
    # every count is scoped to the center asked about
    assert officer_case_facts(center_id=hy_id, officer_id=officer.pk, **span).mismatches == 0
    assert officer_case_facts(center_id=hall_id, officer_id=hy_officer.pk, **span).mismatches == 0
    assert {r.center_id for r in StarResult.objects.filter(officer=hy_officer)} == {hy_id}
