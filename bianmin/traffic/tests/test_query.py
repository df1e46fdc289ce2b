"""The traffic-violation query through the HTTP JSON adapter against the simulated platform."""

import pytest
from django.test import Client

from bianmin.audit.models import AuditEntry
from bianmin.core.errors import DomainError, NotFound
from bianmin.traffic.selectors import violations_query
from tests.support.case_builders import ADULT_ID, ADULT_NAME

pytestmark = pytest.mark.django_db


def test_vehicle_query_returns_the_platforms_violations_newest_first(center, provider):
    found = violations_query(
        center_id=center.pk, by="vehicle", plate="陕E·12345", plate_type="02", vin_last6="123456"
    )
    assert [v.number for v in found] == ["6105220000012345", "6105220000011111"]
    assert [v.handled for v in found] == [False, True]
    assert found[0].points == 6
    assert found[0].fine_yuan == 200
    assert found[0].plate_masked == "陕E1***5"
    assert provider.queries == [
        {"queryType": "vehicle", "hphm": "陕E12345", "hpzl": "02", "clsbdh6": "123456"}
    ]
    entry = AuditEntry.objects.get(action="traffic_queried")
    assert entry.center_id == center.pk
    assert entry.after == {"by": "vehicle", "outcome": "found", "found": 2, "provider": "http-json"}
    assert "12345" not in str(entry.after)


def test_a_wrong_vin_is_not_found_and_a_bad_plate_never_reaches_the_platform(center, provider):
    with pytest.raises(NotFound, match="车辆识别代号"):
        violations_query(center_id=center.pk, by="vehicle", plate="陕E12345", vin_last6="654321")
    with pytest.raises(DomainError, match="车牌号码不正确"):
        violations_query(center_id=center.pk, by="vehicle", plate="ABC", vin_last6="123456")
    with pytest.raises(DomainError, match="后六位"):
        violations_query(center_id=center.pk, by="vehicle", plate="陕E12345", vin_last6="12")
    assert len(provider.queries) == 1


def test_driver_query_by_the_card(center, provider):
    found = violations_query(center_id=center.pk, by="id_card", id_number=ADULT_ID, name=ADULT_NAME)
    assert [v.number for v in found] == ["6105220000013333"]
    with pytest.raises(NotFound):
        violations_query(center_id=center.pk, by="id_card", id_number=ADULT_ID, name="李四")


def test_platform_failure_and_no_connection_are_clear_messages(center, provider, settings):
    provider.fail_next = 1
    with pytest.raises(DomainError, match="暂时无法访问") as failed:
        violations_query(center_id=center.pk, by="vehicle", plate="陕E12345", vin_last6="123456")
    assert failed.value.status == 502
    settings.TRAFFIC_PROVIDER_APP_SECRET = "wrong"
    with pytest.raises(DomainError, match="暂时无法访问"):
        violations_query(center_id=center.pk, by="vehicle", plate="陕E12345", vin_last6="123456")
    settings.TRAFFIC_PROVIDER_URL = ""
    with pytest.raises(DomainError, match="暂未接入") as missing:
        violations_query(center_id=center.pk, by="vehicle", plate="陕E12345", vin_last6="123456")
    assert missing.value.status == 503


def test_api_vehicle_query_shape_and_errors(center, provider):
    client = Client()
    answer = client.post(
        "/api/v1/traffic/violations",
        {"center": "TG", "plate": "陕E12345", "plate_type": "02", "vin_last6": "123456"},
        content_type="application/json",
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["total"] == 2
    assert set(body["items"][0]) == {
        "number",
        "plate_masked",
        "occurred_at",
        "place",
        "behaviour",
        "points",
        "fine_yuan",
        "handled",
        "paid",
    }
    assert body["items"][0]["occurred_at"].startswith("2026-11-18T08:15:00")
    bad = client.post(
        "/api/v1/traffic/violations",
        {"center": "TG", "plate": "x", "vin_last6": "123456"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_plate"


def test_kiosk_page_by_vehicle_and_card_only_from_the_kiosk_network(center, provider):
    client = Client()
    assert client.get("/kiosk/TG/traffic/").status_code == 200
    page = client.post(
        "/kiosk/TG/traffic/",
        {"by": "vehicle", "province": "陕", "plate": "E12345", "vin_last6": "123456"},
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "共 <strong>2</strong> 条记录" in html
    assert "机动车不按交通信号灯规定通行" in html
    outside = Client(REMOTE_ADDR="203.0.113.9")
    refused = outside.post(
        "/kiosk/TG/traffic/", {"by": "id_card", "id_number": ADULT_ID, "name": ADULT_NAME}
    )
    assert refused.status_code == 403
    assert "仅限大厅自助机" in refused.content.decode()
    inside = Client(REMOTE_ADDR="192.168.10.21")
    answered = inside.post(
        "/kiosk/TG/traffic/", {"by": "id_card", "id_number": ADULT_ID, "name": ADULT_NAME}
    )
    assert "共 <strong>1</strong> 条记录" in answered.content.decode()
    assert ADULT_ID not in answered.content.decode()
    assert client.get("/kiosk/NOPE/traffic/").status_code == 404
