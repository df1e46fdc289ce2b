"""The sender: claim before send, retries with backoff to a visible failure, the watchdog that
asks before resending, quiet hours, the daily cap, failover with damping, the rate limit."""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from bianmin.core.errors import Conflict, PermissionDenied
from bianmin.notifications import gateways, pipeline, services
from bianmin.notifications.clients import DeliveryState, OutgoingSms, Receipt, SendResult
from bianmin.notifications.enums import AttemptOutcome, MessageStatus
from bianmin.notifications.models import GatewayState, Message, MessageAttempt
from bianmin.notifications.services import common, delivery
from bianmin.notifications.tests.conftest import at

pytestmark = pytest.mark.usefixtures("templates")


@dataclass
class ScriptedGateway:
    """A gateway whose answers the test scripts; it remembers every send and query."""

    name: str = "aliyun"
    answers: list[SendResult] = field(default_factory=list)
    state: DeliveryState = DeliveryState.UNKNOWN
    sent: list[OutgoingSms] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)

    def send(self, sms: OutgoingSms) -> SendResult:
        self.sent.append(sms)
        return self.answers.pop(0) if self.answers else SendResult.ok(f"biz-{len(self.sent)}")

    def query(
        self, *, reference: str, phone: str, provider_id: str | None, sent_on: date
    ) -> DeliveryState:
        self.queries.append(reference)
        return self.state

    def parse_receipts(self, body: bytes, headers: Mapping[str, str]) -> list[Receipt]:
        return []

    def receipt_ack(self) -> dict[str, Any]:
        return {"code": 0}

    def verify_receipt_request(
        self, headers: Any, body: bytes, query_params: Any, secret: str
    ) -> bool:
        return False


@pytest.fixture
def gateway(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedGateway]:
    scripted = ScriptedGateway()
    backup = ScriptedGateway(name="tencent")
    monkeypatch.setattr(gateways, "_instances", {"aliyun": scripted, "tencent": backup})
    with override_settings(SMS_GATEWAY="aliyun", SMS_GATEWAY_FALLBACK="", SMS_RATE_PER_SECOND=1000):
        yield scripted


@pytest.fixture
def no_schedule(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, Any]]:
    calls: list[tuple[int, Any]] = []
    monkeypatch.setattr(common, "message_schedule", lambda pk, at=None: calls.append((pk, at)))
    return calls


def _queue(center: Any, n: int = 1, **kwargs: Any) -> list[Message]:
    for i in range(n):
        services.sms_enqueue(
            center_id=center.pk,
            template_code="pickup_ready",
            phone=f"1391234{i:04d}",
            params={"item": "居民身份证", "case_number": f"TG-20260312-{i:04d}"},
            dedupe_key=f"case:{i}:pickup_ready",
            case_id=i,
            **kwargs,
        )
    return list(Message.objects.order_by("pk"))


def _queue_sign_in_code(center: Any) -> Message:
    services.sms_enqueue(
        center_id=center.pk,
        template_code="desk_sign_in_code",
        phone="13912340000",
        params={"code": "493817"},
        dedupe_key="desk:code:1",
        urgent=True,
    )
    return Message.objects.get()


@time_machine.travel(at(2026, 3, 12), tick=False)
def test_a_secret_parameter_is_masked_in_the_row_encrypted_until_sent_and_then_dropped(
    center: Any, gateway: ScriptedGateway, no_schedule: Any
) -> None:
    message = _queue_sign_in_code(center)
    assert message.params == {"code": "******"}
    assert "493817" not in message.text
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM notifications_message WHERE id = %s", [message.pk])
        stored = bytes(cursor.fetchone()[0])
    assert b"493817" not in stored  # SM4 at rest, not JSON text
    assert message.secret == '{"code": "493817"}'

    assert services.message_deliver(message_id=message.pk) == "sent"
    (sent,) = gateway.sent
    assert sent.params == {"code": "493817"}  # the SMS carries the code
    assert "验证码为493817" in sent.text
    message.refresh_from_db()
    assert message.secret is None


def test_a_secret_is_dropped_when_the_watchdog_finds_the_provider_has_the_message(
    center: Any, gateway: ScriptedGateway, no_schedule: Any
) -> None:
    with time_machine.travel(at(2026, 3, 12), tick=False) as clock:
        message = _queue_sign_in_code(center)
        gateway.answers = [SendResult.failed("timeout", "超时", retryable=True)]
        assert services.message_deliver(message_id=message.pk) == "ambiguous"
        message.refresh_from_db()
        assert message.secret is not None  # not known to have arrived: a resend needs it
        gateway.state = DeliveryState.DELIVERED
        clock.shift(timedelta(seconds=121))
        services.messages_watchdog(stuck_after=120)
        message.refresh_from_db()
        assert (message.status, message.secret) == (MessageStatus.DELIVERED, None)


@time_machine.travel(at(2026, 3, 12), tick=False)
def test_second_delivery_of_a_claimed_message_sends_nothing(
    center: Any, gateway: ScriptedGateway, no_schedule: Any
) -> None:
    (message,) = _queue(center)
    assert services.message_deliver(message_id=message.pk) == "sent"
    assert services.message_deliver(message_id=message.pk) == "skipped"
    message.refresh_from_db()
    assert (message.status, message.provider_id, message.attempts) == (
        MessageStatus.SENT,
        "biz-1",
        1,
    )
    assert [s.reference for s in gateway.sent] == [message.reference]
    assert gateway.sent[0].params == {"item": "居民身份证", "case_number": "TG-20260312-0000"}
    assert gateway.sent[0].signature == "潼关县公安局"


@time_machine.travel(at(2026, 3, 12), tick=False)
def test_claim_is_a_conditional_update(
    center: Any, gateway: ScriptedGateway, no_schedule: Any
) -> None:
    (message,) = _queue(center)
    # another worker claimed it between our read and our update
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENDING, claim_token="x")
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.QUEUED)
    stale = Message.objects.get(pk=message.pk)
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENDING)
    assert delivery._send_claimed(stale, gateway, "not-my-token", 1) == "sent"
    # the record of someone else's claim is never overwritten
    assert Message.objects.get(pk=message.pk).status == MessageStatus.SENDING


def test_retryable_errors_back_off_then_fail_visibly(
    center: Any, gateway: ScriptedGateway, no_schedule: list[tuple[int, Any]]
) -> None:
    with time_machine.travel(at(2026, 3, 12), tick=False) as clock:
        (message,) = _queue(center)
        gateway.answers = [SendResult.failed("connect_error", "无法连接", retryable=True)] * 6
        delays = []
        for _ in range(6):
            outcome = services.message_deliver(message_id=message.pk)
            message.refresh_from_db()
            if outcome == "retry":
                delays.append(round((message.next_attempt_at - at(2026, 3, 12)).total_seconds()))
                clock.move_to(message.next_attempt_at)
        assert delays == [30, 90, 210, 450, 930]  # 30 s, 1, 2, 4, 8 min after each other
        assert message.status == MessageStatus.FAILED
        assert message.error_message.startswith("已重试 6 次仍未成功")
        assert len(gateway.sent) == 6


@pytest.mark.parametrize(
    ("answer", "first_delay"),
    [
        # the provider's requests-per-second limit: nothing was sent, next free slot soon
        (SendResult.failed("Throttling.User", "请求过于频繁", retryable=True), 1),
        (SendResult.failed("RequestLimitExceeded", "请求过于频繁", retryable=True), 1),
        # a per-number frequency limit keeps the fault backoff
        (SendResult.failed("isv.BUSINESS_LIMIT_CONTROL", "业务限流", retryable=True), 30),
    ],
)
def test_a_rate_limited_send_goes_again_within_seconds_then_is_sent_once(
    center: Any,
    gateway: ScriptedGateway,
    no_schedule: list[tuple[int, Any]],
    answer: SendResult,
    first_delay: int,
) -> None:
    with time_machine.travel(at(2026, 3, 12), tick=False) as clock:
        (message,) = _queue(center)
        gateway.answers = [answer]
        assert services.message_deliver(message_id=message.pk) == "retry"
        message.refresh_from_db()
        delay = (message.next_attempt_at - at(2026, 3, 12)).total_seconds()
        assert (message.status, message.error_code) == (MessageStatus.QUEUED, answer.error_code)
        assert round(delay) == first_delay
        clock.move_to(message.next_attempt_at)
        assert services.message_deliver(message_id=message.pk) == "sent"
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 2)
    assert [s.reference for s in gateway.sent] == [message.reference] * 2  # one refused, one sent


@time_machine.travel(at(2026, 3, 12), tick=False)
def test_permanent_rejection_fails_at_once(
    center: Any, gateway: ScriptedGateway, no_schedule: Any
) -> None:
    (message,) = _queue(center)
    gateway.answers = [
        SendResult.failed("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号", retryable=False)
    ]
    assert services.message_deliver(message_id=message.pk) == "failed"
    message.refresh_from_db()
    assert (message.status, message.error_code) == (
        MessageStatus.FAILED,
        "isv.MOBILE_NUMBER_ILLEGAL",
    )


@pytest.mark.parametrize(
    ("state", "status", "resent"),
    [
        (DeliveryState.DELIVERED, MessageStatus.DELIVERED, 0),
        (DeliveryState.PENDING, MessageStatus.SENT, 0),
        (DeliveryState.FAILED, MessageStatus.FAILED, 0),
        (DeliveryState.UNKNOWN, MessageStatus.SENT, 1),
    ],
)
def test_watchdog_asks_the_gateway_before_resending(
    center: Any,
    gateway: ScriptedGateway,
    no_schedule: Any,
    state: DeliveryState,
    status: str,
    resent: int,
) -> None:
    with time_machine.travel(at(2026, 3, 12), tick=False) as clock:
        (message,) = _queue(center)
        gateway.answers = [SendResult.failed("timeout", "超时", retryable=True)]
        assert services.message_deliver(message_id=message.pk) == "ambiguous"
        assert Message.objects.get(pk=message.pk).status == MessageStatus.SENDING
        gateway.state = state
        # not yet stuck: nothing happens
        assert services.messages_watchdog(stuck_after=120).get("requeued", 0) == 0
        assert gateway.queries == []
        clock.shift(timedelta(seconds=121))
        services.messages_watchdog(stuck_after=120)
        assert gateway.queries == [message.reference]
        services.message_deliver(message_id=message.pk)  # a replayed task
        message.refresh_from_db()
        assert message.status == status
        assert len(gateway.sent) == 1 + resent
        assert (
            MessageAttempt.objects.filter(message=message, outcome=AttemptOutcome.QUERIED).count()
            == 1
        )


def test_quiet_hours_reschedule_until_eight(
    center: Any, gateway: ScriptedGateway, no_schedule: list[tuple[int, Any]]
) -> None:
    with time_machine.travel(at(2026, 3, 12, 20, 59), tick=False) as clock:
        (message,) = _queue(center)
        clock.move_to(at(2026, 3, 12, 21, 0))
        assert services.message_deliver(message_id=message.pk) == "quiet_hours"
        message.refresh_from_db()
        assert message.next_attempt_at == at(2026, 3, 13, 8, 0)
        assert no_schedule[-1] == (message.pk, at(2026, 3, 13, 8, 0))
        clock.move_to(at(2026, 3, 13, 7, 59))
        assert services.message_deliver(message_id=message.pk) == "quiet_hours"
        clock.move_to(at(2026, 3, 13, 8, 0))
        assert services.message_deliver(message_id=message.pk) == "sent"
        assert len(gateway.sent) == 1


@pytest.mark.parametrize(
    ("hour", "minute", "resume"),
    [
        (20, 59, None),
        (21, 0, (13, 8)),
        (23, 30, (13, 8)),
        (0, 5, (12, 8)),
        (7, 59, (12, 8)),
        (8, 0, None),
    ],
)
def test_quiet_hours_boundaries(hour: int, minute: int, resume: tuple[int, int] | None) -> None:
    expected = at(2026, 3, resume[0], resume[1]) if resume else None
    assert pipeline.QuietHours().resume_at(at(2026, 3, 12, hour, minute)) == expected


@time_machine.travel(at(2026, 3, 12), tick=False)
def test_daily_cap_per_number_and_template_defers_to_next_morning(
    center: Any, gateway: ScriptedGateway, no_schedule: Any
) -> None:
    with override_settings(SMS_DAILY_CAP_PER_NUMBER=2):
        for i in range(3):
            services.sms_enqueue(
                center_id=center.pk,
                template_code="pickup_ready",
                phone="13912345678",
                params={"item": "居民身份证", "case_number": f"TG-{i}"},
                dedupe_key=f"k{i}",
            )
        outcomes = [
            services.message_deliver(message_id=m.pk) for m in Message.objects.order_by("pk")
        ]
    assert outcomes == ["sent", "sent", "daily_cap"]
    last = Message.objects.order_by("pk").last()
    assert last is not None
    assert (last.status, last.next_attempt_at) == (MessageStatus.QUEUED, at(2026, 3, 13, 8))


@time_machine.travel(at(2026, 3, 12), tick=False)
def test_failover_only_after_repeated_errors(
    center: Any, gateway: ScriptedGateway, no_schedule: Any
) -> None:
    with override_settings(SMS_GATEWAY_FALLBACK="tencent"):
        messages = _queue(center, n=gateways.FAILOVER_ERRORS + 1)
        gateway.answers = [SendResult.failed("connect_error", "x", retryable=True)] * 10
        services.message_deliver(message_id=messages[0].pk)
        assert gateways.active_gateway().name == "aliyun"  # one error never switches
        for m in messages[1 : gateways.FAILOVER_ERRORS]:
            services.message_deliver(message_id=m.pk)
        assert gateways.active_gateway().name == "tencent"
        state = GatewayState.objects.get(name="aliyun")
        assert state.failover_until is not None
        services.message_deliver(message_id=messages[-1].pk)
        assert Message.objects.get(pk=messages[-1].pk).gateway == "tencent"


def test_rate_limit_is_one_shared_bucket() -> None:
    # 10 per second, burst of 1: the n-th reservation waits (n-1)/10 s
    tat, waits = 0.0, []
    for _ in range(5):
        wait, tat = pipeline.gcra_reserve(tat, 1000.0, rate=10, burst=1, max_wait=2)
        waits.append(round(wait or 0, 3))
    assert waits == [0.0, 0.1, 0.2, 0.3, 0.4]
    assert pipeline.gcra_reserve(1003.0, 1000.0, rate=10, burst=1, max_wait=2)[0] is None


@pytest.mark.django_db
def test_rate_reserve_persists_in_the_database() -> None:
    with override_settings(SMS_RATE_PER_SECOND=5):
        first = gateways.rate_reserve("aliyun")
        second = gateways.rate_reserve("aliyun")
    assert first == 0.0
    assert second is not None
    assert 0.15 < second <= 0.2
    assert GatewayState.objects.get(name="aliyun").tat > 0


@time_machine.travel(at(2026, 3, 12), tick=False)
def test_staff_retry_requeues_a_failed_message(
    center: Any,
    gateway: ScriptedGateway,
    no_schedule: Any,
    officer: Any,
    make_staff: Any,
) -> None:
    from bianmin.core.permissions import Role

    (message,) = _queue(center)
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.FAILED, attempts=6)
    with pytest.raises(PermissionDenied):
        services.message_retry(actor=make_staff(Role.GUIDE), message_id=message.pk)
    assert Message.objects.get(pk=message.pk).status == MessageStatus.FAILED
    retried = services.message_retry(actor=officer, message_id=message.pk)
    assert (retried.status, retried.attempts) == (MessageStatus.QUEUED, 0)
    with pytest.raises(Conflict):
        services.message_retry(actor=officer, message_id=message.pk)
    assert services.message_deliver(message_id=message.pk) == "sent"


def test_receipts_are_idempotent_and_unknown_ids_change_nothing(
    center: Any, gateway: ScriptedGateway, no_schedule: Any
) -> None:
    with time_machine.travel(at(2026, 3, 12), tick=False):
        a, b = _queue(center, n=2)
        services.message_deliver(message_id=a.pk)
        services.message_deliver(message_id=b.pk)
        receipts = [
            Receipt(
                reference=None,
                provider_id="biz-1",
                phone="13912340000",
                delivered=True,
                code="DELIVERED",
                at=at(2026, 3, 12, 10, 1),
            ),
            Receipt(
                reference=b.reference,
                provider_id="biz-2",
                phone="13912340001",
                delivered=False,
                code="MK:0001",
                at=at(2026, 3, 12, 10, 1),
            ),
            Receipt(
                reference=None,
                provider_id="nobody",
                phone="13900000000",
                delivered=True,
                code="DELIVERED",
                at=at(2026, 3, 12, 10, 1),
            ),
        ]
        first = services.receipts_process(gateway_name="aliyun", receipts=receipts)
        second = services.receipts_process(gateway_name="aliyun", receipts=receipts)
    assert first == {"updated": 2, "duplicate": 0, "unknown": 1}
    assert second == {"updated": 0, "duplicate": 2, "unknown": 1}
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, a.delivered_at) == (MessageStatus.DELIVERED, at(2026, 3, 12, 10, 1))
    assert (b.status, b.receipt_code) == (MessageStatus.FAILED, "MK:0001")


@pytest.mark.django_db
def test_rate_reserve_spaces_every_slot_evenly_without_a_burst(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # providers count sends in a sliding one-second window: at 100 per second, the n-th
    # reservation of a fresh bucket waits (n-1)/100 s; none goes early as part of a burst
    monkeypatch.setattr(gateways, "time", SimpleNamespace(time=lambda: 1000.0))
    with override_settings(SMS_RATE_PER_SECOND=100):
        waits = [gateways.rate_reserve("aliyun") for _ in range(5)]
    assert [None if w is None else round(w, 4) for w in waits] == [0.0, 0.01, 0.02, 0.03, 0.04]


@time_machine.travel(at(2026, 3, 12), tick=False)
def test_the_request_is_ready_before_its_slot_so_it_leaves_on_time(
    center: Any, gateway: ScriptedGateway, no_schedule: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a slot 50 ms ahead
    (message,) = _queue(center)
    monkeypatch.setattr(gateways, "rate_reserve", lambda name, rate=None: 0.05)
    queries = CaptureQueriesContext(connection)
    events: list[tuple[str, int]] = []
    original_send = gateway.send

    def send(sms: OutgoingSms) -> SendResult:
        events.append(("send", len(queries.captured_queries)))
        return original_send(sms)

    monkeypatch.setattr(gateway, "send", send)
    monkeypatch.setattr(
        delivery.time, "sleep", lambda seconds: events.append(("wait", len(queries)))
    )
    # when it is delivered
    with queries:
        assert services.message_deliver(message_id=message.pk) == "sent"
    # then the row was read and the request built before the wait: no database round trip
    # stands between the slot and the request
    (wait, at_wait), (send_event, at_send) = events
    assert (wait, send_event) == ("wait", "send")
    assert at_wait == at_send
    assert gateway.sent[0].reference == message.reference
