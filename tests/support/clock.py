"""The real clock, for tests whose other half runs in a separate process (a `serve` server, a
fake SMS gateway) that keeps the real time while this process may be travelling (CI runs the
suite on a pinned night-time clock, `BIANMIN_TEST_CLOCK`)."""

import time
from datetime import datetime
from zoneinfo import ZoneInfo

from time_machine import escape_hatch

SHANGHAI = ZoneInfo("Asia/Shanghai")


def real_now() -> datetime:
    now = escape_hatch.time.time() if escape_hatch.is_travelling() else time.time()
    return datetime.fromtimestamp(now, SHANGHAI)
