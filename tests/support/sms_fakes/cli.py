"""Command line: ``python -m tests.support.sms_fakes aliyun --port 0 …``."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from typing import Any

from tests.support.sms_fakes.aliyun import FakeAliyunSms
from tests.support.sms_fakes.server import (
    FAKE_ALIYUN_ACCESS_KEY_ID,
    FAKE_ALIYUN_ACCESS_KEY_SECRET,
    FAKE_TENCENT_SDK_APP_ID,
    FAKE_TENCENT_SECRET_ID,
    FAKE_TENCENT_SECRET_KEY,
    FakeSmsServer,
)
from tests.support.sms_fakes.tencent import FakeTencentSms

logger = logging.getLogger("tests.support.sms_fakes")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.support.sms_fakes",
        description="Run a fake SMS provider on loopback.",
    )
    parser.add_argument("provider", choices=["aliyun", "tencent"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--qps", type=float, default=None, help="SendSms requests per second")
    parser.add_argument("--record", default=None, help="append accepted messages as JSON lines")
    parser.add_argument("--callback-url", default=None, help="push delivery receipts here")
    parser.add_argument("--timeout-after-accept", type=int, default=0)
    parser.add_argument("--fail-next", type=int, default=0)
    parser.add_argument("--accept-delay", type=float, default=2.0)
    parser.add_argument("--delivery-delay", type=float, default=0.0)
    parser.add_argument("--key-id", default=None, help="AccessKeyId / SecretId")
    parser.add_argument("--key-secret", default=None, help="AccessKeySecret / SecretKey")
    parser.add_argument("--sdk-app-id", default=FAKE_TENCENT_SDK_APP_ID)
    args = parser.parse_args(argv)

    common: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "qps": args.qps,
        "record_path": args.record,
        "callback_url": args.callback_url,
        "timeout_after_accept": args.timeout_after_accept,
        "fail_next": args.fail_next,
        "accept_delay": args.accept_delay,
        "delivery_delay": args.delivery_delay,
    }
    server: FakeSmsServer
    if args.provider == "aliyun":
        server = FakeAliyunSms(
            access_key_id=args.key_id or FAKE_ALIYUN_ACCESS_KEY_ID,
            access_key_secret=args.key_secret or FAKE_ALIYUN_ACCESS_KEY_SECRET,
            **common,
        )
    else:
        server = FakeTencentSms(
            secret_id=args.key_id or FAKE_TENCENT_SECRET_ID,
            secret_key=args.key_secret or FAKE_TENCENT_SECRET_KEY,
            sdk_app_id=args.sdk_app_id,
            **common,
        )

    done = threading.Event()

    def _stop(signum: int, frame: object) -> None:
        done.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    server.start()
    sys.stdout.write(f"READY {server.url}\n")
    sys.stdout.flush()
    try:
        while not done.wait(0.5):
            pass
    finally:
        server.stop()
        sys.stderr.write(f"{json.dumps(server.stats)}\n")
    return 0
