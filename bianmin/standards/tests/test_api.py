"""The API of issue 15, with exact shapes and Chinese errors."""

from datetime import date

import pytest
from django.test import Client

from bianmin.core.permissions import Role
from bianmin.standards.models import Draw
from bianmin.standards.services import (
    SatisfactionFacts,
    satisfaction_source_clear,
    satisfaction_source_register,
    stars_compute,
)

pytestmark = pytest.mark.django_db


def test_create_run_and_read_a_draw(clock, hall, inspectors, api_client_for):
    client = api_client_for(inspectors[0])

    created = client.post(
        "/api/v1/inspections/draws",
        {
            "name": "窗口检查",
            "object_type": "window",
            "objects": ["W01", "W02", "W03"],
            "k": 2,
            "inspectors_k": 2,
        },
        content_type="application/json",
    )
    assert created.status_code == 200, created.content
    body = created.json()
    assert set(body) == {"id", "commitment"}
    assert len(body["commitment"]) == 64

    before = Client().get(f"/api/v1/inspections/draws/{body['id']}")
    assert before.status_code == 404  # not public before publication
    staff_view = client.get(f"/api/v1/inspections/draws/{body['id']}").json()
    assert (staff_view["seed"], staff_view["selection"]) == (None, None)

    ran = client.post(f"/api/v1/inspections/draws/{body['id']}/run")
    assert ran.status_code == 200
    drawn = ran.json()
    assert set(drawn) == {"seed", "objects", "inspectors"}
    assert len(drawn["objects"]) == 2
    assert len(drawn["inspectors"]) == 2

    again = client.post(f"/api/v1/inspections/draws/{body['id']}/run")
    assert again.status_code == 409
    assert again.json()["code"] == "already_drawn"

    shown = client.get(f"/api/v1/inspections/draws/{body['id']}").json()
    assert shown["seed"] == drawn["seed"]
    assert shown["objects"] == ["W01", "W02", "W03"]
    assert shown["selection"]["objects"] == drawn["objects"]


def test_a_filter_instead_of_a_list_takes_the_whole_pool(
    clock, hall, director, inspectors, api_client_for
):
    created = api_client_for(director).post(
        "/api/v1/inspections/draws",
        {
            "name": "事项检查",
            "object_type": "item",
            "objects": {"month": ""},
            "k": 3,
            "inspectors_k": 2,
        },
        content_type="application/json",
    )
    assert created.status_code == 200, created.content
    assert len(Draw.objects.get(pk=created.json()["id"]).object_list) == 36


def test_bad_draw_input_answers_in_chinese_and_creates_nothing(
    clock, hall, inspectors, api_client_for
):
    answer = api_client_for(inspectors[0]).post(
        "/api/v1/inspections/draws",
        {
            "name": "窗口检查",
            "object_type": "window",
            "objects": ["W01"],
            "k": 5,
            "inspectors_k": 2,
        },
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "too_many_objects"
    assert "名录中只有 1 个" in answer.json()["message"]
    assert not Draw.objects.exists()


@pytest.mark.parametrize("role", [Role.OFFICER, Role.GUIDE, Role.SHIFT_LEADER])
def test_only_inspectors_and_the_director_draw(
    clock, hall, inspectors, make_staff, api_client_for, role
):
    answer = api_client_for(make_staff(role)).post(
        "/api/v1/inspections/draws",
        {
            "name": "x",
            "object_type": "window",
            "objects": ["W01", "W02"],
            "k": 1,
            "inspectors_k": 2,
        },
        content_type="application/json",
    )
    assert answer.status_code == 403
    assert not Draw.objects.exists()


def test_stars_of_a_month(clock, hall, officer, director, api_client_for):
    satisfaction_source_register(lambda c, o, m: SatisfactionFacts(10, 10, 0, 0, 0))
    try:
        stars_compute(actor=director, month=date(2026, 11, 1))
    finally:
        satisfaction_source_clear()

    answer = api_client_for(officer).get("/api/v1/stars?month=2026-11")

    assert answer.status_code == 200
    rows = answer.json()
    assert [r["officer"] for r in rows] == ["officer01"]
    assert set(rows[0]) == {"officer", "skill", "discipline", "satisfaction", "explanations"}
    assert rows[0]["satisfaction"] is True
    assert set(rows[0]["explanations"]) == {"skill", "discipline", "satisfaction"}
    bad = api_client_for(officer).get("/api/v1/stars?month=2026-13")
    assert bad.status_code == 400
    assert bad.json()["message"] == "月份格式应为 YYYY-MM。"


def test_the_stars_need_a_staff_token(clock, hall):
    assert Client().get("/api/v1/stars?month=2026-11").status_code == 401


def test_error_codes_are_listed_in_the_api_docs(hall):
    schema = Client().get("/api/v1/openapi.json").json()
    assert "standards：" in schema["info"]["description"]
    assert "`already_drawn`" in schema["info"]["description"]
