"""Center-B actors against center-A objects, for every write endpoint and form of standards.

Covered, by URL name / API operation id:
- API ``bianmin_standards_api_draw_create`` (POST /api/v1/inspections/draws)
- API ``bianmin_standards_api_draw_run`` (POST /api/v1/inspections/draws/{draw_id}/run)
- API ``bianmin_standards_api_draw_get`` (GET, read of an unpublished draw)
- ``standards:training_manage`` (import, exam, grant)
- ``standards:exam_start``, ``standards:attempt`` (submit), ``standards:course`` (drill)
- ``standards:stars`` (objection), ``standards:stars_manage`` (rule, compute, answer, absence,
  profile)
- ``standards:roster`` (set, clear a duty shift)
- ``standards:draws`` (create), ``standards:draw_detail`` (run, finding, rectify, recheck,
  finish, publish)
Every refusal leaves center A's rows exactly as they were.
"""

from datetime import date, time

import pytest
from django.forms.models import model_to_dict

from bianmin.core.permissions import Role
from bianmin.standards.models import (
    Absence,
    Certificate,
    Course,
    Draw,
    DutyShift,
    ExamAttempt,
    Finding,
    StaffProfile,
    StarObjection,
    StarResult,
    StarRule,
)
from bianmin.standards.services import (
    attempt_start,
    draw_create,
    draw_run,
    duty_shift_set,
    finding_record,
    star_objection_file,
    stars_compute,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_side(clock, hall, hz01_exam, trainee, director, inspectors, officer):
    attempt = attempt_start(actor=trainee, exam_id=hz01_exam.pk)
    result = next(
        r
        for r in stars_compute(actor=director, month=date(2026, 11, 1))
        if r.officer_id == officer.pk
    )
    objection = star_objection_file(actor=officer, result_id=result.pk, star="skill", text="异议")
    draw = draw_create(actor=director, name="A 检查", object_type="window", k=2, inspectors_k=2)
    ran = draw_run(actor=director, draw_id=draw.pk)
    by_name = {i.username: i for i in inspectors}
    finding = finding_record(
        actor=by_name[ran.selected_inspectors[0]],
        draw_id=draw.pk,
        object_key=ran.selected_objects[0],
        checklist={},
        text="问题",
        rectify_workdays=3,
    )
    fresh = draw_create(actor=director, name="A 未抽", object_type="window", k=2, inspectors_k=2)
    course = Course.objects.create(center=hall, title="A 课程", item=hz01_exam.item)
    duty_shift_set(
        actor=director,
        officer_id=officer.pk,
        day=date(2026, 12, 2),
        start=time(8, 30),
        end=time(12),
    )
    return {
        "course": course,
        "exam": hz01_exam,
        "attempt": attempt,
        "result": result,
        "objection": objection,
        "draw": ran,
        "fresh": fresh,
        "finding": finding,
        "officer": officer,
        "trainee": trainee,
    }


@pytest.fixture
def b_side(other_center, make_staff):
    return {
        "director": make_staff(Role.DIRECTOR, username="director_b", center_=other_center),
        "officer": make_staff(Role.OFFICER, username="officer_b", center_=other_center),
        "leader": make_staff(Role.SHIFT_LEADER, username="leader_b", center_=other_center),
        "inspector": make_staff(Role.INSPECTOR, username="inspector_b", center_=other_center),
    }


def snapshot():
    return {
        model.__name__: sorted(
            (
                tuple(sorted((k, str(v)) for k, v in model_to_dict(row).items()))
                for row in model.objects.all()
            ),
        )
        for model in (
            Certificate,
            ExamAttempt,
            StarResult,
            StarObjection,
            StarRule,
            Absence,
            StaffProfile,
            Draw,
            Finding,
            DutyShift,
        )
    }


def test_api_writes_of_center_b_never_touch_center_a(a_side, b_side, api_client_for):
    before = snapshot()
    client = api_client_for(b_side["inspector"])

    run = client.post(f"/api/v1/inspections/draws/{a_side['fresh'].pk}/run")
    read = client.get(f"/api/v1/inspections/draws/{a_side['draw'].pk}")
    create = client.post(
        "/api/v1/inspections/draws",
        {
            "name": "越权",
            "object_type": "officer",
            "objects": [a_side["officer"].username],
            "k": 1,
            "inspectors_k": 2,
        },
        content_type="application/json",
    )

    assert (run.status_code, read.status_code, create.status_code) == (404, 404, 400)
    assert snapshot() == before


def test_forms_of_center_b_never_touch_center_a(a_side, b_side, login_client_for):
    before = snapshot()
    director = login_client_for(b_side["director"])
    officer = login_client_for(b_side["officer"])
    leader = login_client_for(b_side["leader"])
    inspector = login_client_for(b_side["inspector"])
    a_draw, finding = a_side["draw"], a_side["finding"]

    officer.post(f"/standards/exams/{a_side['exam'].pk}/start/")
    course = f"/standards/courses/{a_side['course'].pk}/"
    assert officer.get(course, {"drill": "1"}).status_code == 404
    assert officer.post(course, {"paper": ["1"], "q1": ["A"]}).status_code == 404
    assert officer.post(f"/standards/attempts/{a_side['attempt'].pk}/", {}).status_code == 404
    officer.post("/standards/stars/", {"result": a_side["result"].pk, "star": "skill", "text": "x"})
    director.post(
        "/standards/training/manage/",
        {"action": "grant", "officer": a_side["trainee"].pk, "items": ["HZ04"], "reason": "越权"},
    )
    director.post(
        "/standards/stars/manage/",
        {"action": "answer", "objection": a_side["objection"].pk, "answer": "x"},
    )
    director.post(
        "/standards/stars/manage/",
        {"action": "profile", "staff": a_side["officer"].pk, "team": "x"},
    )
    director.post("/standards/stars/manage/", {"action": "compute", "month": "2026-11"})
    director.post("/standards/stars/manage/", {"action": "rule", "weight_exam": "30"})
    leader.post(
        "/standards/stars/manage/",
        {"action": "absence", "officer": a_side["officer"].pk, "day": "2026-11-30"},
    )
    for roster in (
        {"officer": a_side["officer"].pk, "day": "2026-12-02", "start": "08:30", "end": "12:00"},
        {"action": "clear", "officer": a_side["officer"].pk, "day": "2026-12-02"},
    ):
        assert leader.post("/standards/roster/", roster).status_code == 404
        assert director.post("/standards/roster/", roster).status_code == 404
    director.post(
        "/standards/draws/",
        {
            "name": "越权",
            "object_type": "officer",
            "objects": a_side["officer"].username,
            "k": "1",
            "inspectors_k": "2",
        },
    )
    for action, extra in (
        ("run", {}),
        (
            "finding",
            {"object_key": a_draw.selected_objects[0], "text": "x", "rectify_workdays": "2"},
        ),
        ("rectify", {"finding": finding.pk, "note": "x"}),
        ("finish", {}),
        ("publish", {"summary": "x"}),
    ):
        assert (
            director.post(f"/standards/draws/{a_draw.pk}/", {"action": action, **extra}).status_code
            == 404
        )
    assert (
        inspector.post(
            f"/standards/draws/{a_draw.pk}/",
            {"action": "recheck", "finding": finding.pk, "passed": "1"},
        ).status_code
        == 404
    )

    after = snapshot()
    # center B's own compute and rule version are its own rows; center A's rows are unchanged
    for name in before:
        mine = [row for row in after[name] if row in before[name]]
        assert mine == before[name], name
    assert StarResult.objects.filter(center_id=a_side["officer"].center_id).count() == len(
        before["StarResult"]
    )
    assert not Certificate.objects.exists()
    assert not Absence.objects.exists()
    assert DutyShift.objects.count() == 1  # center A's shift, neither cleared nor joined
    assert not StaffProfile.objects.exists()
    assert Draw.objects.exclude(center_id=b_side["director"].center_id).count() == 2


def test_center_b_never_sees_center_a_evidence_photos(a_side, b_side, login_client_for):
    import io

    from PIL import Image

    from bianmin.standards.models import FindingPhoto

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="PNG")
    photo = FindingPhoto.objects.create(
        finding=a_side["finding"], content_type="image/png", content=buffer.getvalue(), size=1
    )
    assert (
        login_client_for(b_side["director"]).get(f"/standards/photos/{photo.pk}/").status_code
        == 404
    )
