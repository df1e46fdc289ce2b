"""The API of issue 11, exactly as listed: shapes, errors, throttles, and no leaks."""

import io
import re
from datetime import timedelta

import pytest
from django.test import Client

from bianmin.core import clock
from bianmin.lost_found.models import Claim, FoundItem, LostReport
from bianmin.lost_found.tests.conftest import OWNER_ID, OWNER_NAME, OWNER_PHONE
from bianmin.lost_found.tests.factories import jpeg_bytes
from bianmin.notifications.models import Message

pytestmark = pytest.mark.usefixtures("pinned", "templates")

API = "/api/v1"
ID_NUMBER = re.compile(r"\d{17}[\dXx]")
PHONE = re.compile(r"1[3-9]\d{9}")


def photo(name="p.jpg", content=None):
    file = io.BytesIO(content if content is not None else jpeg_bytes())
    file.name = name
    return file


def create(client, **fields):
    payload = {
        "category": "wallet",
        "description": "棕色钱包，内有现金200元和银行卡",
        "found_at": (clock.local(clock.now()) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "place": "城关镇人民路",
    } | fields
    return client.post(f"{API}/found-items", payload)


def publish(client, number):
    return client.post(f"{API}/found-items/{number}/publish")


def test_intake_answers_number_status_deadline_and_notification(api_client_for, sanitation):
    response = create(api_client_for(sanitation), photos=[photo(), photo()])

    assert response.status_code == 200, response.content
    assert response.json() == {
        "number": "SW-20261130-0001",
        "status": "registered",
        "claim_deadline": None,
        "owner_notified": False,
    }


def test_intake_of_an_id_card_notifies_the_owner(api_client_for, sanitation, owner):
    response = create(
        api_client_for(sanitation),
        category="document",
        description="身份证一张",
        document_type="id_card",
        document_number=OWNER_ID,
    )
    assert response.json()["owner_notified"] is True
    assert Message.objects.filter(template_code="found_document").count() == 1


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"category": "pets"}, "invalid_category"),
        ({"description": ""}, "description_empty"),
        ({"found_at": "2030-01-01T10:00"}, "found_in_future"),
        ({"found_at": "yesterday"}, "invalid_date"),
        ({"photos": [photo("x.jpg", b"GIF89a-not-really")]}, "photo_not_image"),
        (
            {"photos": [photo("big.jpg", b"\xff\xd8" + b"0" * (10 * 1024 * 1024 + 10))]},
            "photo_too_large",
        ),
        ({"photos": [photo() for _ in range(7)]}, "too_many_photos"),
    ],
)
def test_intake_bad_input_is_a_chinese_400(api_client_for, sanitation, fields, code):
    response = create(api_client_for(sanitation), **fields)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert re.search(r"[\u4e00-\u9fff]", body["message"])
    assert FoundItem.objects.count() == 0


def test_intake_needs_a_staff_token():
    assert create(Client()).status_code == 401


def test_publish_answers_the_dates(api_client_for, sanitation, officer, point):
    number = create(api_client_for(sanitation)).json()["number"]
    FoundItem.objects.filter(number=number).update(status="stored", collection_point=point)
    response = publish(api_client_for(officer), number)
    assert response.status_code == 200
    assert response.json() == {"published_on": "2026-11-30", "claim_deadline": "2027-11-30"}
    assert publish(api_client_for(officer), number).status_code == 409


def test_a_sanitation_worker_may_not_publish(api_client_for, sanitation, point):
    number = create(api_client_for(sanitation)).json()["number"]
    FoundItem.objects.filter(number=number).update(status="stored")
    assert publish(api_client_for(sanitation), number).status_code == 403
    assert FoundItem.objects.get(number=number).status == "stored"


@pytest.mark.parametrize(
    ("published_on", "deadline"),
    [("2024-02-29", "2025-02-28"), ("2025-10-01", "2026-10-08"), ("2025-11-29", "2026-11-30")],
)
def test_claim_deadline_endpoint(published_on, deadline):
    response = Client().get(f"{API}/lost-found/claim-deadline", {"published_on": published_on})
    assert response.status_code == 200
    assert response.json() == {"claim_deadline": deadline}


@pytest.mark.parametrize("published_on", ["2030-05-01", "1999-06-01", "2026-02-30", "", "soon"])
def test_claim_deadline_outside_the_calendar_is_a_chinese_400(published_on):
    response = Client().get(f"{API}/lost-found/claim-deadline", {"published_on": published_on})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] in {"calendar_unknown", "invalid_date"}
    assert re.search(r"[\u4e00-\u9fff]", body["message"])


def published_items(api_client_for, sanitation, officer, point, owner):
    """A wallet with money and a card number, and the owner's ID card; both published."""
    numbers = [
        create(
            api_client_for(sanitation),
            description=f"棕色钱包 现金200元 银行卡6222020200112233 失主{OWNER_NAME} 电话{OWNER_PHONE}",
        ).json()["number"],
        create(
            api_client_for(sanitation),
            category="document",
            description=f"{OWNER_NAME}的身份证",
            document_type="id_card",
            document_number=OWNER_ID,
        ).json()["number"],
    ]
    FoundItem.objects.filter(number__in=numbers).update(status="stored", collection_point=point)
    for number in numbers:
        assert publish(api_client_for(officer), number).status_code == 200
    return numbers


def test_public_search_shape_and_no_leaks(api_client_for, sanitation, officer, point, owner):
    numbers = published_items(api_client_for, sanitation, officer, point, owner)
    client = Client()
    responses = [
        client.get(f"{API}/found-items/search"),
        client.get(f"{API}/found-items/search", {"q": "钱包"}),
        client.get(f"{API}/found-items/search", {"q": "身份证"}),
        client.get(f"{API}/found-items/search", {"q": OWNER_NAME}),
        client.get(f"{API}/found-items/search", {"q": OWNER_ID}),
        client.get(f"{API}/found-items/search", {"category": "document"}),
    ]
    for response in responses:
        assert response.status_code == 200
        text = response.content.decode()
        assert not ID_NUMBER.search(text)
        assert not PHONE.search(text)
        assert OWNER_NAME not in text
        assert "200" not in text
        assert "6222020200112233" not in text
    rows = responses[0].json()
    assert sorted(r["number"] for r in rows) == sorted(numbers)
    assert set(rows[0]) == {
        "number",
        "category",
        "description",
        "found_on",
        "place",
        "claim_deadline",
    }
    document = next(r for r in rows if r["category"] == "document")
    assert document["description"] == "证件一件（已通知失主）"
    assert [r["number"] for r in responses[1].json()] == [numbers[0]]
    assert responses[3].json() == []
    assert responses[4].json() == []


def test_public_search_finds_by_words_category_and_dates(
    api_client_for, sanitation, officer, point
):
    a = create(api_client_for(sanitation), category="keys", description="一串钥匙挂蓝色小熊").json()
    b = create(api_client_for(sanitation), category="bag", description="红色双肩包").json()
    FoundItem.objects.update(status="stored")
    for row in (a, b):
        publish(api_client_for(officer), row["number"])
    search = Client().get
    assert [
        r["number"] for r in search(f"{API}/found-items/search", {"q": "蓝色 钥匙"}).json()
    ] == [a["number"]]
    assert [
        r["number"] for r in search(f"{API}/found-items/search", {"category": "bag"}).json()
    ] == [b["number"]]
    assert search(f"{API}/found-items/search", {"from": "2026-12-01"}).json() == []
    assert (
        len(search(f"{API}/found-items/search", {"from": "2026-11-30", "to": "2026-11-30"}).json())
        == 2
    )
    assert search(f"{API}/found-items/search", {"from": "30/11/2026"}).status_code == 400


def test_unpublished_items_are_not_public(api_client_for, sanitation):
    create(api_client_for(sanitation), description="银色手机")
    assert Client().get(f"{API}/found-items/search", {"q": "手机"}).json() == []


def test_public_search_is_throttled():
    client = Client()
    codes = [client.get(f"{API}/found-items/search").status_code for _ in range(61)]
    assert codes[:60] == [200] * 60
    assert codes[60] == 429


def lost_report(client, **fields):
    payload = {
        "category": "wallet",
        "description": "黑色钱包",
        "lost_on": "2026-11-29",
        "place": "人民路",
        "phone": "13800001111",
    } | fields
    return client.post(f"{API}/lost-reports", payload, content_type="application/json")


def test_lost_report_answers_only_a_number_whatever_is_stored(
    api_client_for, center, sanitation, officer
):
    empty = lost_report(Client())
    create(api_client_for(sanitation), description="黑色钱包")
    with_match = lost_report(Client(), phone="13800002222")
    assert empty.status_code == with_match.status_code == 200
    assert set(empty.json()) == set(with_match.json()) == {"number"}
    assert LostReport.objects.count() == 2


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"phone": "110"}, "invalid_phone"),
        ({"lost_on": "2026-12-25"}, "found_in_future"),
        ({"category": "car"}, "invalid_category"),
        ({"description": " "}, "description_empty"),
        ({"lost_on": "last week"}, "invalid_date"),
    ],
)
def test_lost_report_bad_input(center, fields, code):
    response = lost_report(Client(), **fields)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert LostReport.objects.count() == 0


def test_lost_reports_are_throttled(center):
    client = Client()
    codes = [lost_report(client).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    assert LostReport.objects.count() == 5


def test_claim_answers_a_handover_url_and_a_second_claim_is_409(
    api_client_for, sanitation, officer, point
):
    number = create(api_client_for(sanitation)).json()["number"]
    FoundItem.objects.filter(number=number).update(status="stored")
    client = api_client_for(officer)
    payload = {"id_number": OWNER_ID, "control_answers": "两张银行卡"}
    first = client.post(
        f"{API}/found-items/{number}/claims", payload, content_type="application/json"
    )
    assert first.status_code == 200, first.content
    url = first.json()["handover_url"]
    assert url.endswith(f"/api/v1/found-items/{number}/handover.pdf")
    pdf = client.get(url.replace("http://testserver", ""))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert b"FontFile" in pdf.content  # the CJK font is embedded

    second = client.post(
        f"{API}/found-items/{number}/claims", payload, content_type="application/json"
    )
    assert second.status_code == 409
    assert second.json()["code"] == "already_handed_over"
    assert Claim.objects.count() == 1


def test_a_proxy_claim_without_authorization_is_refused(api_client_for, sanitation, officer):
    number = create(api_client_for(sanitation)).json()["number"]
    FoundItem.objects.filter(number=number).update(status="stored")
    response = api_client_for(officer).post(
        f"{API}/found-items/{number}/claims",
        {"id_number": OWNER_ID, "control_answers": "银行卡", "proxy": {"name": "李四"}},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "proxy_authorization_missing"
    assert Claim.objects.count() == 0


def test_openapi_lists_the_endpoints():
    paths = Client().get(f"{API}/openapi.json").json()["paths"]
    for path in [
        "/api/v1/found-items",
        "/api/v1/found-items/search",
        "/api/v1/lost-reports",
        "/api/v1/found-items/{number}/publish",
        "/api/v1/lost-found/claim-deadline",
        "/api/v1/found-items/{number}/claims",
    ]:
        assert path in paths
