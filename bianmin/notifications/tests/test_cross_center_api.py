"""POST /api/v1/sms/messages/{message_id}/retry (bianmin_notifications_api_message_retry) with
a bearer token of center B on a failed message of center A: 404 with a JSON {"code", "message"},
and nothing of center A changes: the message stays failed, its batch stays done, no attempt and
no audit entry is written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from bianmin.audit.models import AuditEntry
from bianmin.core import clock
from bianmin.core.permissions import Role
from bianmin.notifications.enums import BatchStatus, MessageStatus
from bianmin.notifications.models import Batch, Message, MessageAttempt
from bianmin.notifications.services import common
from bianmin.notifications.tests.factories import BatchFactory, MessageFactory

pytestmark = pytest.mark.usefixtures("pinned", "templates")


@pytest.fixture(autouse=True)
def _no_send(monkeypatch: pytest.MonkeyPatch) -> None:
    """A retried message is only queued here; no gateway is asked."""
    monkeypatch.setattr(common, "message_schedule", lambda *a, **k: None)


@pytest.fixture
def failed_in_a(center: Any, back_office: Any) -> Message:
    """A message of center A that failed after three attempts, in A's finished batch."""
    batch = BatchFactory.create(center=center, created_by=back_office, status=BatchStatus.DONE)
    message: Message = MessageFactory.create(
        center=center,
        batch=batch,
        status=MessageStatus.FAILED,
        attempts=3,
        failed_at=clock.now() - timedelta(minutes=5),
        error_code="isv.BUSINESS_LIMIT_CONTROL",
        error_message="触发流控",
    )
    return message


@pytest.fixture
def b_staff(make_staff: Callable[..., Any], other_center: Any) -> dict[Role, Any]:
    """Center B's staff who may send SMS."""
    return {
        role: make_staff(role, username=f"hy-{role}", center_=other_center)
        for role in (Role.BACK_OFFICE, Role.OFFICER, Role.DIRECTOR)
    }


def _state(message: Message) -> dict[str, Any]:
    return {
        "message": Message.objects.filter(pk=message.pk)
        .values("status", "attempts", "next_attempt_at", "failed_at", "error_code", "claim_token")
        .get(),
        "batch": Batch.objects.filter(messages=message).values("status", "finished_at").get(),
        "attempts": MessageAttempt.objects.filter(message=message).count(),
        "audit": AuditEntry.objects.filter(center=message.center_id).count(),
        "messages": Message.objects.count(),
    }


@pytest.mark.parametrize("role", [Role.BACK_OFFICE, Role.OFFICER, Role.DIRECTOR])
def test_retry_by_b_of_a_failed_message_of_a_is_not_found(
    failed_in_a, b_staff, api_client_for, role
) -> None:
    """POST /api/v1/sms/messages/{message_id}/retry by every center-B role allowed to send."""
    client = api_client_for(b_staff[role])
    before = _state(failed_in_a)
    response = client.post(f"/api/v1/sms/messages/{failed_in_a.pk}/retry")
    assert response.status_code == 404, response.content
    payload = response.json()
    assert payload["code"] == "not_found"
    assert "短信不存在" in payload["message"]
    assert _state(failed_in_a) == before


def test_retry_by_a_own_back_office_works(failed_in_a, back_office, api_client_for) -> None:
    """Control: POST /api/v1/sms/messages/{message_id}/retry by A's back office queues the
    message again and reopens its batch, so B's 404 above is the center's doing."""
    response = api_client_for(back_office).post(f"/api/v1/sms/messages/{failed_in_a.pk}/retry")
    assert response.status_code == 200, response.content
    failed_in_a.refresh_from_db()
    assert failed_in_a.status == MessageStatus.QUEUED
    assert Batch.objects.get(pk=failed_in_a.batch_id).status == BatchStatus.SENDING
