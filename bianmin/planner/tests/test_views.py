"""The director's planner page: who sees it, what it shows, bad input."""

import pytest
from django.urls import reverse

from bianmin.core.permissions import Role


def test_the_director_sees_the_plan_roster_and_accuracy(
    hall_history, center, director, login_client_for
):
    response = login_client_for(director).get(
        reverse("planner:plan"),
        {"date": "2026-11-30", "extra_demand_percent": "20", "extra_hours": "1"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "排班测算" in html
    assert 'data-testid="planner-headcount-pooled"' in html
    assert "本周排班建议" in html
    plan = response.context["plan"]
    assert plan.scenario.extra_demand_percent == 20
    assert plan.headcount_pooled < plan.headcount_specialized
    assert len(response.context["roster"]) == 7
    assert response.context["accuracy"].days
    assert "vendor/echarts.min.js" in html


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.DIRECTOR, 200),
        (Role.SHIFT_LEADER, 200),
        (Role.OFFICER, 403),
        (Role.GUIDE, 403),
        (Role.INSPECTOR, 403),
    ],
)
def test_who_may_open_the_planner(center, make_staff, login_client_for, role, status):
    response = login_client_for(make_staff(role)).get(reverse("planner:plan"))
    assert response.status_code == status


def test_the_planner_is_in_the_director_navigation(center, director, login_client_for):
    response = login_client_for(director).get("/")
    assert reverse("planner:plan") in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"target_share": "1"},
        {"date": "yesterday"},
        {"date": "9999-12-31"},
        {"extra_demand_percent": "-10"},
        {"absent_officers": "1.5"},
        {"extra_hours": "9"},
    ],
)
def test_nonsense_parameters_get_a_chinese_message(center, director, login_client_for, query):
    response = login_client_for(director).get(reverse("planner:plan"), query)
    assert response.status_code == 400
    assert response.context["error"]
    assert 'data-testid="planner-error"' in response.content.decode()
