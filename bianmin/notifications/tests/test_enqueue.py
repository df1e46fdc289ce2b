"""sms_enqueue: one row per dedupe key, created in the caller's transaction, sent on commit."""

from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from bianmin.audit.selectors import audit_entry_search
from bianmin.core.errors import DomainError
from bianmin.notifications.enums import MessageStatus
from bianmin.notifications.models import Message
from bianmin.notifications.services import common, notifications_load_reference, sms_enqueue
from tests.support.races import run_concurrently
from tests.support.sms_outbox import outbox_lines

SHANGHAI = ZoneInfo("Asia/Shanghai")


def center_scope(center: Any) -> Any:
    return SimpleNamespace(center_id=center.pk)


DAYTIME = datetime(2026, 3, 12, 10, 0, tzinfo=SHANGHAI)


def _enqueue(center: Any, **overrides: Any) -> bool:
    kwargs: dict[str, Any] = {
        "center_id": center.pk,
        "template_code": "pickup_ready",
        "phone": "13912345678",
        "params": {"item": "居民身份证", "case_number": "TG-20260312-0001"},
        "dedupe_key": "case:1:pickup_ready",
        "case_id": 1,
    }
    kwargs.update(overrides)
    return sms_enqueue(**kwargs)


@time_machine.travel(DAYTIME, tick=False)
def test_enqueue_creates_one_row_and_sends_on_commit(
    center: Any, templates: None, outbox: Path, django_capture_on_commit_callbacks: Any
) -> None:
    # when
    with django_capture_on_commit_callbacks(execute=True):
        created = _enqueue(center)
    # then
    assert created is True
    message = Message.objects.get()
    assert message.status == MessageStatus.DELIVERED
    assert message.text == (
        "【潼关县公安局】您申请的居民身份证（办件号TG-20260312-0001）已制作完成，"
        "请于工作日携带回执到便民服务中心领取。"
    )
    assert (message.characters, message.segments) == (63, 1)
    assert message.phone_masked == "139****5678"
    assert [line["reference"] for line in outbox_lines(outbox)] == [message.reference]
    assert audit_entry_search(user=center_scope(center), action="sms_queued").count() == 1


@time_machine.travel(DAYTIME, tick=False)
def test_enqueue_twice_with_same_key_returns_false_and_sends_once(
    center: Any, templates: None, outbox: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = _enqueue(center)
        second = _enqueue(center, phone="13800000000")
    assert (first, second) == (True, False)
    assert Message.objects.count() == 1
    assert len(outbox_lines(outbox)) == 1


@time_machine.travel(DAYTIME, tick=False)
def test_enqueue_is_rolled_back_with_the_callers_transaction(
    center: Any, templates: None, outbox: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                _enqueue(center)
                raise RuntimeError("caller fails")
        except RuntimeError:
            pass
    assert callbacks == []
    assert Message.objects.count() == 0
    assert outbox_lines(outbox) == []


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"phone": "1391234567"}, "invalid_phone"),
        ({"phone": "23912345678"}, "invalid_phone"),
        ({"template_code": "no_such"}, "template_not_approved"),
        ({"params": {"item": "居民身份证"}}, "params_invalid"),
        ({"params": {"item": "610522199001011234", "case_number": "x"}}, "params_invalid"),
        ({"dedupe_key": ""}, "params_invalid"),
    ],
)
def test_enqueue_rejects_bad_input_and_creates_nothing(
    center: Any, templates: None, overrides: dict[str, Any], code: str
) -> None:
    with pytest.raises(DomainError) as excinfo:
        _enqueue(center, **overrides)
    assert excinfo.value.code == code
    assert Message.objects.count() == 0


@time_machine.travel(datetime(2026, 3, 12, 22, 30, tzinfo=SHANGHAI), tick=False)
def test_enqueue_in_quiet_hours_waits_until_eight(
    center: Any, templates: None, outbox: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _enqueue(center)
        _enqueue(
            center,
            dedupe_key="ticket:9",
            template_code="ticket_near",
            urgent=True,
            params={"number": "A023", "ahead": "3", "center": "县便民服务中心"},
        )
    normal = Message.objects.get(dedupe_key="case:1:pickup_ready")
    urgent = Message.objects.get(dedupe_key="ticket:9")
    assert normal.status == MessageStatus.QUEUED
    assert normal.next_attempt_at == datetime(2026, 3, 13, 8, 0, tzinfo=SHANGHAI)
    assert urgent.status == MessageStatus.DELIVERED
    assert [line["reference"] for line in outbox_lines(outbox)] == [urgent.reference]


@pytest.mark.django_db(transaction=True)
def test_six_threads_enqueueing_one_key_at_once_create_one_message(
    center: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    notifications_load_reference()
    monkeypatch.setattr(common, "message_schedule", lambda *a, **k: None)

    with time_machine.travel(DAYTIME, tick=True):
        results = run_concurrently(lambda _i: _enqueue(center), 6)

    assert sorted(results, key=str) == [False] * 5 + [True]
    assert Message.objects.filter(dedupe_key="case:1:pickup_ready").count() == 1
