"""Pages: briefings, periodic reports and their exports, headline figures, the big screen."""

from typing import Any

import pytest
from django.urls import reverse

from bianmin.audit.models import AuditEntry
from bianmin.core.permissions import Role
from bianmin.reports import services
from bianmin.reports.tests.conftest import TUESDAY

pytestmark = pytest.mark.django_db


def test_briefings_page_shows_the_newest_briefing(
    history: Any, leader: Any, login_client_for: Any
) -> None:
    services.briefing_generate(actor=leader, day=TUESDAY)
    response = login_client_for(leader).get(reverse("reports:briefings"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "来访人次（取号）" in body
    assert reverse("reports:briefing_file", args=["2026-04-21", 1, "xlsx"]) in body


def test_leader_home_panel_shows_the_briefing(
    history: Any, leader: Any, login_client_for: Any
) -> None:
    services.briefing_generate(actor=leader, day=TUESDAY)
    body = login_client_for(leader).get("/").content.decode()
    assert 'data-testid="briefing-panel"' in body
    assert "第 1 版" in body


def test_month_report_page_and_its_exports(
    history: Any, center: Any, director: Any, login_client_for: Any
) -> None:
    client = login_client_for(director)
    page = client.get(reverse("reports:report"), {"kind": "month", "day": "2026-04-05"})
    assert page.status_code == 200
    assert "统计 2026-04-01 至 2026-04-30" in page.content.decode()
    pdf = client.get(
        reverse("reports:report"), {"kind": "month", "day": "2026-04-05", "format": "pdf"}
    )
    xlsx = client.get(
        reverse("reports:report"),
        {"kind": "range", "start": "2026-04-13", "end": "2026-04-20", "format": "xlsx"},
    )
    assert pdf.content.startswith(b"%PDF")
    assert xlsx.content[:2] == b"PK"
    assert list(
        AuditEntry.objects.filter(action="report_exported")
        .order_by("pk")
        .values_list("target_id", flat=True)
    ) == ["month:2026-04-01:2026-04-30", "range:2026-04-13:2026-04-20"]


@pytest.mark.parametrize(
    "query",
    [
        {"kind": "decade"},
        {"kind": "range", "start": "2026-04-20", "end": "2026-04-01"},
        {"kind": "month", "day": "20260405"},
        {"kind": "month", "format": "doc"},
    ],
)
def test_bad_report_query_is_a_400_page(
    on_tuesday: None, center: Any, director: Any, login_client_for: Any, query: Any
) -> None:
    response = login_client_for(director).get(reverse("reports:report"), query)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_headline_figures_each_with_a_definition(
    history: Any, director: Any, login_client_for: Any
) -> None:
    body = login_client_for(director).get(reverse("reports:headlines")).content.decode()
    for label in ("窗口上岗民警", "一厅通办事项", "累计发送领证提醒等短信", "假期免费办证"):
        assert label in body
    assert body.count("口径：") == 10
    assert "群众满意率" in body
    export = login_client_for(director).get(reverse("reports:headlines"), {"format": "xlsx"})
    assert export.content[:2] == b"PK"
    assert AuditEntry.objects.filter(target_type="reports.headlines").count() == 1


def test_screen_data_counts_today(history: Any, leader: Any, login_client_for: Any) -> None:
    data = login_client_for(leader).get(reverse("reports:screen_data")).json()
    assert data["visits_today"] == 1  # one ticket issued on Tuesday in the fixture
    assert data["overdue_cases"] >= 0
    assert sum(data["arrivals_by_hour"]) == 1
    assert data["satisfaction_percent"] == "—"  # nobody has rated this month


def test_screen_data_shows_the_planners_forecast_and_this_months_satisfaction(
    history: Any, center: Any, officer: Any, leader: Any, login_client_for: Any
) -> None:
    from bianmin.core import clock
    from bianmin.planner.selectors import hourly_forecast
    from bianmin.ratings.tests.factories import rating_row, service_event

    for level in (5, 5, 4, 2):
        rating_row(service_event(center, officer=officer, at=clock.now()), level)
    data = login_client_for(leader).get(reverse("reports:screen_data")).json()

    expected = {
        f.hour: f.arrivals
        for f in hourly_forecast(center_id=center.pk, day=clock.local(clock.now()).date())
    }
    assert len(data["forecast_by_hour"]) == len(data["hours"])
    assert data["forecast_by_hour"] == [expected.get(hour) for hour in data["hours"]]
    assert any(value for value in data["forecast_by_hour"])  # the history gives a forecast
    assert data["satisfaction_percent"] == "75.0%"


def test_screen_data_maps_this_weeks_home_visits_by_town(
    history: Any, center: Any, leader: Any, make_staff: Any, login_client_for: Any
) -> None:
    from bianmin.appointments import services as appointments
    from bianmin.appointments.models import BookingRules
    from bianmin.appointments.tests.test_home_visits import TOWNS, approved, team
    from bianmin.core import clock

    BookingRules.objects.create(center=center, towns=TOWNS, visit_capacity_per_day=3)
    people = {
        "leader": leader,
        "a": make_staff(Role.OFFICER, username="mv1"),
        "b": make_staff(Role.OFFICER, username="mv2"),
    }
    team(people)
    approved(people, ["城关街道", "城关街道", "秦东镇"])
    appointments.routes_plan(actor=leader, start=clock.local(clock.now()).date())
    data = login_client_for(leader).get(reverse("reports:screen_data")).json()
    by_town = {v["town"]: (v["planned"], v["done"], v["x"]) for v in data["home_visits"]}
    assert by_town == {"城关街道": (2, 0, 0), "秦东镇": (1, 0, 8)}


@pytest.mark.parametrize(
    ("role", "briefings", "report", "screen"),
    [
        (Role.SHIFT_LEADER, 200, 200, 200),
        (Role.DIRECTOR, 200, 200, 200),
        (Role.INSPECTOR, 403, 200, 403),
        (Role.OFFICER, 403, 403, 403),
        (Role.GUIDE, 403, 403, 403),
    ],
)
def test_page_authorization_matrix(
    on_tuesday: None,
    center: Any,
    catalogue: None,
    make_staff: Any,
    login_client_for: Any,
    role: Role,
    briefings: int,
    report: int,
    screen: int,
) -> None:
    client = login_client_for(make_staff(role, username=f"{role}_v"))
    assert client.get(reverse("reports:briefings")).status_code == briefings
    assert client.get(reverse("reports:report")).status_code == report
    assert client.get(reverse("reports:screen")).status_code == screen
    denied = client.post(reverse("reports:briefing_generate"), {"day": "2026-04-21"})
    assert denied.status_code == (302 if briefings == 200 else 403)
