"""The Alibaba and Tencent clients against their loopback fakes, in process and as a separate
process (what the kill tests and the benchmark use). No Django needed; traffic stays on
127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine

from bianmin.notifications.clients import (
    AliyunSmsGateway,
    DeliveryState,
    TencentSmsGateway,
    receipt_token,
)
from bianmin.notifications.clients.base import china_today
from bianmin.notifications.tests.clients_support import (
    RECEIPT_SECRET,
    REPO_ROOT,
    SHORT_TIMEOUT,
    SIGNATURE,
    ReceiptSink,
    make_sms,
)
from tests.support.clock import real_now
from tests.support.sms_fakes import (
    FAKE_ALIYUN_ACCESS_KEY_ID,
    FAKE_ALIYUN_ACCESS_KEY_SECRET,
    FAKE_TENCENT_SDK_APP_ID,
    FAKE_TENCENT_SECRET_ID,
    FAKE_TENCENT_SECRET_KEY,
    FakeAliyunSms,
    FakeTencentSms,
    ReceivedMessage,
)

# ============================================================================================
# Alibaba Cloud client against its fake


@pytest.fixture
def aliyun_fake() -> Iterator[FakeAliyunSms]:
    with FakeAliyunSms(accept_delay=5.0) as fake:
        yield fake


def aliyun_gateway(
    fake: FakeAliyunSms, secret: str = FAKE_ALIYUN_ACCESS_KEY_SECRET
) -> AliyunSmsGateway:
    return AliyunSmsGateway(
        FAKE_ALIYUN_ACCESS_KEY_ID, secret, endpoint=fake.url, timeout=SHORT_TIMEOUT
    )


def test_aliyun_send_accepted(aliyun_fake: FakeAliyunSms) -> None:
    with aliyun_gateway(aliyun_fake) as gateway:
        result = gateway.send(make_sms())
    assert result.accepted is True
    assert result.error_code is None
    assert result.provider_id is not None
    assert result.provider_id.endswith("^0")
    assert aliyun_fake.received() == [
        ReceivedMessage("msg-1", "13800000000", {"name": "张三", "date": "5月20日"})
    ]
    [message] = aliyun_fake.messages()
    assert message.signature == SIGNATURE
    assert message.template_code == "SMS_123456789"
    assert message.provider_id == result.provider_id


def test_aliyun_wrong_secret_is_rejected_by_signature_check(aliyun_fake: FakeAliyunSms) -> None:
    with aliyun_gateway(aliyun_fake, secret="wrong-secret") as gateway:
        result = gateway.send(make_sms())
    assert result.accepted is False
    assert result.error_code == "SignatureDoesNotMatch"
    assert result.retryable is False
    assert result.error == "短信平台签名校验失败，请检查 AccessKey Secret。"
    assert aliyun_fake.received() == []
    assert aliyun_fake.stats["auth_rejected"] == 1


def test_aliyun_nonce_replay_is_rejected(aliyun_fake: FakeAliyunSms) -> None:
    gateway = AliyunSmsGateway(
        FAKE_ALIYUN_ACCESS_KEY_ID,
        FAKE_ALIYUN_ACCESS_KEY_SECRET,
        endpoint=aliyun_fake.url,
        timeout=SHORT_TIMEOUT,
        nonce_factory=lambda: "always-the-same",
    )
    with gateway:
        assert gateway.send(make_sms("a")).accepted is True
        replay = gateway.send(make_sms("b"))
    assert (replay.accepted, replay.error_code, replay.retryable) == (
        False,
        "SignatureNonceUsed",
        True,
    )
    assert [m.reference for m in aliyun_fake.received()] == ["a"]


def test_aliyun_throttling_is_retryable() -> None:
    with FakeAliyunSms(qps=1) as fake, aliyun_gateway(fake) as gateway:
        first = gateway.send(make_sms("t-1"))
        second = gateway.send(make_sms("t-2"))
        assert [m.reference for m in fake.received()] == ["t-1"]
    assert first.accepted is True
    assert second.accepted is False
    assert second.error_code == "Throttling.User"
    assert second.retryable is True
    assert second.rate_limited is True
    assert second.needs_query is False


def test_aliyun_injected_failure_is_retryable_and_ambiguous(aliyun_fake: FakeAliyunSms) -> None:
    aliyun_fake.inject(fail_next=1)
    with aliyun_gateway(aliyun_fake) as gateway:
        failed = gateway.send(make_sms("f-1"))
        ok = gateway.send(make_sms("f-2"))
    assert (failed.accepted, failed.error_code, failed.retryable) == (
        False,
        "isp.SYSTEM_ERROR",
        True,
    )
    assert failed.needs_query is True
    assert ok.accepted is True
    assert [m.reference for m in aliyun_fake.received()] == ["f-2"]


def test_aliyun_timeout_after_accept_is_found_by_query(aliyun_fake: FakeAliyunSms) -> None:
    aliyun_fake.inject(timeout_after_accept=1)
    sms = make_sms("to-1")
    with aliyun_gateway(aliyun_fake) as gateway:
        result = gateway.send(sms)
        assert (result.accepted, result.error_code, result.retryable) == (False, "timeout", True)
        assert result.needs_query is True
        assert aliyun_fake.received() == [ReceivedMessage("to-1", sms.phone, dict(sms.params))]
        state = gateway.query(
            reference="to-1", phone=sms.phone, provider_id=None, sent_on=china_today()
        )
        assert state == DeliveryState.DELIVERED  # so no resend is needed
        missing = gateway.query(
            reference="never-sent", phone=sms.phone, provider_id=None, sent_on=china_today()
        )
        assert missing == DeliveryState.UNKNOWN
    assert aliyun_fake.stats["delayed"] == 1


def test_aliyun_query_reports_pending_and_failed() -> None:
    with FakeAliyunSms(delivery_delay=60) as fake, aliyun_gateway(fake) as gateway:
        sent = gateway.send(make_sms("p-1"))
        assert sent.accepted is True
        by_reference = gateway.query(
            reference="p-1", phone="13800000000", provider_id=None, sent_on=china_today()
        )
        by_biz_id = gateway.query(
            reference="ignored",
            phone="13800000000",
            provider_id=sent.provider_id,
            sent_on=china_today(),
        )
    assert by_reference == DeliveryState.PENDING
    assert by_biz_id == DeliveryState.PENDING
    with (
        FakeAliyunSms(undeliverable={"13900000009"}) as fake,
        aliyun_gateway(fake) as gateway,
    ):
        assert gateway.send(make_sms("x-1", phone="13900000009")).accepted is True
        failed = gateway.query(
            reference="x-1", phone="13900000009", provider_id=None, sent_on=china_today()
        )
    assert failed == DeliveryState.FAILED


def test_aliyun_receipts_are_pushed_verified_and_parsed() -> None:
    gateway_for_sink = AliyunSmsGateway("unused", "unused")
    sink = ReceiptSink(gateway_for_sink)
    try:
        with (
            FakeAliyunSms(callback_url=sink.url(), undeliverable={"13900000009"}) as fake,
            aliyun_gateway(fake) as gateway,
        ):
            ok = gateway.send(make_sms("r-1"))
            bad = gateway.send(make_sms("r-2", phone="13900000009"))
            # Both receipts may arrive in one batch or in two.
            assert _wait_for(lambda: len(sink.receipts) == 2)
            assert _wait_for(lambda: len(fake.pushes) == sink.posts)
            pushes = list(fake.pushes)
    finally:
        sink.close()
    assert sink.rejected == 0
    assert all(push == (200, {"code": 0, "msg": "成功"}) for push in pushes)
    by_reference = {r.reference: r for r in sink.receipts}
    assert by_reference["r-1"].provider_id == ok.provider_id
    assert by_reference["r-1"].delivered is True
    assert by_reference["r-1"].code == "DELIVERED"
    assert by_reference["r-1"].phone == "13800000000"
    assert by_reference["r-1"].at.tzinfo is not None
    assert by_reference["r-2"].provider_id == bad.provider_id
    assert by_reference["r-2"].delivered is False


def test_aliyun_receipt_push_without_token_is_refused() -> None:
    sink = ReceiptSink(AliyunSmsGateway("unused", "unused"))
    try:
        with FakeAliyunSms(callback_url=sink.url(token=False)) as fake, aliyun_gateway(fake) as gw:
            assert gw.send(make_sms("r-1")).accepted is True
            assert fake.wait_for_pushes(1)
            pushes = list(fake.pushes)
    finally:
        sink.close()
    assert pushes == [(403, {"error": "forbidden"})]
    assert sink.rejected == 3  # the fake retried like the provider does
    assert sink.receipts == []


def _wait_for(condition: Any, timeout: float = 5.0) -> bool:
    event = threading.Event()
    for _ in range(int(timeout / 0.01)):
        if condition():
            return True
        event.wait(0.01)
    return bool(condition())


# ============================================================================================
# Tencent Cloud client against its fake


@pytest.fixture
def tencent_fake() -> Iterator[FakeTencentSms]:
    with FakeTencentSms(accept_delay=5.0) as fake:
        yield fake


def tencent_gateway(
    fake: FakeTencentSms, secret: str = FAKE_TENCENT_SECRET_KEY, **kwargs: Any
) -> TencentSmsGateway:
    return TencentSmsGateway(
        FAKE_TENCENT_SECRET_ID,
        secret,
        FAKE_TENCENT_SDK_APP_ID,
        endpoint=fake.url,
        timeout=SHORT_TIMEOUT,
        **kwargs,
    )


def test_tencent_send_accepted(tencent_fake: FakeTencentSms) -> None:
    with tencent_gateway(tencent_fake) as gateway:
        result = gateway.send(make_sms())
    assert result.accepted is True
    assert result.provider_id is not None
    assert ":" in result.provider_id
    # Tencent templates are positional: {1}, {2} ... in the order of OutgoingSms.params.
    assert tencent_fake.received() == [
        ReceivedMessage("msg-1", "13800000000", {"1": "张三", "2": "5月20日"})
    ]
    [message] = tencent_fake.messages()
    assert (message.signature, message.template_code) == (SIGNATURE, "SMS_123456789")


def test_tencent_wrong_secret_is_rejected_by_signature_check(tencent_fake: FakeTencentSms) -> None:
    with tencent_gateway(tencent_fake, secret="wrong-secret") as gateway:
        result = gateway.send(make_sms())
    assert (result.accepted, result.error_code, result.retryable) == (
        False,
        "AuthFailure.SignatureFailure",
        False,
    )
    assert result.error == "短信平台签名校验失败，请检查 SecretKey。"
    assert tencent_fake.received() == []


def test_tencent_stale_timestamp_is_rejected(tencent_fake: FakeTencentSms) -> None:
    with tencent_gateway(tencent_fake, clock=lambda: 1551113065.0) as gateway:
        result = gateway.send(make_sms())
    assert (result.accepted, result.error_code, result.retryable) == (
        False,
        "AuthFailure.SignatureExpire",
        False,
    )


def test_tencent_throttling_is_retryable() -> None:
    with FakeTencentSms(qps=1) as fake, tencent_gateway(fake) as gateway:
        first = gateway.send(make_sms("t-1"))
        second = gateway.send(make_sms("t-2"))
        assert [m.reference for m in fake.received()] == ["t-1"]
    assert first.accepted is True
    assert (second.accepted, second.error_code, second.retryable) == (
        False,
        "RequestLimitExceeded",
        True,
    )


def test_tencent_injected_failure_is_retryable(tencent_fake: FakeTencentSms) -> None:
    tencent_fake.inject(fail_next=2)
    with tencent_gateway(tencent_fake) as gateway:
        results = [gateway.send(make_sms(f"f-{i}")) for i in range(3)]
    assert [(r.accepted, r.error_code, r.retryable) for r in results] == [
        (False, "InternalError.OtherError", True),
        (False, "InternalError.OtherError", True),
        (True, None, False),
    ]
    assert [m.reference for m in tencent_fake.received()] == ["f-2"]


def test_tencent_timeout_after_accept_is_found_by_query(tencent_fake: FakeTencentSms) -> None:
    tencent_fake.inject(timeout_after_accept=1)
    sms = make_sms("to-1")
    with tencent_gateway(tencent_fake) as gateway:
        result = gateway.send(sms)
        assert (result.accepted, result.error_code, result.retryable) == (False, "timeout", True)
        assert result.needs_query is True
        assert tencent_fake.received() == [
            ReceivedMessage("to-1", sms.phone, {"1": "张三", "2": "5月20日"})
        ]
        state = gateway.query(
            reference="to-1", phone=sms.phone, provider_id=None, sent_on=china_today()
        )
        assert state == DeliveryState.DELIVERED  # found by SessionContext: no resend needed
        missing = gateway.query(
            reference="never-sent", phone=sms.phone, provider_id=None, sent_on=china_today()
        )
        assert missing == DeliveryState.UNKNOWN


def test_tencent_query_before_report_is_unknown_and_by_serial_after() -> None:
    with (
        FakeTencentSms(delivery_delay=60, undeliverable={"13900000009"}) as fake,
        tencent_gateway(fake) as gateway,
    ):
        sent = gateway.send(make_sms("p-1"))
        # Tencent only lists messages that already have an operator report.
        assert (
            gateway.query(
                reference="p-1", phone="13800000000", provider_id=None, sent_on=china_today()
            )
            == DeliveryState.UNKNOWN
        )
        assert sent.accepted is True
    with (
        FakeTencentSms(undeliverable={"13900000009"}) as fake,
        tencent_gateway(fake) as gateway,
    ):
        sent = gateway.send(make_sms("x-1", phone="13900000009"))
        state = gateway.query(
            reference="other",
            phone="13900000009",
            provider_id=sent.provider_id,
            sent_on=china_today(),
        )
    assert state == DeliveryState.FAILED


def test_tencent_receipts_are_pushed_verified_and_parsed() -> None:
    sink = ReceiptSink(TencentSmsGateway("unused", "unused", "1"))
    try:
        with FakeTencentSms(callback_url=sink.url()) as fake, tencent_gateway(fake) as gateway:
            ok = gateway.send(make_sms("r-1"))
            assert fake.wait_for_pushes(1)
            assert _wait_for(lambda: len(sink.receipts) == 1)
            pushes = list(fake.pushes)
    finally:
        sink.close()
    assert pushes == [(200, {"result": 0, "errmsg": "OK"})]
    [receipt] = sink.receipts
    assert receipt.provider_id == ok.provider_id
    assert receipt.reference is None  # Tencent callbacks do not echo SessionContext
    assert (receipt.phone, receipt.delivered, receipt.code) == ("13800000000", True, "DELIVRD")


def test_tencent_receipt_with_wrong_token_is_refused() -> None:
    sink = ReceiptSink(TencentSmsGateway("unused", "unused", "1"))
    forged = sink.url(token=False) + "?token=" + receipt_token(RECEIPT_SECRET, "aliyun")
    try:
        with FakeTencentSms(callback_url=forged) as fake, tencent_gateway(fake) as gateway:
            assert gateway.send(make_sms("r-1")).accepted is True
            assert fake.wait_for_pushes(1)
    finally:
        sink.close()
    assert sink.receipts == []
    assert sink.rejected == 3


# ============================================================================================
# Out-of-process fake (what kill tests and benchmarks use)


@pytest.fixture
def real_clock():
    """The fake runs in its own process on the real clock and checks the request's signed
    timestamp as the provider does, so this side must not be travelling."""
    with time_machine.travel(real_now(), tick=True) as traveller:
        yield traveller


@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
@pytest.mark.usefixtures("real_clock")
def test_fake_runs_as_a_separate_process_and_records_to_file(tmp_path: Path, provider: str) -> None:
    record = tmp_path / "received.jsonl"
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.sms_fakes",
            provider,
            "--port",
            "0",
            "--qps",
            "100",
            "--record",
            str(record),
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        ready = process.stdout.readline().strip()
        assert ready.startswith("READY http://127.0.0.1:")
        url = ready.split(" ", 1)[1]
        gateway: AliyunSmsGateway | TencentSmsGateway
        if provider == "aliyun":
            gateway = AliyunSmsGateway(
                FAKE_ALIYUN_ACCESS_KEY_ID, FAKE_ALIYUN_ACCESS_KEY_SECRET, endpoint=url
            )
        else:
            gateway = TencentSmsGateway(
                FAKE_TENCENT_SECRET_ID,
                FAKE_TENCENT_SECRET_KEY,
                FAKE_TENCENT_SDK_APP_ID,
                endpoint=url,
            )
        with gateway:
            results = [gateway.send(make_sms(f"p-{i}", phone=f"1380000000{i}")) for i in range(3)]
        assert all(r.accepted for r in results)
        # The record is flushed per message: readable while the fake is still running.
        lines = [json.loads(x) for x in record.read_text(encoding="utf-8").splitlines()]
        assert [(x["reference"], x["phone"]) for x in lines] == [
            ("p-0", "13800000000"),
            ("p-1", "13800000001"),
            ("p-2", "13800000002"),
        ]
        assert [x["provider_id"] for x in lines] == [r.provider_id for r in results]
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0
    assert json.loads(stderr.strip().splitlines()[-1])["accepted"] == 3
