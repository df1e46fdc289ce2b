"""Cross-center authorization of every SMS-platform write (API operation and form), with a
center-B user against center-A objects: refused as if the object did not exist, and nothing
changes.

Covered, by URL name / API operation:
- API ``message_retry`` (POST /api/v1/sms/messages/{message_id}/retry), form
  ``notifications:message_retry``
- API ``batch_send`` (POST /api/v1/sms/batches/{batch_id}/send), form ``notifications:batch_send``
- form ``notifications:batch_cancel``
- API ``batch_import`` (POST /api/v1/sms/batches), form ``notifications:batch_list`` (POST):
  center A's case numbers never match for center B
- reads: API ``batch_detail``, ``messages_list``; forms ``notifications:batch_detail``,
  ``notifications:batch_progress``, ``notifications:message_list``

SMS templates (``notifications:template_new``/``template_edit``/``template_approve``) are one
province-wide set: the provider approves them per SMS account, not per center, and every center's
citizens receive the same wording. So writing them is a province-scope action
(``core.actors.is_province_scope``): a center's director (of A or of B) reads them and is told
why saving is refused (``province_only``); only the province account edits and approves them
(README, Security: province-wide reference data). The live count (``notifications:template_preview``,
POST /api/v1/sms/templates/preview) only computes a preview and writes nothing, for any center.

The provider's delivery receipts (POST /api/v1/sms/receipts/{gateway}) carry no staff actor:
they are signed with the gateway's secret and match a message by the provider's own message id,
so no center's user can aim them at another center's messages (tested in test_views.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from bianmin.core.actors import is_province_scope
from bianmin.core.errors import PermissionDenied
from bianmin.core.permissions import Role
from bianmin.notifications import services
from bianmin.notifications.enums import (
    BatchRowStatus,
    BatchStatus,
    MessageStatus,
    TemplateStatus,
)
from bianmin.notifications.models import Batch, BatchRow, Message, SmsTemplate
from bianmin.notifications.services import common
from bianmin.notifications.tests.factories import MessageFactory, matched_batch

pytestmark = pytest.mark.usefixtures("pinned", "templates")


@pytest.fixture(autouse=True)
def _no_send(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "message_schedule", lambda *a, **k: None)


@pytest.fixture
def back_office_b(make_staff: Callable[..., Any], other_center: Any) -> Any:
    return make_staff(Role.BACK_OFFICE, username="hybackoffice", center_=other_center)


@pytest.fixture
def failed_message_a(center: Any) -> Message:
    message: Message = MessageFactory.create(center=center, status=MessageStatus.FAILED, case_id=1)
    return message


@pytest.fixture
def draft_batch_a(center: Any, back_office: Any) -> Batch:
    return matched_batch(center=center, created_by=back_office)


def test_retry_of_a_center_a_message_is_not_found(
    failed_message_a, back_office_b, api_client_for, login_client_for
) -> None:
    api = api_client_for(back_office_b).post(f"/api/v1/sms/messages/{failed_message_a.pk}/retry")
    form = login_client_for(back_office_b).post(
        reverse("notifications:message_retry", args=[failed_message_a.pk]),
        HTTP_HX_REQUEST="true",
    )

    assert api.status_code == 404
    assert "短信不存在" in form.content.decode()
    failed_message_a.refresh_from_db()
    assert failed_message_a.status == MessageStatus.FAILED


def test_send_and_cancel_of_a_center_a_batch_change_nothing(
    draft_batch_a, back_office_b, api_client_for, login_client_for
) -> None:
    api = api_client_for(back_office_b).post(f"/api/v1/sms/batches/{draft_batch_a.pk}/send")
    client = login_client_for(back_office_b)
    client.post(reverse("cases:arrival_batch_send", args=[draft_batch_a.pk]))
    client.post(reverse("notifications:batch_cancel", args=[draft_batch_a.pk]))

    assert api.status_code == 404
    draft_batch_a.refresh_from_db()
    assert draft_batch_a.status == BatchStatus.DRAFT
    assert draft_batch_a.confirmed_by_id is None
    assert Message.objects.count() == 0


def test_center_a_batches_and_messages_are_invisible_to_center_b(
    draft_batch_a, failed_message_a, back_office_b, api_client_for, login_client_for
) -> None:
    api = api_client_for(back_office_b)
    client = login_client_for(back_office_b)

    assert api.get(f"/api/v1/sms/batches/{draft_batch_a.pk}").status_code == 404
    assert api.get("/api/v1/sms/messages").json() == []
    assert (
        client.get(reverse("notifications:batch_detail", args=[draft_batch_a.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("notifications:batch_progress", args=[draft_batch_a.pk])).status_code
        == 404
    )
    listing = client.get(reverse("notifications:message_list")).content.decode()
    assert "139****5678" not in listing
    assert client.get(reverse("notifications:batch_list")).context["batches"].count() == 0


def test_center_a_case_numbers_never_match_in_a_center_b_import(
    waiting_cases, back_office_b, api_client_for, login_client_for
) -> None:
    (a,) = waiting_cases(1)  # waiting in center A

    api = api_client_for(back_office_b).post(
        "/api/v1/sms/batches", {"kind": "arrival_list", "lines": a.number}
    )
    login_client_for(back_office_b).post(
        reverse("notifications:batch_list"), {"kind": "arrival_list", "lines": a.number}
    )

    assert api.status_code == 200
    assert api.json()["rows_matched"] == 0
    assert not BatchRow.objects.filter(status=BatchRowStatus.MATCHED).exists()
    assert all(b.center_id == back_office_b.center_id for b in Batch.objects.all())


# -- templates: one province-wide set, written only by the province account -------------------

PICKUP_EDIT = {
    "name": "领证通知",
    "purpose": "证件到达",
    "body": "您的${item}已到（办件号${case_number}），请带身份证到便民服务中心领取。",
    "max_segments": "1",
    "aliyun_code": "",
    "tencent_id": "",
}


@pytest.fixture
def director_b(make_staff: Callable[..., Any], other_center: Any) -> Any:
    return make_staff(Role.DIRECTOR, username="hydirector", center_=other_center)


def _pickup_versions() -> dict[int, str]:
    return dict(SmsTemplate.objects.filter(code="pickup_ready").values_list("version", "status"))


def test_a_center_b_director_cannot_change_what_center_a_citizens_receive(
    center, director_b, province_director, login_client_for
) -> None:
    draft = services.template_save(
        actor=province_director, code="pickup_ready", name="领证通知", body="您好，证件已到。"
    )
    before = _pickup_versions()
    client = login_client_for(director_b)

    saved = client.post(reverse("notifications:template_edit", args=["pickup_ready"]), PICKUP_EDIT)
    created = client.post(reverse("notifications:template_new"), PICKUP_EDIT | {"code": "b_only"})
    approved = client.post(
        reverse("notifications:template_approve", args=[draft.pk]),
        {"code": "pickup_ready"},
        follow=True,
    )

    assert saved.status_code == 200
    assert "只有省级账号可以修改和审核" in saved.content.decode()
    assert "只有省级账号可以修改和审核" in created.content.decode()
    assert "只有省级账号可以修改和审核" in approved.content.decode()
    assert _pickup_versions() == before
    assert services.template_get_approved("pickup_ready").version == 1  # type: ignore[union-attr]
    assert not SmsTemplate.objects.filter(code="b_only").exists()


@pytest.mark.parametrize("who", ["director", "director_b"])
def test_center_directors_are_refused_by_the_service_with_province_only(
    request, center, province_director, who
) -> None:
    actor = request.getfixturevalue(who)
    draft = services.template_save(
        actor=province_director, code="pickup_ready", name="领证通知", body="您好，证件已到。"
    )

    with pytest.raises(PermissionDenied) as saving:
        services.template_save(actor=actor, code="pickup_ready", name="x", body="您好")
    with pytest.raises(PermissionDenied) as approving:
        services.template_approve(actor=actor, template_id=draft.pk)

    assert saving.value.code == approving.value.code == "province_only"
    assert SmsTemplate.objects.get(pk=draft.pk).status == TemplateStatus.DRAFT


def test_a_center_director_reads_the_templates_and_sees_why_saving_is_refused(
    center, director_b, login_client_for
) -> None:
    client = login_client_for(director_b)

    listing = client.get(reverse("notifications:template_list")).content.decode()
    page = client.get(reverse("notifications:template_edit", args=["pickup_ready"]))
    html = page.content.decode()

    assert "领证通知" in listing
    assert "只有省级账号可以修改和审核" in listing
    assert "新建模板" not in listing
    assert page.status_code == 200
    assert "只有省级账号可以修改和审核" in html
    assert "保存为草稿" not in html


def test_the_province_account_edits_and_approves_for_every_center(
    center, province_director, login_client_for
) -> None:
    client = login_client_for(province_director)

    listing = client.get(reverse("notifications:template_list")).content.decode()
    saved = client.post(reverse("notifications:template_edit", args=["pickup_ready"]), PICKUP_EDIT)
    draft = SmsTemplate.objects.get(code="pickup_ready", status=TemplateStatus.DRAFT)
    approved = client.post(
        reverse("notifications:template_approve", args=[draft.pk]), {"code": "pickup_ready"}
    )

    assert "新建模板" in listing
    assert "只有省级账号可以修改和审核" not in listing
    assert (saved.status_code, approved.status_code) == (302, 302)
    current = services.template_get_approved("pickup_ready")
    assert current is not None
    assert (current.version, current.body) == (2, PICKUP_EDIT["body"])


def test_the_province_wide_flag_makes_only_an_administrator_province_scope(
    director_b, make_staff
) -> None:
    director_b.province_wide = True  # the flag means nothing for a director (ADR 0006)
    admin = make_staff(Role.ADMINISTRATOR, username="itadmin")
    admin.province_wide = True

    assert not is_province_scope(director_b)
    assert is_province_scope(admin)
    with pytest.raises(PermissionDenied):
        services.template_save(actor=director_b, code="pickup_ready", name="x", body="您好")


def test_the_live_count_of_a_center_b_director_writes_nothing(
    center, director_b, api_client_for, login_client_for
) -> None:
    before = _pickup_versions()

    page = login_client_for(director_b).post(
        reverse("notifications:template_preview"), {"body": "您好", "max_segments": "1"}
    )
    api = api_client_for(director_b).post(
        "/api/v1/sms/templates/preview", {"body": "您好"}, content_type="application/json"
    )

    assert (page.status_code, api.status_code) == (200, 200)
    assert api.json()["ok"] is True
    assert _pickup_versions() == before
