"""The API exactly as in issue 14: shapes, 409 on reuse, staff refused, throttling, bad input."""

import json

import pytest
from django.test import Client

from bianmin.ratings.models import Complaint, Rating


def _post(client, path, body, **extra):
    return client.post(path, data=json.dumps(body), content_type="application/json", **extra)


def test_rate_by_position_token_then_reuse_is_409(visit):
    client = Client()
    token = client.get(f"/api/v1/ratings/token?ticket_id={visit.ticket_id}").json()["token"]
    response = _post(client, "/api/v1/ratings", {"token": token, "level": 5})
    assert response.status_code == 200
    assert response.json() == {"id": Rating.objects.get().pk}
    again = _post(client, "/api/v1/ratings", {"token": token, "level": 1, "reasons": ["attitude"]})
    assert again.status_code == 409
    assert again.json()["code"] == "already_rated"
    assert Rating.objects.get().level == 5


def test_a_bad_rating_answers_its_rectification_due(visit):
    client = Client()
    token = client.get(f"/api/v1/ratings/token?ticket_id={visit.ticket_id}").json()["token"]
    response = _post(
        client,
        "/api/v1/ratings",
        {"token": token, "level": 2, "reasons": ["repeated_trips"], "comment": "跑了两趟"},
    )
    assert response.status_code == 200
    assert response.json()["rectification_due"] == "2026-12-08"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"level": 7}, 400),
        ({"level": 0}, 400),
        ({"level": "好"}, 400),
        ({"level": 2, "reasons": ["bad_mood"]}, 400),
        ({"level": 5, "comment": "字" * 10000}, 400),
        ({"level": 5, "comment": "a\x1bb"}, 400),
    ],
)
def test_bad_input_is_a_chinese_4xx_and_writes_nothing(visit, body, status):
    client = Client()
    token = client.get(f"/api/v1/ratings/token?ticket_id={visit.ticket_id}").json()["token"]
    response = _post(client, "/api/v1/ratings", {"token": token, **body})
    assert response.status_code == status
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.content.decode())
    assert Rating.objects.count() == 0


def test_a_staff_account_cannot_rate_even_with_a_valid_token(
    visit, officer, api_client_for, login_client_for
):
    token = Client().get(f"/api/v1/ratings/token?ticket_id={visit.ticket_id}").json()["token"]
    for client in (api_client_for(officer), login_client_for(officer)):
        response = _post(client, "/api/v1/ratings", {"token": token, "level": 5})
        assert response.status_code == 403
        assert response.json()["code"] == "staff_cannot_rate"
    assert Rating.objects.count() == 0
    assert _post(Client(), "/api/v1/ratings", {"token": token, "level": 5}).status_code == 200


def test_token_for_an_unfinished_ticket_is_404(clock, hall):
    response = Client().get("/api/v1/ratings/token?ticket_id=nope")
    assert response.status_code == 404
    assert response.json()["code"] == "not_finished"


def test_complaints_public_and_throttled(clock, hall):
    client = Client()
    response = _post(
        client, "/api/v1/complaints", {"category": "suggestion", "text": "建议增设母婴室"}
    )
    assert response.status_code == 200
    assert response.json() == {"number": Complaint.objects.get().number}
    empty = _post(client, "/api/v1/complaints", {"category": "other", "text": ""})
    assert empty.status_code == 400
    assert empty.json()["code"] == "empty_text"
    codes = [
        _post(client, "/api/v1/complaints", {"category": "other", "text": f"第{i}条"}).status_code
        for i in range(6)
    ]
    # 5 an hour per address: the refused empty one counted too.
    assert codes == [200, 200, 200, 429, 429, 429]
    assert Complaint.objects.count() == 4


def test_stats_shape_and_bad_month(visit):
    client = Client()
    token = client.get(f"/api/v1/ratings/token?ticket_id={visit.ticket_id}").json()["token"]
    _post(client, "/api/v1/ratings", {"token": token, "level": 4})
    stats = client.get("/api/v1/ratings/stats?month=2026-12").json()
    assert stats == {"rated": 1, "satisfaction_rate": 1.0, "bad": 0, "rectified_on_time": 0}
    assert client.get("/api/v1/ratings/stats?month=2026-13").status_code == 400
    assert client.get("/api/v1/ratings/stats?month=abc").status_code == 400


def test_openapi_lists_the_error_codes(db):
    schema = Client().get("/api/v1/openapi.json").json()
    assert "already_rated" in schema["info"]["description"]
    assert {
        "/api/v1/ratings",
        "/api/v1/ratings/token",
        "/api/v1/complaints",
        "/api/v1/ratings/stats",
    } <= set(schema["paths"])
