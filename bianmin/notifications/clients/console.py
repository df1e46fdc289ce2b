"""Console/file gateway: the embedded default when no SMS provider is configured.

Each message becomes one JSON line appended to an outbox file (default
``var/sms-outbox.jsonl``). The line is written with a single ``write`` under an exclusive
``flock`` and followed by ``fsync``, so concurrent worker processes never interleave lines and
a message reported as accepted survives a crash of the machine. Messages count as delivered
immediately -- there is no operator in between -- and ``query`` answers by reading the file
back, which keeps the timeout-then-query protocol of the real gateways exercisable offline.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bianmin.core.masking import mask_phone

from .base import (
    CHINA_TZ,
    DeliveryState,
    OutgoingSms,
    Receipt,
    SendResult,
    preflight,
    verify_receipt_token,
)
from .segments import count_segments

logger = logging.getLogger(__name__)

DEFAULT_OUTBOX = Path("var/sms-outbox.jsonl")


class ConsoleSmsGateway:
    name = "console"

    def __init__(self, path: str | os.PathLike[str] = DEFAULT_OUTBOX) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def send(self, sms: OutgoingSms) -> SendResult:
        rejected = preflight(sms)
        if rejected is not None:
            return rejected
        characters, segments = count_segments(sms.text)
        now = datetime.now(CHINA_TZ)
        provider_id = f"console:{sms.reference}"
        record = {
            "reference": sms.reference,
            "provider_id": provider_id,
            # Personal data: the outbox (a plain file) and the log keep only the masked number.
            "phone": mask_phone(sms.phone),
            "template_code": sms.template_code,
            "params": dict(sms.params),
            "signature": sms.signature,
            "text": sms.text,
            "characters": characters,
            "segments": segments,
            "sent_at": now.isoformat(timespec="seconds"),
        }
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode()
        try:
            self._append(line)
        except OSError as exc:
            logger.exception("cannot write SMS outbox %s", self.path)
            return SendResult.failed("outbox_io", f"写入短信发件箱失败：{exc}", retryable=True)
        logger.info("SMS to %s (%d segments): %s", mask_phone(sms.phone), segments, sms.text)
        return SendResult.ok(provider_id)

    def _append(self, line: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)  # closing releases the flock

    def sent(self) -> list[dict[str, Any]]:
        """Every message in the outbox, oldest first (used by tests and the demo screens)."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        records = []
        for line in raw.splitlines():
            try:
                records.append(json.loads(line))
            except ValueError:
                continue  # a torn last line after a power cut is not a message
        return records

    def query(
        self, *, reference: str, phone: str, provider_id: str | None, sent_on: date
    ) -> DeliveryState:
        for record in self.sent():
            if record.get("reference") == reference or (
                provider_id is not None and record.get("provider_id") == provider_id
            ):
                return DeliveryState.DELIVERED
        return DeliveryState.UNKNOWN

    def parse_receipts(self, body: bytes, headers: Mapping[str, str]) -> list[Receipt]:
        return []  # nothing ever calls back

    def receipt_ack(self) -> dict[str, Any]:
        return {"code": 0}

    def verify_receipt_request(
        self,
        headers: Mapping[str, str],
        body: bytes,
        query_params: Mapping[str, Any],
        secret: str,
    ) -> bool:
        return verify_receipt_token(query_params, secret, self.name)

    def close(self) -> None:
        pass
