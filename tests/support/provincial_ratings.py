"""A stub of the provincial 好差评 platform's uploader (outside the product package).

Set ``BIANMIN_RATINGS_UPLOADER=tests.support.provincial_ratings.StubUploader`` to use it in a
demo. It checks what the real platform checks on its side — every row has the platform's
columns, a level 1–5 and a known channel — and keeps what it received in ``RECEIVED`` (tests
read it) instead of sending anything. ``FAIL_NEXT`` makes the next upload fail once, as an
unreachable platform would.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from bianmin.ratings.clients import COLUMNS, UploadFailed, UploadReceipt

RECEIVED: list[dict[str, Any]] = []
FAIL_NEXT: list[str] = []
CHANNELS = {"pad", "sms", "kiosk", "position", "callback"}


class StubUploader:
    name = "省级好差评平台（测试桩）"

    def upload(self, *, center_code: str, month: date, rows: list[dict[str, Any]]) -> UploadReceipt:
        if FAIL_NEXT:
            raise UploadFailed(FAIL_NEXT.pop())
        for row in rows:
            if set(row) != set(COLUMNS):
                raise UploadFailed("列不符合平台格式")
            if not 1 <= int(row["level"]) <= 5 or row["channel"] not in CHANNELS:
                raise UploadFailed("评价等级或渠道不正确")
        body = json.dumps(rows, ensure_ascii=False, sort_keys=True).encode()
        reference = f"{center_code}-{month:%Y%m}-{hashlib.sha256(body).hexdigest()[:12]}"
        RECEIVED.append(
            {"center": center_code, "month": month, "rows": rows, "reference": reference}
        )
        return UploadReceipt(accepted=len(rows), reference=reference)
