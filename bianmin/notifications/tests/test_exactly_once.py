"""Exactly once at the gateway under faults, with real processes: a fake provider server,
Huey consumers killed with SIGKILL, two consumers at once, and a gateway that times out after
accepting. The fake's record file (every message it accepted) is the ground truth."""

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from bianmin.notifications import services
from bianmin.notifications.enums import AttemptOutcome, MessageStatus
from bianmin.notifications.models import Message, MessageAttempt
from bianmin.notifications.services import common
from tests.support.sms_harness import (
    FakeGateway,
    Workers,
    record_references,
    running,
    wait_until,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

DONE = (MessageStatus.SENT, MessageStatus.DELIVERED)


@pytest.fixture
def queued(center: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Create n queued messages without scheduling them (the workers are fed separately)."""
    monkeypatch.setattr(common, "message_schedule", lambda *args, **kwargs: None)
    services.notifications_load_reference()

    def make(n: int) -> list[str]:
        for i in range(n):
            services.sms_enqueue(
                center_id=center.pk,
                template_code="pickup_ready",
                phone=f"139{i:08d}",
                params={"item": "居民身份证", "case_number": f"TG-20260312-{i:04d}"},
                dedupe_key=f"case:{i}:pickup_ready",
                case_id=i,
                urgent=True,
            )
        return list(Message.objects.values_list("reference", flat=True))

    return make


def _settle(expected: int, workers: Workers, *, timeout: float = 180.0) -> None:
    """Wait until every message is sent/delivered (the looping watchdog resolves the rest)."""

    def done() -> bool:
        return Message.objects.filter(status__in=DONE).count() == expected

    assert wait_until(done, timeout=timeout, interval=0.5), (
        dict(Counter(Message.objects.values_list("status", flat=True))),
        workers.logs(),
    )


def _assert_exactly_once(record: Path, references: list[str]) -> None:
    received = record_references(record)
    duplicates = {ref: n for ref, n in received.items() if n > 1}
    missing = [ref for ref in references if ref not in received]
    assert duplicates == {}
    assert missing == []
    assert sorted(received) == sorted(references)


def test_sigkill_mid_batch_then_restart_sends_each_message_once(
    queued: Any, tmp_path: Path
) -> None:
    # given 150 queued messages, a fake Alibaba gateway and one real Huey consumer, sending at
    # 10 per second (the shared rate limit): once 20 have arrived, the other 130 need at least
    # 13 more seconds, so the kill below lands mid-batch without racing the consumer
    references = queued(150)
    record = tmp_path / "received.jsonl"
    gateway = FakeGateway("aliyun", record, qps=200).start()
    workers = Workers(
        db_name=connection.settings_dict["NAME"],
        gateway_url=gateway.url,
        workdir=tmp_path,
        rate=10.0,
    )
    with running(gateway, workers):
        workers.start_watchdog(every=1.0, stuck_after=3.0, replay_after=1.0)  # also feeds
        consumer = workers.start_consumer()
        assert workers.wait_ready(timeout=120), workers.logs()
        # when the consumer is killed with SIGKILL in the middle of the batch
        assert wait_until(lambda: len(record_references(record)) >= 20, timeout=60), workers.logs()
        workers.kill(consumer)
        # (what the restart must finish: rows still waiting or cut off while sending; read
        # from the database, not from the gateway's record, which lags the claims)
        assert Message.objects.filter(
            status__in=(MessageStatus.QUEUED, MessageStatus.SENDING)
        ).exists()
        # and restarted
        workers.start_consumer()
        _settle(150, workers)
    # then every recipient got exactly one message at the gateway
    _assert_exactly_once(record, references)


def test_two_consumers_racing_for_every_message_send_each_once(queued: Any, tmp_path: Path) -> None:
    # given every message enqueued twice and two consumers (8 threads) pulling at once
    references = queued(120)
    record = tmp_path / "received.jsonl"
    gateway = FakeGateway("aliyun", record, qps=400).start()
    workers = Workers(
        db_name=connection.settings_dict["NAME"],
        gateway_url=gateway.url,
        workdir=tmp_path,
        rate=100.0,
    )
    with running(gateway, workers):
        workers.watchdog(stuck_after=3.0, replay_after=0.0, copies=2)
        # when
        workers.start_consumer()
        workers.start_consumer()
        assert workers.wait_ready(timeout=120), workers.logs()
        _settle(120, workers)
    # then
    _assert_exactly_once(record, references)
    claims = MessageAttempt.objects.filter(outcome=AttemptOutcome.ACCEPTED).count()
    assert claims == 120


def test_gateway_timeout_after_accepting_is_queried_not_resent(queued: Any, tmp_path: Path) -> None:
    # given a gateway that accepts the first 5 messages but answers after the client gave up
    references = queued(12)
    record = tmp_path / "received.jsonl"
    gateway = FakeGateway(
        "aliyun", record, extra=["--timeout-after-accept", "5", "--accept-delay", "2.5"]
    ).start()
    workers = Workers(
        db_name=connection.settings_dict["NAME"],
        gateway_url=gateway.url,
        workdir=tmp_path,
        rate=50.0,
        timeout=1.0,
    )
    with running(gateway, workers):
        workers.start_watchdog(every=1.0, stuck_after=3.0, replay_after=1.0)
        workers.start_consumer()
        assert workers.wait_ready(timeout=120), workers.logs()
        # when the timeouts leave messages in "sending" and the watchdog asks the gateway
        assert wait_until(
            lambda: MessageAttempt.objects.filter(outcome=AttemptOutcome.AMBIGUOUS).count() == 5,
            timeout=30,
        ), workers.logs()
        _settle(12, workers)
    # then nothing was sent twice, and the five ambiguous ones were resolved by a query
    _assert_exactly_once(record, references)
    assert MessageAttempt.objects.filter(outcome=AttemptOutcome.AMBIGUOUS).count() == 5
    resolved = MessageAttempt.objects.filter(outcome=AttemptOutcome.QUERIED).values_list(
        "message_id", flat=True
    )
    ambiguous = MessageAttempt.objects.filter(outcome=AttemptOutcome.AMBIGUOUS).values_list(
        "message_id", flat=True
    )
    assert set(ambiguous) <= set(resolved)
    assert Message.objects.filter(attempts=1).count() == 12
