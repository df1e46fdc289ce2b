from datetime import date

import pytest
from django.test import Client

from bianmin.people.idnumber import make_id_number
from bianmin.people.models import Person

pytestmark = pytest.mark.django_db


def _check(value: str) -> dict:
    return (
        Client()
        .post("/api/v1/id-numbers/check", {"id_number": value}, content_type="application/json")
        .json()
    )


def test_id_check_valid() -> None:
    assert _check("11010519491231002X") == {
        "valid": True,
        "birth_date": "1949-12-31",
        "gender": "female",
        "region_code": "110105",
        "error": None,
    }


def test_id_check_invalid_has_a_chinese_error() -> None:
    result = _check("110105194912310021")
    assert result["valid"] is False
    assert result["birth_date"] is None
    assert "校验位" in result["error"]


def test_id_check_bad_payload_is_400_not_500() -> None:
    response = Client().post(
        "/api/v1/id-numbers/check", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request"


def test_add_workdays_endpoint() -> None:
    ok = Client().get("/api/v1/calendar/add-workdays?start=2026-09-30&days=1")
    assert ok.json() == {"date": "2026-10-08"}
    assert Client().get("/api/v1/calendar/add-workdays?start=2026-09-30&days=0").json() == {
        "date": "2026-09-30"
    }
    bad = Client().get("/api/v1/calendar/add-workdays?start=2026-13-01&days=1")
    assert bad.status_code == 400
    assert "日期" in bad.json()["message"]
    unknown = Client().get("/api/v1/calendar/add-workdays?start=2040-01-01&days=1")
    assert unknown.status_code == 400
    assert unknown.json()["code"] == "calendar_unknown"


def test_people_create_and_update_with_photo(officer, api_client_for) -> None:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 50), (120, 100, 90)).save(buffer, format="JPEG")
    buffer.seek(0)
    buffer.name = "photo.jpg"
    number = make_id_number("610522", date(1988, 8, 8), 21)
    client = api_client_for(officer)

    first = client.post(
        "/api/v1/people",
        {
            "name": "王伟",
            "id_number": number,
            "gender": "male",
            "phone": "13912345678",
            "photo": buffer,
        },
    )
    second = client.post(
        "/api/v1/people",
        {"name": "王伟", "id_number": number, "gender": "male", "phone": "13700000000"},
    )

    assert first.status_code == 200
    assert first.json()["id_number_masked"] == number[:6] + "********" + number[-4:]
    assert first.json()["phone_masked"] == "139****5678"
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["phone_masked"] == "137****0000"
    assert Person.objects.get().has_photo


def test_people_bad_input_is_a_clear_400(officer, api_client_for) -> None:
    response = api_client_for(officer).post(
        "/api/v1/people", {"name": "王伟", "id_number": "610522199001011230", "gender": "male"}
    )
    assert response.status_code == 400
    assert response.json()["code"].startswith("id_")
    assert response.json()["message"]
    assert Person.objects.count() == 0
