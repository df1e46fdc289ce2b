"""Fake Alibaba Cloud and Tencent Cloud SMS servers for tests and benchmarks.

Each fake is a threaded HTTP server on 127.0.0.1 (ephemeral port by default) that speaks its
provider's wire protocol closely enough that the real clients cannot tell the difference:

* requests are authenticated exactly as the provider does (Alibaba RPC HMAC-SHA1 signature
  with timestamp window and nonce replay check; Tencent TC3-HMAC-SHA256 with the five-minute
  window) and rejected with the provider's error shape (``SignatureDoesNotMatch`` /
  ``AuthFailure.SignatureFailure``);
* a configurable QPS limit answers with the provider's throttling error
  (``isv.BUSINESS_LIMIT_CONTROL`` / ``RequestLimitExceeded``);
* every accepted message is recorded, thread-safely, in memory and optionally as one JSON line
  per message in a file (flushed per line, so a test that SIGKILLs a *worker* can count what
  the gateway really received);
* fault injection: ``timeout_after_accept=N`` accepts and records the next N messages but
  answers only after ``accept_delay`` seconds (past the client's timeout), ``fail_next=N``
  answers the next N sends with a retryable provider error without accepting them;
* status queries (QuerySendDetails / PullSmsSendStatus[ByPhoneNumber]) answer from the record,
  and delivery receipts are pushed in the provider's callback format to ``callback_url``.

Run out of process (e.g. for a kill test or a benchmark)::

    python -m tests.support.sms_fakes aliyun --port 0 --qps 50 --record out.jsonl

The first line on stdout is ``READY http://127.0.0.1:<port>/``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar, NamedTuple, Self
from urllib.parse import urlsplit

import httpx

from bianmin.notifications.clients.base import CHINA_TZ

logger = logging.getLogger("tests.support.sms_fakes")

# Well-known credentials of the fakes (not secrets: they only open the loopback fakes).
FAKE_ALIYUN_ACCESS_KEY_ID = "LTAIfakeAccessKeyId"
FAKE_ALIYUN_ACCESS_KEY_SECRET = "fakeAccessKeySecret"
FAKE_TENCENT_SECRET_ID = "AKIDfakeSecretId"
FAKE_TENCENT_SECRET_KEY = "fakeSecretKey"
FAKE_TENCENT_SDK_APP_ID = "1400000000"

RECEIPT_BATCH = 100  # receipts per callback POST
NONCE_TTL = 15 * 60  # Alibaba rejects a repeated SignatureNonce within 15 minutes


class ReceivedMessage(NamedTuple):
    reference: str | None
    phone: str
    params: dict[str, str]


@dataclass
class FakeMessage:
    provider: str
    reference: str | None
    phone: str
    template_code: str
    params: dict[str, str]
    signature: str
    provider_id: str
    text: str
    received_at: float
    deliver_at: float
    delivered: bool
    pushed: bool = field(default=False)
    pulled: bool = field(default=False)


@dataclass
class Request:
    method: str
    path: str
    query: str
    headers: Mapping[str, str]  # keys lower-cased
    body: bytes


def _china_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real endpoints do
    timeout = 30  # idle keep-alive connections must not pin threads forever
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    server: _Server

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=split.path,
            query=split.query,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        try:
            status, payload = self.server.fake.dispatch(request)
        except Exception:  # a bug in the fake must show up as a 500, not a hung client
            logger.exception("fake SMS server failed")
            status, payload = 500, {"error": "fake server error"}
        data = json.dumps(payload, ensure_ascii=False).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (timeout injection)

    do_GET = _serve  # noqa: N815 -- BaseHTTPRequestHandler's naming
    do_POST = _serve  # noqa: N815

    def log_message(self, fmt: str, *args: Any) -> None:
        logger.debug("%s " + fmt, self.address_string(), *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: FakeSmsServer


class FakeSmsServer:
    """Provider-independent machinery: lifecycle, record, faults, throttling, receipt push."""

    provider: ClassVar[str]

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        qps: float | None = None,
        callback_url: str | None = None,
        record_path: str | Path | None = None,
        accept_delay: float = 2.0,
        delivery_delay: float = 0.0,
        timeout_after_accept: int = 0,
        fail_next: int = 0,
        undeliverable: Iterable[str] = (),
    ) -> None:
        self.host = host
        self.port = port
        self.qps = qps
        self.callback_url = callback_url
        self.record_path = Path(record_path) if record_path else None
        self.accept_delay = accept_delay
        self.delivery_delay = delivery_delay
        self.undeliverable = set(undeliverable)
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._messages: list[FakeMessage] = []
        self._unpushed: deque[FakeMessage] = deque()
        self._window: deque[float] = deque()
        self._timeouts = timeout_after_accept
        self._failures = fail_next
        self._record_file: Any = None
        self._server: _Server | None = None
        self._threads: list[threading.Thread] = []
        self.pushes: list[tuple[int | None, Any]] = []  # (status, answer) of receipt pushes
        self.stats = {
            "requests": 0,
            "accepted": 0,
            "throttled": 0,
            "failed": 0,
            "auth_rejected": 0,
            "delayed": 0,
        }

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> Self:
        if self.record_path is not None:
            self.record_path.parent.mkdir(parents=True, exist_ok=True)
            self._record_file = self.record_path.open("a", encoding="utf-8")
        self._server = _Server((self.host, self.port), _Handler)
        self._server.fake = self
        self.port = self._server.server_address[1]
        serve = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # quick shutdown between tests
            name=f"fake-{self.provider}",
        )
        push = threading.Thread(target=self._push_loop, name=f"fake-{self.provider}-receipts")
        for thread in (serve, push):
            thread.daemon = True
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stopping.set()
        with self._wake:
            self._wake.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        if self._record_file is not None:
            self._record_file.close()
            self._record_file = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    # -- test controls ----------------------------------------------------------------------

    def inject(self, *, timeout_after_accept: int = 0, fail_next: int = 0) -> None:
        with self._lock:
            self._timeouts = timeout_after_accept
            self._failures = fail_next

    def received(self) -> list[ReceivedMessage]:
        with self._lock:
            return [ReceivedMessage(m.reference, m.phone, dict(m.params)) for m in self._messages]

    def messages(self) -> list[FakeMessage]:
        with self._lock:
            return [FakeMessage(**asdict(m)) for m in self._messages]

    def wait_for_pushes(self, count: int, timeout: float = 5.0) -> bool:
        """Block until ``count`` receipt pushes were attempted (for tests)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.pushes) >= count:
                    return True
            time.sleep(0.01)
        return False

    # -- request handling helpers used by the providers -------------------------------------

    def dispatch(self, request: Request) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.stats["requests"] += 1
        status, payload, accepted = self.handle(request)
        if accepted and self._take("_timeouts"):
            with self._lock:
                self.stats["delayed"] += 1
            self._stopping.wait(self.accept_delay)  # answer after the client gave up
        return status, payload

    def handle(self, request: Request) -> tuple[int, dict[str, Any], bool]:
        raise NotImplementedError

    def _take(self, counter: str) -> bool:
        with self._lock:
            if getattr(self, counter) > 0:
                setattr(self, counter, getattr(self, counter) - 1)
                return True
            return False

    def _admit(self) -> bool:
        """Sliding one-second window: at most ``qps`` sends are admitted per second."""
        if not self.qps:
            return True
        now = time.monotonic()
        with self._lock:
            while self._window and now - self._window[0] >= 1.0:
                self._window.popleft()
            if len(self._window) >= self.qps:
                self.stats["throttled"] += 1
                return False
            self._window.append(now)
            return True

    def _take_failure(self) -> bool:
        if self._take("_failures"):
            with self._lock:
                self.stats["failed"] += 1
            return True
        return False

    def _auth_rejected(self) -> None:
        with self._lock:
            self.stats["auth_rejected"] += 1

    def _accept(self, message: FakeMessage) -> None:
        with self._wake:
            self._messages.append(message)
            if self.callback_url:
                self._unpushed.append(message)
            self.stats["accepted"] += 1
            if self._record_file is not None:
                record = {
                    "provider": message.provider,
                    "reference": message.reference,
                    "phone": message.phone,
                    "template_code": message.template_code,
                    "params": message.params,
                    "signature": message.signature,
                    "provider_id": message.provider_id,
                    "text": message.text,
                    "received_at": message.received_at,
                }
                self._record_file.write(json.dumps(record, ensure_ascii=False) + "\n")
                self._record_file.flush()
            self._wake.notify_all()

    def _new_message(
        self,
        *,
        reference: str | None,
        phone: str,
        template_code: str,
        params: dict[str, str],
        signature: str,
        provider_id: str,
    ) -> FakeMessage:
        now = time.time()
        body = " ".join(params.values())
        return FakeMessage(
            provider=self.provider,
            reference=reference,
            phone=phone,
            template_code=template_code,
            params=params,
            signature=signature,
            provider_id=provider_id,
            text=f"【{signature}】{body}",
            received_at=now,
            deliver_at=now + self.delivery_delay,
            delivered=phone not in self.undeliverable,
        )

    # -- receipts ---------------------------------------------------------------------------

    def receipt_payload(self, messages: list[FakeMessage]) -> list[dict[str, Any]]:
        raise NotImplementedError

    def _push_loop(self) -> None:
        client = httpx.Client(timeout=5.0)
        try:
            while not self._stopping.is_set():
                with self._wake:
                    now = time.time()
                    due: list[FakeMessage] = []
                    # Messages are queued in acceptance order and share one delivery delay,
                    # so the due ones are at the front.
                    while self._unpushed and self._unpushed[0].deliver_at <= now:
                        message = self._unpushed.popleft()
                        message.pushed = True
                        due.append(message)
                        if len(due) >= RECEIPT_BATCH:
                            break
                    if not due:
                        wait = self._unpushed[0].deliver_at - now if self._unpushed else 1.0
                        self._wake.wait(timeout=min(max(wait, 0.001), 1.0))
                        continue
                self._push(client, due)
        finally:
            client.close()

    def _push(self, client: httpx.Client, messages: list[FakeMessage]) -> None:
        assert self.callback_url is not None
        payload = self.receipt_payload(messages)
        result: tuple[int | None, Any] = (None, None)
        for attempt in range(3):  # providers retry a callback that is not acknowledged
            try:
                response = client.post(self.callback_url, json=payload)
                try:
                    answer = response.json()
                except ValueError:
                    answer = response.text
                result = (response.status_code, answer)
                if response.status_code == 200:
                    break
            except httpx.HTTPError as exc:
                result = (None, repr(exc))
            if self._stopping.wait(0.05 * (attempt + 1)):
                break
        with self._lock:
            self.pushes.append(result)
