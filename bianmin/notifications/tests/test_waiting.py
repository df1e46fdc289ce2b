"""Queued is not sent: every screen says what really happens to a message held by quiet
hours ("已排队，08:00 后发送"), and a batch sitting at 0 % says why. The clock is pinned in
every test (quiet hours are 21:00–08:00 China time)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.template import Context, Template
from django.urls import reverse

from bianmin.notifications import pipeline, selectors
from bianmin.notifications.enums import BatchKind, BatchStatus, MessageStatus
from bianmin.notifications.models import Batch, Message
from bianmin.notifications.services import (
    Recipient,
    common,
    messages_bulk_create,
    sms_enqueue,
    template_get_approved,
)
from bianmin.notifications.tests.conftest import at

NIGHT = at(2026, 3, 12, 23, 30)
DAY = at(2026, 3, 12, 10, 0)
QUIET = pipeline.QuietHours()


def _reason(now: Any, **overrides: Any) -> str:
    values: dict[str, Any] = {
        "is_urgent": False,
        "next_attempt_at": now,
        "error_code": "",
        "error_message": "",
        "local_now": now,
        "quiet": QUIET,
    }
    values.update(overrides)
    return pipeline.waiting_reason(**values)


def test_quiet_hours_say_queued_until_eight() -> None:
    assert _reason(NIGHT) == "夜间免打扰（21:00–08:00），已排队，08:00 后发送"
    assert _reason(at(2026, 3, 13, 6, 0)) == "夜间免打扰（21:00–08:00），已排队，08:00 后发送"


def test_an_urgent_message_is_not_held_by_quiet_hours() -> None:
    assert _reason(NIGHT, is_urgent=True) == "已排队，按发送速率依次发出"


def test_daily_cap_gateway_error_and_a_later_slot_each_say_why() -> None:
    tomorrow = DAY + timedelta(days=1) - timedelta(hours=2)
    assert _reason(DAY, error_code="daily_cap", next_attempt_at=tomorrow) == (
        "已达该号码当日同类短信上限，已排队，次日 08:00 后发送"
    )
    assert _reason(
        DAY,
        error_code="timeout",
        error_message="平台无响应",
        next_attempt_at=DAY + timedelta(minutes=2),
    ) == ("短信平台暂时无法发送（平台无响应），已排队，10:02 自动重试")
    assert _reason(DAY, next_attempt_at=DAY + timedelta(minutes=5)) == "已排队，10:05 后发送"


@pytest.fixture
def no_send(monkeypatch: pytest.MonkeyPatch) -> None:
    """The send task is not run: the message stays as the service left it."""
    monkeypatch.setattr(common, "message_schedule", lambda *a, **k: None)


def _enqueue(center: Any, case_id: int = 7) -> Message:
    sms_enqueue(
        center_id=center.pk,
        template_code="missing_notice",
        phone="13912345678",
        params={"item": "居民身份证", "case_number": "TG-20260312-0007", "count": "2"},
        dedupe_key=f"missing_notice:{case_id}:1",
        case_id=case_id,
    )
    return Message.objects.get(case_id=case_id)


def test_a_case_notice_queued_at_night_never_reads_sent(center, templates, no_send) -> None:
    with time_machine.travel(NIGHT, tick=False):
        message = _enqueue(center)
        badge = Template('{% load sms %}{% case_sms_status 7 "missing_notice" %}').render(Context())

    assert message.status == MessageStatus.QUEUED
    assert "已发送" not in badge
    assert "短信夜间免打扰（21:00–08:00），已排队，08:00 后发送" in badge
    assert 'class="badge warn"' in badge


def test_a_delivered_case_notice_reads_delivered(
    center, templates, outbox, django_capture_on_commit_callbacks
) -> None:
    with (
        time_machine.travel(DAY, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _enqueue(center)  # the console gateway delivers at once in the daytime
    with time_machine.travel(DAY, tick=False):
        state = selectors.case_sms_status(case_id=7, template_code="missing_notice")

    assert state == "短信已送达"
    assert selectors.case_sms_status(case_id=8, template_code="missing_notice") == ""


def _night_batch(center: Any, officer: Any, n: int = 3) -> Batch:
    batch = Batch.objects.create(
        center=center,
        kind=BatchKind.ARRIVAL_LIST,
        template_code="pickup_ready",
        created_by=officer,
        status=BatchStatus.SENDING,
        messages_total=n,
    )
    recipients = [
        Recipient(
            phone=f"1391234567{i}",
            params={"item": "居民身份证", "case_number": f"TG-20260312-000{i}"},
            dedupe_key=f"case:{100 + i}:pickup_ready",
            case_id=100 + i,
            row_number=i + 1,
        )
        for i in range(n)
    ]
    template = template_get_approved("pickup_ready")
    assert template is not None
    messages_bulk_create(batch=batch, template=template, recipients=recipients, actor=officer)
    return batch


def test_a_batch_at_zero_percent_shows_it_waits_for_eight(
    center, officer, templates, no_send, login_client_for
) -> None:
    with time_machine.travel(NIGHT, tick=False):
        batch = _night_batch(center, officer)
        progress = selectors.batch_progress(batch=batch)
        page = login_client_for(officer).get(reverse("notifications:batch_detail", args=[batch.pk]))

    assert (progress.queued, progress.percent) == (3, 0)
    assert progress.waiting_reason == "夜间免打扰（21:00–08:00），已排队，08:00 后发送"
    html = page.content.decode()
    assert 'data-testid="batch-waiting">夜间免打扰（21:00–08:00），已排队，08:00 后发送' in html
    assert '<span class="badge warn">排队中</span>' in html
    assert '<span class="badge warn">发送中</span>' not in html


def test_the_message_list_says_why_each_queued_message_waits(
    center, officer, templates, no_send, login_client_for
) -> None:
    with time_machine.travel(NIGHT, tick=False):
        _enqueue(center)
        page = login_client_for(officer).get(reverse("notifications:message_list"))

    assert 'data-testid="sms-waiting">夜间免打扰（21:00–08:00），已排队，08:00 后发送' in (
        page.content.decode()
    )


def test_the_dashboard_says_why_messages_are_queued_at_night(
    center, officer, templates, no_send, login_client_for
) -> None:
    with time_machine.travel(NIGHT, tick=False):
        _enqueue(center)
        page = login_client_for(officer).get(reverse("notifications:dashboard"))

    assert (
        '排队 1（<span data-testid="queued-reason">夜间免打扰（21:00–08:00），已排队，08:00 后发送'
        in page.content.decode()
    )
