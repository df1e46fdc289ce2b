"""Cross-center authorization of every SMS-platform write (API operation and form), with a
center-B user against center-A objects: refused as if the object did not exist, and nothing
changes.

Covered, by URL name / API operation:
- API ``message_retry`` (POST /api/v1/sms/messages/{id}/retry), form ``notifications:message_retry``
- API ``batch_send`` (POST /api/v1/sms/batches/{id}/send), form ``notifications:batch_send``
- form ``notifications:batch_cancel``
- API ``batch_import`` (POST /api/v1/sms/batches), form ``notifications:batch_list`` (POST):
  center A's case numbers never match for center B
- reads: API ``batch_detail``, ``messages_list``; forms ``notifications:batch_detail``,
  ``notifications:batch_progress``, ``notifications:message_list``

SMS templates (``notifications:template_new``/``template_edit``/``template_approve``) are one
province-wide set: the provider approves them per SMS account, not per center, so they are
deliberately not scoped to a center (see docs/readme/notifications-identity.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from bianmin.core.permissions import Role
from bianmin.notifications.enums import BatchRowStatus, BatchStatus, MessageStatus
from bianmin.notifications.models import Batch, BatchRow, Message
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
    client.post(reverse("notifications:batch_send", args=[draft_batch_a.pk]))
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
