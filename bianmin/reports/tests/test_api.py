"""GET /api/v1/reports/briefing: the kept file, for the shift leader and the director only."""

from typing import Any

import pytest

from bianmin.core.permissions import Role
from bianmin.reports.models import Briefing
from bianmin.reports.tests.conftest import TUESDAY

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/briefing"


def test_leader_gets_the_pdf_then_the_same_kept_version(
    history: Any, leader: Any, api_client_for: Any
) -> None:
    client = api_client_for(leader)
    first = client.get(URL, {"date": TUESDAY.isoformat()})
    again = client.get(URL, {"date": TUESDAY.isoformat()})
    assert first.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    assert first.content.startswith(b"%PDF")
    assert again.content == first.content
    assert Briefing.objects.count() == 1


def test_xlsx_format_gives_the_workbook(history: Any, leader: Any, api_client_for: Any) -> None:
    response = api_client_for(leader).get(URL, {"date": TUESDAY.isoformat(), "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content[:2] == b"PK"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"date": "2026-4-21"}, "bad_date"),
        ({"date": "2026-02-30"}, "bad_date"),
        ({"date": "2026-04-22"}, "bad_date"),
        ({"date": "2026-04-19"}, "not_a_workday"),
        ({"date": "2026-04-21", "format": "docx"}, "bad_format"),
    ],
)
def test_bad_input_is_a_400_in_chinese_and_writes_nothing(
    on_tuesday: None, center: Any, leader: Any, api_client_for: Any, query: Any, code: str
) -> None:
    response = api_client_for(leader).get(URL, query)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["message"])
    assert not Briefing.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.SHIFT_LEADER, 200),
        (Role.DIRECTOR, 200),
        (Role.OFFICER, 403),
        (Role.INSPECTOR, 403),
        (Role.GUIDE, 403),
        (Role.SANITATION, 403),
    ],
)
def test_authorization_matrix(
    on_tuesday: None,
    center: Any,
    catalogue: None,
    make_staff: Any,
    api_client_for: Any,
    role: Role,
    status: int,
) -> None:
    staff = make_staff(role, username=f"{role}_api")
    response = api_client_for(staff).get(URL, {"date": TUESDAY.isoformat()})
    assert response.status_code == status
    assert Briefing.objects.count() == (1 if status == 200 else 0)


def test_without_a_token_it_is_401(on_tuesday: None, center: Any) -> None:
    from django.test import Client

    assert Client().get(URL).status_code == 401


def test_openapi_documents_the_briefing_and_its_error_codes(db: Any) -> None:
    from django.test import Client

    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/reports/briefing"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"date", "format"}
    assert "not_a_workday" in str(schema)
