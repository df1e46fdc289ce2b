"""Settings for the real worker processes started by the fault tests and the benchmark.

The parent test process runs Huey inline (``immediate=True``); a subprocess with these settings
runs a real consumer against a real queue (SqliteHuey file, or RedisHuey when
BIANMIN_REDIS_URL is set), on the parent's test database, sending to a fake gateway server.
Everything comes from environment variables set by ``tests.support.sms_harness``.
"""

import os

from config.settings.test import *  # noqa: F403
from config.settings.test import DATABASES
from tests.support.sms_fakes import (
    FAKE_ALIYUN_ACCESS_KEY_ID,
    FAKE_ALIYUN_ACCESS_KEY_SECRET,
    FAKE_TENCENT_SDK_APP_ID,
    FAKE_TENCENT_SECRET_ID,
    FAKE_TENCENT_SECRET_KEY,
)

DATABASES["default"]["NAME"] = os.environ["SMS_PROC_DB_NAME"]

_redis = os.environ.get("BIANMIN_REDIS_URL", "")
_consumer = {
    "workers": int(os.environ.get("SMS_PROC_WORKERS", "4")),
    "worker_type": "thread",
    "initial_delay": 0.05,
    "backoff": 1.2,
    "max_delay": 0.5,
    "check_worker_health": False,
}
if _redis:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": os.environ["SMS_PROC_QUEUE"],
        "url": _redis,
        "immediate": False,
        "results": False,
        "consumer": _consumer,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": os.environ["SMS_PROC_QUEUE"],
        "filename": os.environ["SMS_PROC_QUEUE_FILE"],
        "immediate": False,
        "results": False,
        "consumer": _consumer,
    }

SMS_GATEWAY = os.environ.get("SMS_PROC_GATEWAY", "aliyun")
SMS_GATEWAY_FALLBACK = ""
SMS_ALIYUN = {
    "access_key_id": FAKE_ALIYUN_ACCESS_KEY_ID,
    "access_key_secret": FAKE_ALIYUN_ACCESS_KEY_SECRET,
    "endpoint": os.environ.get("SMS_PROC_GATEWAY_URL", "http://127.0.0.1:9/"),
}
SMS_TENCENT = {
    "secret_id": FAKE_TENCENT_SECRET_ID,
    "secret_key": FAKE_TENCENT_SECRET_KEY,
    "sdk_app_id": FAKE_TENCENT_SDK_APP_ID,
    "endpoint": os.environ.get("SMS_PROC_GATEWAY_URL", "http://127.0.0.1:9/"),
}
SMS_RATE_PER_SECOND = float(os.environ.get("SMS_PROC_RATE", "50"))
SMS_TIMEOUT_SECONDS = float(os.environ.get("SMS_PROC_TIMEOUT", "1.0"))
SMS_STUCK_AFTER_SECONDS = float(os.environ.get("SMS_PROC_STUCK_AFTER", "3"))
SMS_DAILY_CAP_PER_NUMBER = 1000
SMS_QUIET_HOURS = None  # the workers run on the real clock; quiet hours have their own tests
