"""The provincial 好差评 platform: the export's shape and the uploader interface.

The platform takes one row per rating: the service event, its level, time and channel (the
columns below, Chinese headers in this order). How a province receives the file differs
(SFTP drop, an HTTPS API with a signed token); the product only knows this interface. The
setting ``RATINGS_PROVINCIAL_UPLOADER`` names the adapter class (dotted path); empty means
"not configured" (the export is downloaded and uploaded by hand). A documented stub adapter,
outside the product package, is ``tests.support.provincial_ratings.StubUploader``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from openpyxl import Workbook

#: field → the platform's column header
COLUMNS: dict[str, str] = {
    "center_code": "服务机构代码",
    "service_event": "服务事项编号",
    "case_number": "办件编号",
    "item_code": "事项编码",
    "window": "窗口号",
    "served_at": "服务时间",
    "level": "评价等级",
    "reasons": "差评原因",
    "rated_at": "评价时间",
    "channel": "评价渠道",
    "revoked": "申诉撤销",
}


@dataclass(frozen=True)
class UploadReceipt:
    accepted: int
    reference: str


class ProvincialUploader(Protocol):
    name: str

    def upload(
        self, *, center_code: str, month: date, rows: list[dict[str, Any]]
    ) -> UploadReceipt: ...


class UploadFailed(Exception):
    """The platform refused or could not be reached; the message says why."""


def uploader() -> ProvincialUploader | None:
    path = str(getattr(settings, "RATINGS_PROVINCIAL_UPLOADER", "") or "")
    if not path:
        return None
    adapter: ProvincialUploader = import_string(path)()
    return adapter


def uploader_name() -> str:
    adapter = uploader()
    return adapter.name if adapter is not None else ""


def to_xlsx(rows: list[dict[str, Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "好差评"
    sheet.append(list(COLUMNS.values()))
    for row in rows:
        sheet.append([row[key] for key in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
