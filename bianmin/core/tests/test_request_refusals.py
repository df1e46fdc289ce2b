"""Bad requests answer in Chinese with {"code", "message"} on the API and a Chinese page
elsewhere: huge bodies, too many fields or files, out-of-range numbers and dates."""

import pytest
from django.test import Client

from bianmin.core.permissions import Role

pytestmark = pytest.mark.django_db


def _is_chinese_json(response, status: int, code: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])


def test_add_workdays_past_the_calendar_is_a_chinese_400() -> None:
    response = Client().get("/api/v1/calendar/add-workdays?start=9999-12-31&days=5")
    assert response.status_code == 400
    assert response.json()["code"] in {"out_of_range", "calendar_unknown"}


def test_a_huge_id_in_a_write_is_a_chinese_404(staff_by_role, api_client_for) -> None:
    # An id no database integer can hold names nothing: Django finds no row for it, and the API
    # answers in Chinese instead of a 500. (Lists filtered by such an id find nothing:
    # notifications' test_a_huge_batch_id_is_an_empty_list_or_404_not_a_500.)
    client = api_client_for(staff_by_role[Role.BACK_OFFICE])
    response = client.post("/api/v1/sms/messages/99999999999999999999/retry")
    _is_chinese_json(response, 404, "not_found")


def test_a_huge_id_in_the_path_is_never_a_500(staff_by_role, api_client_for) -> None:
    client = api_client_for(staff_by_role[Role.SHIFT_LEADER])
    response = client.get("/api/v1/sms/batches/99999999999999999999")
    assert 400 <= response.status_code < 500
    assert "code" in response.json()


def test_a_huge_id_on_a_page_is_a_chinese_page(staff_by_role, login_client_for) -> None:
    client = login_client_for(staff_by_role[Role.OFFICER])
    response = client.get("/fees/payments/99999999999999999999/")
    assert 400 <= response.status_code < 500
    assert "Server Error" not in response.content.decode()


def test_an_oversized_api_body_is_json_in_chinese(settings, staff_by_role, api_client_for) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = api_client_for(staff_by_role[Role.OFFICER])
    response = client.post(
        "/api/v1/tickets", data='{"a": "' + "x" * 5000 + '"}', content_type="application/json"
    )
    _is_chinese_json(response, 413, "request_too_large")


def test_too_many_fields_on_the_api_is_json_in_chinese(
    settings, staff_by_role, api_client_for
) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    client = api_client_for(staff_by_role[Role.OFFICER])
    response = client.post("/api/v1/people", {f"f{i}": "x" for i in range(50)})
    _is_chinese_json(response, 400, "too_many_fields")


def test_too_many_files_on_the_api_is_json_in_chinese(
    settings, staff_by_role, api_client_for
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    client = api_client_for(staff_by_role[Role.OFFICER])
    files = {f"photo{i}": SimpleUploadedFile(f"{i}.jpg", b"x") for i in range(10)}
    response = client.post("/api/v1/people", files)
    _is_chinese_json(response, 400, "too_many_files")


def test_an_oversized_form_on_a_page_is_a_chinese_page(settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = Client().post("/accounts/login/", {"username": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    page = response.content.decode()
    assert "提交的内容过大" in page
    assert "Bad Request" not in page


def test_the_api_docs_list_every_registered_error_code() -> None:
    from bianmin.core.errors import registered_codes

    schema = Client().get("/api/v1/openapi.json").json()
    description = schema["info"]["description"]
    assert registered_codes(), "no context registered its codes"
    for context, enum in registered_codes().items():
        assert f"- {context}：" in description
        for member in enum:
            assert f"`{member.value}`" in description
    assert "`two_factor_required`" in description
    assert "`out_of_range`" in description


def test_an_expired_form_gets_a_chinese_page() -> None:
    response = Client(enforce_csrf_checks=True).post(
        "/accounts/login/", {"username": "a", "password": "b"}
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "页面已过期" in page
    assert "CSRF verification failed" not in page
