"""Screens and API: authorization matrix (denied changes nothing), receipts, batch flow."""

import json
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client, override_settings

from bianmin.core.permissions import Role
from bianmin.notifications import gateways, services
from bianmin.notifications.clients import receipt_token
from bianmin.notifications.demo import notifications_demo_history
from bianmin.notifications.enums import MessageStatus
from bianmin.notifications.models import Message, SmsTemplate
from bianmin.notifications.services import common
from bianmin.notifications.tests.conftest import at
from bianmin.notifications.tests.factories import MessageFactory

pytestmark = pytest.mark.usefixtures("templates")

SEND_ROLES = {Role.OFFICER, Role.BACK_OFFICE, Role.SHIFT_LEADER, Role.DIRECTOR}
TEMPLATE_ROLES = {Role.DIRECTOR}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("/sms/", SEND_ROLES),
        ("/sms/messages/", SEND_ROLES),
        ("/sms/batches/", SEND_ROLES),
        ("/sms/templates/", TEMPLATE_ROLES),
        ("/sms/templates/pickup_ready/", TEMPLATE_ROLES),
    ],
)
def test_screens_authorization_matrix(
    role: Role,
    url: str,
    allowed: set[Role],
    staff_by_role: dict[Role, Any],
    login_client_for: Callable[[Any], Client],
) -> None:
    response = login_client_for(staff_by_role[role]).get(url)
    assert response.status_code == (200 if role in allowed else 403)


@pytest.mark.parametrize("role", list(Role))
def test_template_post_matrix_denied_changes_nothing(
    role: Role, staff_by_role: dict[Role, Any], login_client_for: Callable[[Any], Client]
) -> None:
    before = SmsTemplate.objects.count()
    response = login_client_for(staff_by_role[role]).post(
        "/sms/templates/pickup_ready/",
        {"name": "领证通知", "body": "您的${item}可领取了。", "max_segments": "1"},
    )
    if role in TEMPLATE_ROLES:  # a center's director reads them; only the province account saves
        assert response.status_code == 200
        assert "只有省级账号可以修改和审核" in response.content.decode()
        assert SmsTemplate.objects.count() == before
    else:
        assert response.status_code == 403
        assert SmsTemplate.objects.count() == before


@pytest.mark.parametrize("role", list(Role))
def test_retry_api_matrix(
    role: Role,
    staff_by_role: dict[Role, Any],
    api_client_for: Callable[[Any], Client],
    center: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(common, "message_schedule", lambda *a, **k: None)
    services.sms_enqueue(
        center_id=center.pk,
        template_code="pickup_ready",
        phone="13912345678",
        params={"item": "居民身份证", "case_number": "TG-1"},
        dedupe_key="k",
    )
    message = Message.objects.get()
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.FAILED)
    response = api_client_for(staff_by_role[role]).post(f"/api/v1/sms/messages/{message.pk}/retry")
    if role in SEND_ROLES:
        assert response.status_code == 200
        assert response.json()["status"] == "queued"
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert Message.objects.get().status == MessageStatus.FAILED


def test_live_count_fragment(director: Any, login_client_for: Callable[[Any], Client]) -> None:
    response = login_client_for(director).post(
        "/sms/templates/preview/", {"body": "您好" * 31 + "。", "max_segments": "1"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<strong data-testid="chars">71</strong>' in html
    assert '<strong data-testid="segments">2</strong>' in html
    assert "超长" in html


def _aliyun_receipt(message: Message) -> bytes:
    return json.dumps(
        [
            {
                "phone_number": "13912345678",
                "send_time": "2026-03-12 10:00:00",
                "report_time": "2026-03-12 10:00:05",
                "success": True,
                "err_code": "DELIVERED",
                "err_msg": "用户接收成功",
                "sms_size": "1",
                "biz_id": message.provider_id,
                "out_id": message.reference,
            }
        ]
    ).encode()


@time_machine.travel(at(2026, 3, 12), tick=False)
def test_receipt_endpoint_rejects_forgeries_and_is_idempotent(
    center: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common, "message_schedule", lambda *a, **k: None)
    services.sms_enqueue(
        center_id=center.pk,
        template_code="pickup_ready",
        phone="13912345678",
        params={"item": "居民身份证", "case_number": "TG-1"},
        dedupe_key="k",
    )
    Message.objects.update(status=MessageStatus.SENT, provider_id="900^0", gateway="aliyun")
    message = Message.objects.get()
    client = Client()
    with override_settings(SMS_RECEIPT_SECRET="s3cret"):
        gateways.gateways_reset()
        url = "/api/v1/sms/receipts/aliyun"
        forged = client.post(
            f"{url}?token=guess", _aliyun_receipt(message), content_type="application/json"
        )
        unsigned = client.post(url, _aliyun_receipt(message), content_type="application/json")
        assert (forged.status_code, unsigned.status_code) == (403, 403)
        assert "回执签名校验失败".encode() in forged.content  # Chinese, not \\u escapes
        assert forged.json() == {"code": "forbidden", "message": "回执签名校验失败"}
        assert Message.objects.get().status == MessageStatus.SENT
        token = receipt_token("s3cret", "aliyun")
        wrong_gateway = client.post(
            f"/api/v1/sms/receipts/tencent?token={token}", b"{}", content_type="application/json"
        )
        assert wrong_gateway.status_code == 403
        first = client.post(
            f"{url}?token={token}", _aliyun_receipt(message), content_type="application/json"
        )
        second = client.post(
            f"{url}?token={token}", _aliyun_receipt(message), content_type="application/json"
        )
        garbage = client.post(f"{url}?token={token}", b"not json", content_type="text/plain")
    gateways.gateways_reset()
    assert (first.status_code, first.json()) == (200, {"code": 0, "msg": "成功"})
    assert (second.status_code, second.json()) == (200, {"code": 0, "msg": "成功"})
    assert garbage.status_code == 400
    message.refresh_from_db()
    assert (message.status, message.receipt_code) == (MessageStatus.DELIVERED, "DELIVERED")


def test_dashboard_shows_the_headline_and_panel(
    center: Any, director: Any, login_client_for: Callable[[Any], Client]
) -> None:
    import random

    notifications_demo_history(center=center, rng=random.Random(1), days=3)
    total = Message.objects.filter(status__in=("sent", "delivered")).count()
    client = login_client_for(director)
    assert f"已累计发送 {total} 条" in client.get("/sms/").content.decode()
    assert f"已累计发送 {total} 条" in client.get("/").content.decode()
    stats = client.get("/api/v1/sms/stats")
    assert stats.status_code == 401 or stats.json()["total_sent"] == total


@pytest.mark.parametrize("batch_id", ["18446744073709551617", "9223372036854775808", "-1"])
def test_a_huge_batch_id_is_an_empty_list_or_404_not_a_500(
    batch_id: str, back_office: Any, api_client_for: Callable[[Any], Client]
) -> None:
    client = api_client_for(back_office)

    listing = client.get(f"/api/v1/sms/messages?batch_id={batch_id}")
    detail = client.get(f"/api/v1/sms/batches/{batch_id}")

    assert (listing.status_code, listing.json()) == (200, [])
    assert detail.status_code == 404


def test_retry_never_redirects_to_another_site(
    back_office: Any, center: Any, login_client_for: Callable[[Any], Client], monkeypatch: Any
) -> None:
    monkeypatch.setattr(common, "message_schedule", lambda *a, **k: None)
    message = MessageFactory(center=center, status=MessageStatus.FAILED)

    response = login_client_for(back_office).post(
        f"/sms/messages/{message.pk}/retry/", {"next": "https://evil.example/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/sms/messages/"


def test_message_list_and_dashboard_name_templates_and_gateway_in_chinese(
    back_office: Any, center: Any, login_client_for: Callable[[Any], Client]
) -> None:
    MessageFactory(center=center, code="pickup_ready")
    client = login_client_for(back_office)

    listing = client.get("/sms/messages/").content.decode()
    dashboard = client.get("/sms/").content.decode()

    assert "<td>领证通知</td>" in listing
    assert '<option value="pickup_ready" >领证通知</option>' in listing
    assert ">pickup_ready<" not in listing
    assert "通道：本机发件箱（演示，未接短信平台）" in dashboard
    assert "通道：console" not in dashboard
