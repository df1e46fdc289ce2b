"""GET /api/v1/planner/erlang and /api/v1/planner/plan: shapes, figures, refusals."""

import pytest

from bianmin.core.permissions import Role

ERLANG = "/api/v1/planner/erlang"
PLAN = "/api/v1/planner/plan"


@pytest.fixture
def officer_api(db, officer, api_client_for):
    return api_client_for(officer)


def test_erlang_answers_the_smallest_count_meeting_the_share(officer_api):
    response = officer_api.get(
        ERLANG,
        {
            "arrivals_per_hour": "200",
            "mean_service_minutes": "3",
            "target_wait_minutes": str(1 / 3),
            "target_share": "0.8",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"officers", "share_within_target", "mean_wait_minutes", "utilisation"}
    assert body["officers"] == 14
    assert body["share_within_target"] == pytest.approx(0.8883, abs=5e-4)
    assert body["utilisation"] == pytest.approx(10 / 14, abs=1e-5)
    assert 0 < body["mean_wait_minutes"] < 1


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ({"arrivals_per_hour": "-1"}, "到达人数"),
        ({"target_share": "1"}, "目标比例"),
        ({"target_share": "1.5"}, "目标比例"),
        ({"target_share": "0"}, "目标比例"),
        ({"mean_service_minutes": "0"}, "办理时长"),
        ({"target_wait_minutes": "-5"}, "等候时间"),
        ({"arrivals_per_hour": "abc"}, "应为数字"),
        ({"arrivals_per_hour": "nan"}, "有限"),
        ({"arrivals_per_hour": "1e9"}, "到达人数"),
        ({"arrivals_per_hour": ""}, "缺少参数"),
    ],
)
def test_erlang_refuses_nonsense_with_a_chinese_message(officer_api, query, fragment):
    params = {
        "arrivals_per_hour": "60",
        "mean_service_minutes": "8",
        "target_wait_minutes": "10",
        "target_share": "0.8",
        **query,
    }
    response = officer_api.get(ERLANG, params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_parameter"
    assert fragment in response.json()["message"]


def test_erlang_needs_a_staff_member(client, db):
    response = client.get(ERLANG, {"arrivals_per_hour": "60"})
    assert response.status_code == 401


def test_plan_has_the_documented_shape(hall_history, center, make_staff, api_client_for):
    leader = make_staff(Role.SHIFT_LEADER, username="leader01")
    response = api_client_for(leader).get(
        PLAN,
        {"center": "TG", "date": "2026-11-30", "target_wait_minutes": "10", "target_share": "0.8"},
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"hours", "total_officer_hours_pooled", "total_officer_hours_specialized"}
    assert body["hours"]
    for hour in body["hours"]:
        assert set(hour) == {
            "hour",
            "arrivals",
            "officers_pooled",
            "officers_specialized",
            "simulated_share_pooled",
        }
        assert hour["officers_pooled"] <= hour["officers_specialized"]
    assert body["total_officer_hours_pooled"] == sum(h["officers_pooled"] for h in body["hours"])
    assert body["total_officer_hours_pooled"] < body["total_officer_hours_specialized"]


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({"date": "2026-13-01"}, 400, "invalid_parameter"),
        ({"date": "9999-12-31"}, 400, "invalid_parameter"),
        ({"date": "1999-01-01"}, 400, "invalid_parameter"),
        ({"target_share": "2"}, 400, "invalid_parameter"),
        ({"target_wait_minutes": "x"}, 400, "invalid_parameter"),
        ({"center": "NOPE"}, 404, "unknown_center"),
    ],
)
def test_plan_refuses_bad_parameters(center, director, api_client_for, query, status, code):
    response = api_client_for(director).get(PLAN, {"center": "TG", "date": "2026-11-30", **query})
    assert response.status_code == status
    assert response.json()["code"] == code


@pytest.mark.parametrize("role", [Role.OFFICER, Role.GUIDE, Role.SANITATION])
def test_plan_is_for_the_director_and_the_shift_leader(center, make_staff, api_client_for, role):
    response = api_client_for(make_staff(role)).get(PLAN, {"center": "TG"})
    assert response.status_code == 403
