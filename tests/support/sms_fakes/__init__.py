"""Fake Alibaba Cloud and Tencent Cloud SMS servers for tests and benchmarks (loopback only).

``server`` (the threaded HTTP server, the record, fault injection), ``aliyun`` and ``tencent``
(each provider's wire protocol and authentication, reusing the product clients' protocol code),
``cli`` (``python -m tests.support.sms_fakes aliyun --port 0 --qps 50 --record out.jsonl``;
the first line on stdout is ``READY http://127.0.0.1:<port>/``).
"""

from tests.support.sms_fakes.aliyun import FakeAliyunSms
from tests.support.sms_fakes.cli import main
from tests.support.sms_fakes.server import (
    FAKE_ALIYUN_ACCESS_KEY_ID,
    FAKE_ALIYUN_ACCESS_KEY_SECRET,
    FAKE_TENCENT_SDK_APP_ID,
    FAKE_TENCENT_SECRET_ID,
    FAKE_TENCENT_SECRET_KEY,
    FakeMessage,
    FakeSmsServer,
    ReceivedMessage,
)
from tests.support.sms_fakes.tencent import FakeTencentSms

__all__ = [
    "FAKE_ALIYUN_ACCESS_KEY_ID",
    "FAKE_ALIYUN_ACCESS_KEY_SECRET",
    "FAKE_TENCENT_SDK_APP_ID",
    "FAKE_TENCENT_SECRET_ID",
    "FAKE_TENCENT_SECRET_KEY",
    "FakeAliyunSms",
    "FakeMessage",
    "FakeSmsServer",
    "FakeTencentSms",
    "ReceivedMessage",
    "main",
]
