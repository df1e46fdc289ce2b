"""Center-B staff against center A's reports, for every endpoint and form of the context.

Covered, by URL name / API operation id:
- ``reports:briefing_generate`` (POST: generates only the actor's own center's briefing)
- ``reports:briefing_file`` (a center-A briefing is 404 to center B)
- ``reports:briefings``, ``reports:report``, ``reports:headlines``, ``reports:screen``,
  ``reports:screen_data`` (only the actor's own center's figures)
- API ``bianmin_reports_api_briefing_file`` (GET /api/v1/reports/briefing)
Every refusal leaves center A's briefings exactly as they were.
"""

from typing import Any

import pytest
from django.urls import reverse

from bianmin.core.permissions import Role
from bianmin.reports import services
from bianmin.reports.models import Briefing
from bianmin.reports.tests.conftest import TUESDAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_briefing(history: Any, leader: Any) -> Briefing:
    return services.briefing_generate(actor=leader, day=TUESDAY)


@pytest.fixture
def b_leader(other_center: Any, make_staff: Any) -> Any:
    return make_staff(Role.SHIFT_LEADER, username="leader_b", center_=other_center)


def _snapshot() -> list[tuple[Any, ...]]:
    return list(Briefing.objects.order_by("pk").values_list("pk", "center_id", "day", "version"))


def test_b_cannot_open_a_briefing_file(
    a_briefing: Briefing, b_leader: Any, login_client_for: Any
) -> None:
    url = reverse("reports:briefing_file", args=[TUESDAY.isoformat(), 1, "pdf"])
    assert login_client_for(b_leader).get(url).status_code == 404


def test_b_generating_makes_b_s_own_briefing_only(
    a_briefing: Briefing, b_leader: Any, other_center: Any, login_client_for: Any
) -> None:
    before = _snapshot()
    response = login_client_for(b_leader).post(
        reverse("reports:briefing_generate"), {"day": TUESDAY.isoformat()}
    )
    assert response.status_code == 302
    after = _snapshot()
    assert after[: len(before)] == before
    assert [(row[1], row[3]) for row in after[len(before) :]] == [(other_center.pk, 1)]


def test_b_api_briefing_is_b_s_own(
    a_briefing: Briefing, b_leader: Any, other_center: Any, api_client_for: Any
) -> None:
    before = _snapshot()
    response = api_client_for(b_leader).get(
        "/api/v1/reports/briefing", {"date": TUESDAY.isoformat(), "format": "xlsx"}
    )
    assert response.status_code == 200
    assert response.content != bytes(a_briefing.xlsx)
    assert _snapshot()[: len(before)] == before
    assert Briefing.objects.get(center=other_center).data["sections"][0]["rows"][0]["value"] == 0


@pytest.mark.parametrize(
    "name", ["reports:briefings", "reports:report", "reports:headlines", "reports:screen_data"]
)
def test_b_pages_show_b_s_figures_only(
    a_briefing: Briefing, make_staff: Any, other_center: Any, login_client_for: Any, name: str
) -> None:
    director = make_staff(Role.DIRECTOR, username="director_b", center_=other_center)
    client = login_client_for(director)
    response = client.get(reverse(name), {"kind": "week", "day": "2026-04-20"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "潼关县公安便民服务中心" not in body
    if name == "reports:screen_data":
        assert response.json()["visits_today"] == 0
