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

import argparse
import json
import logging
import random
import re
import signal
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar, NamedTuple, Self
from urllib.parse import parse_qsl, urlsplit

import httpx

from bianmin.core.validators import is_mobile
from bianmin.notifications.clients import aliyun as aliyun_protocol
from bianmin.notifications.clients import tencent as tencent_protocol
from bianmin.notifications.clients.base import CHINA_TZ, normalize_mainland_phone
from bianmin.notifications.clients.segments import count_segments

logger = logging.getLogger(__name__)

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


# ============================================================================================
# Alibaba Cloud


class FakeAliyunSms(FakeSmsServer):
    provider = "aliyun"
    host_id = "dysmsapi.aliyuncs.com"

    def __init__(
        self,
        *,
        access_key_id: str = FAKE_ALIYUN_ACCESS_KEY_ID,
        access_key_secret: str = FAKE_ALIYUN_ACCESS_KEY_SECRET,
        fail_code: str = "isp.SYSTEM_ERROR",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.fail_code = fail_code
        self._nonces: dict[str, float] = {}

    def _error(self, status: int, code: str, message: str) -> tuple[int, dict[str, Any], bool]:
        return (
            status,
            {
                "RequestId": str(uuid.uuid4()).upper(),
                "HostId": self.host_id,
                "Code": code,
                "Message": message,
                "Recommend": f"https://api.aliyun.com/troubleshoot?q={code}",
            },
            False,
        )

    def _ok(self, **fields: Any) -> tuple[int, dict[str, Any], bool]:
        accepted = bool(fields.pop("_accepted", False))
        body = {"RequestId": str(uuid.uuid4()).upper(), "Code": "OK", "Message": "OK", **fields}
        return 200, body, accepted

    def handle(self, request: Request) -> tuple[int, dict[str, Any], bool]:
        params = dict(parse_qsl(request.query, keep_blank_values=True))
        if request.method == "POST" and request.body:
            params.update(parse_qsl(request.body.decode(), keep_blank_values=True))
        rejected = self._authenticate(request.method, params)
        if rejected is not None:
            self._auth_rejected()
            return rejected
        if params.get("Version") != aliyun_protocol.API_VERSION:
            return self._error(400, "InvalidVersion", "Specified parameter Version is not valid.")
        action = params.get("Action")
        if action == "SendSms":
            return self._send_sms(params)
        if action == "QuerySendDetails":
            return self._query_send_details(params)
        return self._error(404, "InvalidAction.NotFound", "Specified api is not found.")

    def _authenticate(
        self, method: str, params: dict[str, str]
    ) -> tuple[int, dict[str, Any], bool] | None:
        signature = params.pop("Signature", None)
        if not signature:
            return self._error(400, "MissingSignature", "Signature is mandatory.")
        if params.get("AccessKeyId") != self.access_key_id:
            return self._error(
                404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."
            )
        if params.get("SignatureMethod") != "HMAC-SHA1" or params.get("SignatureVersion") != "1.0":
            return self._error(
                400, "InvalidSignatureMethod", "Specified signature method is not valid."
            )
        try:
            stamp = datetime.strptime(params.get("Timestamp", ""), "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=UTC
            )
        except ValueError:
            return self._error(400, "InvalidTimeStamp.Format", "Specified time stamp is not valid.")
        skew = abs(time.time() - stamp.timestamp())
        if skew > NONCE_TTL:
            return self._error(
                400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."
            )
        expected = aliyun_protocol.compute_signature(method, params, self.access_key_secret)
        if signature != expected:
            sts = aliyun_protocol.string_to_sign(method, params)
            return self._error(
                400,
                "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation. "
                f"server string to sign is:{sts}",
            )
        nonce = params.get("SignatureNonce", "")
        now = time.time()
        with self._lock:
            while self._nonces:  # insertion order is time order: expire from the front
                oldest = next(iter(self._nonces))
                if now - self._nonces[oldest] <= NONCE_TTL:
                    break
                del self._nonces[oldest]
            if not nonce or nonce in self._nonces:
                used = True
            else:
                self._nonces[nonce] = now
                used = False
        if used:
            return self._error(
                400, "SignatureNonceUsed", "Specified signature nonce was used already."
            )
        return None

    def _send_sms(self, params: dict[str, str]) -> tuple[int, dict[str, Any], bool]:
        if not self._admit():
            return self._ok_code("isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1")
        if self._take_failure():
            return self._ok_code(self.fail_code, self.fail_code)
        for name in ("PhoneNumbers", "SignName", "TemplateCode"):
            if not params.get(name):
                return self._error(400, f"Missing{name}", f"{name} is mandatory for this action.")
        phones = params["PhoneNumbers"].split(",")
        if len(phones) > aliyun_protocol.MAX_PHONE_NUMBERS:
            return self._ok_code("isv.MOBILE_COUNT_OVER_LIMIT", "手机号码数量超过限制")
        phones = [normalize_mainland_phone(p) for p in phones]
        if not all(is_mobile(p) for p in phones):
            return self._ok_code("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        try:
            template_params = json.loads(params.get("TemplateParam") or "{}")
        except ValueError:
            return self._ok_code("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
        if not isinstance(template_params, dict):
            return self._ok_code("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
        biz_id = f"{random.randrange(10**17, 10**18)}^0"
        for phone in phones:
            self._accept(
                self._new_message(
                    reference=params.get("OutId") or None,
                    phone=phone,
                    template_code=params["TemplateCode"],
                    params={str(k): str(v) for k, v in template_params.items()},
                    signature=params["SignName"],
                    provider_id=biz_id,
                )
            )
        return self._ok(BizId=biz_id, _accepted=True)

    def _ok_code(self, code: str, message: str) -> tuple[int, dict[str, Any], bool]:
        # Business errors come back with HTTP 200 and the code in the body.
        return (
            200,
            {"RequestId": str(uuid.uuid4()).upper(), "Code": code, "Message": message},
            False,
        )

    def _query_send_details(self, params: dict[str, str]) -> tuple[int, dict[str, Any], bool]:
        phone = normalize_mainland_phone(params.get("PhoneNumber", ""))
        send_date = params.get("SendDate", "")
        try:
            page_size = int(params.get("PageSize", "0"))
            current_page = int(params.get("CurrentPage", "0"))
        except ValueError:
            return self._ok_code("isv.INVALID_PARAMETERS", "参数格式不正确")
        if not is_mobile(phone):
            return self._ok_code("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        if not re.fullmatch(r"\d{8}", send_date) or not 1 <= page_size <= 50 or current_page < 1:
            return self._ok_code("isv.INVALID_PARAMETERS", "参数格式不正确")
        biz_id = params.get("BizId") or None
        now = time.time()
        with self._lock:
            matches = [
                m
                for m in self._messages
                if m.phone == phone
                and datetime.fromtimestamp(m.received_at, CHINA_TZ).strftime("%Y%m%d") == send_date
                and (biz_id is None or m.provider_id == biz_id)
            ]
        matches.sort(key=lambda m: m.received_at, reverse=True)
        page = matches[(current_page - 1) * page_size : current_page * page_size]
        dtos = []
        for m in page:
            done = now >= m.deliver_at
            status = (3 if m.delivered else 2) if done else 1
            dto = {
                "PhoneNum": m.phone,
                "SendStatus": status,
                "ErrCode": ("DELIVERED" if m.delivered else "MN:0001") if done else "",
                "TemplateCode": m.template_code,
                "Content": m.text,
                "SendDate": _china_time(m.received_at),
                "OutId": m.reference or "",
            }
            if done:
                dto["ReceiveDate"] = _china_time(m.deliver_at)
            dtos.append(dto)
        return self._ok(TotalCount=len(matches), SmsSendDetailDTOs={"SmsSendDetailDTO": dtos})

    def receipt_payload(self, messages: list[FakeMessage]) -> list[dict[str, Any]]:
        return [
            {
                "phone_number": m.phone,
                "send_time": _china_time(m.received_at),
                "report_time": _china_time(m.deliver_at),
                "success": m.delivered,
                "err_code": "DELIVERED" if m.delivered else "MN:0001",
                "err_msg": "用户接收成功" if m.delivered else "空号",
                "sms_size": str(count_segments(m.text).segments),
                "biz_id": m.provider_id,
                "out_id": m.reference or "",
            }
            for m in messages
        ]


# ============================================================================================
# Tencent Cloud

_AUTHORIZATION = re.compile(
    r"^TC3-HMAC-SHA256 Credential=(?P<id>[^/]+)/(?P<date>\d{4}-\d{2}-\d{2})/(?P<service>[^/]+)"
    r"/tc3_request, SignedHeaders=(?P<headers>[a-z0-9;\-]+), Signature=(?P<signature>[0-9a-f]{64})$"
)


class FakeTencentSms(FakeSmsServer):
    provider = "tencent"

    def __init__(
        self,
        *,
        secret_id: str = FAKE_TENCENT_SECRET_ID,
        secret_key: str = FAKE_TENCENT_SECRET_KEY,
        sdk_app_id: str = FAKE_TENCENT_SDK_APP_ID,
        fail_code: str = "InternalError.OtherError",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.secret_id = secret_id
        self.secret_key = secret_key
        self.sdk_app_id = sdk_app_id
        self.fail_code = fail_code

    @staticmethod
    def _answer(**fields: Any) -> dict[str, Any]:
        return {"Response": {**fields, "RequestId": str(uuid.uuid4())}}

    def _error(self, code: str, message: str) -> tuple[int, dict[str, Any], bool]:
        # Tencent API 3.0 reports every error with HTTP 200 and Response.Error.
        return 200, self._answer(Error={"Code": code, "Message": message}), False

    def handle(self, request: Request) -> tuple[int, dict[str, Any], bool]:
        if request.method != "POST":
            return self._error("InvalidParameter", "only POST application/json is supported here")
        rejected = self._authenticate(request)
        if rejected is not None:
            self._auth_rejected()
            return rejected
        if request.headers.get("x-tc-version") != tencent_protocol.API_VERSION:
            return self._error("NoSuchVersion", "The requested version does not exist.")
        try:
            body = json.loads(request.body)
        except ValueError:
            return self._error("InvalidParameter", "The request body is not valid JSON.")
        if not isinstance(body, dict):
            return self._error("InvalidParameter", "The request body must be a JSON object.")
        action = request.headers.get("x-tc-action", "")
        if action == "SendSms":
            return self._send_sms(body)
        if action == "PullSmsSendStatusByPhoneNumber":
            return self._pull_by_phone(body)
        if action == "PullSmsSendStatus":
            return self._pull(body)
        return self._error("InvalidAction", f"The action {action} does not exist.")

    def _authenticate(self, request: Request) -> tuple[int, dict[str, Any], bool] | None:
        match = _AUTHORIZATION.match(request.headers.get("authorization", ""))
        if match is None:
            return self._error("AuthFailure.InvalidAuthorization", "Authorization is invalid.")
        if match["id"] != self.secret_id:
            return self._error("AuthFailure.SecretIdNotFound", "The SecretId is not found.")
        try:
            timestamp = int(request.headers.get("x-tc-timestamp", ""))
        except ValueError:
            return self._error("MissingParameter", "The request is missing X-TC-Timestamp.")
        if abs(time.time() - timestamp) > 300:
            return self._error("AuthFailure.SignatureExpire", "Signature expired.")
        names = match["headers"].split(";")
        if (
            "content-type" not in names
            or "host" not in names
            or any(n not in request.headers for n in names)
        ):
            return self._error("AuthFailure.SignatureFailure", "Signed headers are incomplete.")
        if match["date"] != tencent_protocol.utc_date(timestamp):
            return self._error(
                "AuthFailure.SignatureFailure", "The credential date does not match X-TC-Timestamp."
            )
        signature, _ = tencent_protocol.tc3_signature(
            self.secret_key,
            service=match["service"],
            timestamp=timestamp,
            signed_headers={n: request.headers[n] for n in names},
            payload=request.body,
            method=request.method,
            query=request.query,
        )
        if signature != match["signature"]:
            return self._error(
                "AuthFailure.SignatureFailure",
                "The provided credentials could not be validated. "
                "Please check your signature is correct.",
            )
        return None

    def _send_sms(self, body: dict[str, Any]) -> tuple[int, dict[str, Any], bool]:
        if not self._admit():
            return self._error("RequestLimitExceeded", "请求的次数超过了频率限制。")
        if self._take_failure():
            return self._error(self.fail_code, "短信平台内部错误。")
        if str(body.get("SmsSdkAppId")) != self.sdk_app_id:
            return self._error(
                "UnauthorizedOperation.SmsSdkAppIdVerifyFail", "SmsSdkAppId 校验失败。"
            )
        for name in ("PhoneNumberSet", "TemplateId", "SignName"):
            if not body.get(name):
                return self._error("MissingParameter", f"The request is missing {name}.")
        phones = body["PhoneNumberSet"]
        if not isinstance(phones, list) or len(phones) > tencent_protocol.MAX_PHONE_NUMBERS:
            return self._error("LimitExceeded.PhoneNumberCountLimit", "号码数量超过上限。")
        context = body.get("SessionContext") or ""
        if len(str(context).encode()) >= tencent_protocol.MAX_SESSION_CONTEXT_BYTES:
            return self._error(
                "InvalidParameterValue.SessionContextTooLong", "SessionContext 过长。"
            )
        values = [str(v) for v in body.get("TemplateParamSet") or []]
        template_params = {str(i): v for i, v in enumerate(values, start=1)}
        statuses = []
        accepted = False
        for raw in phones:
            raw = str(raw)
            phone = normalize_mainland_phone(raw)
            if not raw.startswith("+") or not is_mobile(phone):
                statuses.append(
                    {
                        "SerialNo": "",
                        "PhoneNumber": raw,
                        "Fee": 0,
                        "SessionContext": context,
                        "Code": "InvalidParameterValue.IncorrectPhoneNumber",
                        "Message": "手机号格式错误",
                        "IsoCode": "",
                    }
                )
                continue
            serial = f"{random.randrange(1000, 9999)}:{uuid.uuid4().hex[:24]}"
            message = self._new_message(
                reference=context or None,
                phone=phone,
                template_code=str(body["TemplateId"]),
                params=template_params,
                signature=str(body["SignName"]),
                provider_id=serial,
            )
            self._accept(message)
            accepted = True
            statuses.append(
                {
                    "SerialNo": serial,
                    "PhoneNumber": raw,
                    "Fee": count_segments(message.text).segments,
                    "SessionContext": context,
                    "Code": "Ok",
                    "Message": "send success",
                    "IsoCode": "CN",
                }
            )
        return 200, self._answer(SendStatusSet=statuses), accepted

    def _status(self, m: FakeMessage) -> dict[str, Any]:
        return {
            "UserReceiveTime": int(m.deliver_at),
            "CountryCode": "86",
            "SubscriberNumber": m.phone,
            "PhoneNumber": f"+86{m.phone}",
            "SerialNo": m.provider_id,
            "ReportStatus": "SUCCESS" if m.delivered else "FAIL",
            "Description": "用户短信送达成功" if m.delivered else "空号",
            "SessionContext": m.reference or "",
        }

    def _pull_by_phone(self, body: dict[str, Any]) -> tuple[int, dict[str, Any], bool]:
        if str(body.get("SmsSdkAppId")) != self.sdk_app_id:
            return self._error(
                "UnauthorizedOperation.SmsSdkAppIdVerifyFail", "SmsSdkAppId 校验失败。"
            )
        try:
            begin = int(body["BeginTime"])
            end = int(body.get("EndTime") or time.time())
            offset = int(body.get("Offset") or 0)
            limit = int(body["Limit"])
            phone = normalize_mainland_phone(str(body["PhoneNumber"]))
        except (KeyError, TypeError, ValueError):
            return self._error("InvalidParameter", "参数不正确。")
        if not 0 < limit <= tencent_protocol.PULL_LIMIT:
            return self._error("InvalidParameterValue.InvalidLimit", "Limit 取值不正确。")
        now = time.time()
        with self._lock:
            reported = [
                m
                for m in self._messages
                if m.phone == phone and m.deliver_at <= now and begin <= m.deliver_at <= end + 1
            ]
        statuses = [self._status(m) for m in reported[offset : offset + limit]]
        return 200, self._answer(PullSmsSendStatusSet=statuses), False

    def _pull(self, body: dict[str, Any]) -> tuple[int, dict[str, Any], bool]:
        if str(body.get("SmsSdkAppId")) != self.sdk_app_id:
            return self._error(
                "UnauthorizedOperation.SmsSdkAppIdVerifyFail", "SmsSdkAppId 校验失败。"
            )
        try:
            limit = int(body["Limit"])
        except (KeyError, TypeError, ValueError):
            return self._error("InvalidParameter", "参数不正确。")
        now = time.time()
        with self._lock:
            fresh = [m for m in self._messages if m.deliver_at <= now and not m.pulled][:limit]
            for m in fresh:
                m.pulled = True  # PullSmsSendStatus hands out each report once
        return 200, self._answer(PullSmsSendStatusSet=[self._status(m) for m in fresh]), False

    def receipt_payload(self, messages: list[FakeMessage]) -> list[dict[str, Any]]:
        return [
            {
                "user_receive_time": _china_time(m.deliver_at),
                "nationcode": "86",
                "mobile": m.phone,
                "report_status": "SUCCESS" if m.delivered else "FAIL",
                "errmsg": "DELIVRD" if m.delivered else "MN:0001",
                "description": "用户短信送达成功" if m.delivered else "空号",
                "sid": m.provider_id,
            }
            for m in messages
        ]


# ============================================================================================
# Command line


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


if __name__ == "__main__":
    raise SystemExit(main())
