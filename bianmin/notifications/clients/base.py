"""Provider-neutral SMS gateway interface shared by every client.

The Django layer talks only to :class:`SmsGateway`; each provider module (console, aliyun,
tencent) implements it. Nothing here imports Django so the clients, their fakes and their
tests run in a bare interpreter.

Delivery guarantees
-------------------
Neither provider's SendSms is idempotent: sending the same request twice sends two SMS. A
timeout after the request left us is therefore *ambiguous* -- the provider may have accepted
the message. Clients report that case as ``SendResult(accepted=False, retryable=True,
error_code="timeout")`` (see :attr:`SendResult.needs_query`) and the caller must call
:meth:`SmsGateway.query` before resending. ``query`` locates the message by our own
``reference`` (sent as Alibaba ``OutId`` / Tencent ``SessionContext``) or by the provider id.

Receipt authentication
----------------------
Neither provider signs delivery-receipt callbacks (Alibaba's HTTP batch push and Tencent's
status callback are plain POSTs), and both only let us configure a URL in their console. We
therefore authenticate receipts with a *static bearer token carried in the callback URL*:
``https://host/path?token=<token>``. The token is not the shared secret itself but
``hex(HMAC-SHA256(secret, "bianmin-sms-receipt:" + gateway_name))``, which gives

* a different token per provider from one configured secret, so a URL leaked from one
  provider's console does not authenticate the other provider's endpoint;
* no exposure of the secret in URLs, provider consoles or access logs;
* rotation by changing the secret (then update the URLs in the consoles).

HMAC-SHA256 is used rather than HMAC-SM3 because it is in the standard library and the token
is a derived bearer credential: its strength comes from the secret's entropy, not from the
hash, and no counterpart ever has to recompute it. The comparison uses
``hmac.compare_digest``. An empty secret never verifies, so a missing setting closes the
endpoint instead of opening it. Because the token is a bearer credential, the Django view
should additionally ignore receipts whose provider id it does not know, and the reverse
proxy should not log the query string of that path.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

import httpx

from bianmin.core.validators import is_mobile

from .segments import MessageTooLongError, SignatureError, count_segments, validate_signature

#: Mainland China has a single time zone and no daylight saving; a fixed offset avoids a
#: dependency on the system tz database. Providers' SendDate / report times are in this zone.
CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


#: Error codes after which the provider may or may not hold the message: query before resend.
AMBIGUOUS_ERROR_CODES = frozenset(
    {
        "timeout",
        "http_5xx",
        "isp.SYSTEM_ERROR",
        "InternalError.Timeout",
        "InternalError.SendAndRecvFail",
    }
)

#: The provider's "too many requests per second" answers (Alibaba Cloud's API flow control,
#: Tencent Cloud's request frequency limit): the request was refused and nothing was sent, so it
#: may go again at our next free slot. Per-number limits (isv.BUSINESS_LIMIT_CONTROL,
#: LimitExceeded.PhoneNumber…) are not among them: they keep the ordinary backoff.
RATE_LIMITED_ERROR_CODES = frozenset({"Throttling", "Throttling.User", "RequestLimitExceeded"})

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=3.0)
RECEIPT_TOKEN_PARAM = "token"  # noqa: S105 -- a parameter name, not a credential


@dataclass(frozen=True)
class OutgoingSms:
    reference: str  # our message id (unique); sent as OutId / SessionContext
    phone: str  # 11-digit mainland mobile
    template_code: str  # provider template id
    params: dict[str, str]  # ordered
    signature: str  # e.g. "潼关县公安局" (without 【】)
    text: str  # fully rendered text incl. 【signature】 (for console/file gateway and counting)


@dataclass(frozen=True)
class SendResult:
    accepted: bool
    provider_id: str | None  # BizId / SerialNo
    error_code: str | None
    error: str | None  # Chinese description
    retryable: bool

    @property
    def rate_limited(self) -> bool:
        """True when the provider refused the request for its requests-per-second limit."""
        return not self.accepted and self.error_code in RATE_LIMITED_ERROR_CODES

    @property
    def needs_query(self) -> bool:
        """True when the outcome is unknown and ``query`` must run before any resend."""
        return not self.accepted and self.error_code in AMBIGUOUS_ERROR_CODES

    @classmethod
    def ok(cls, provider_id: str | None) -> SendResult:
        return cls(True, provider_id, None, None, False)

    @classmethod
    def failed(cls, code: str, error: str, *, retryable: bool) -> SendResult:
        return cls(False, None, code, error, retryable)


class DeliveryState(StrEnum):
    UNKNOWN = "unknown"  # the provider has no record (yet) of this message
    PENDING = "pending"  # accepted, waiting for the operator's delivery report
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True)
class Receipt:
    reference: str | None  # our reference when the provider echoes it (Alibaba out_id)
    provider_id: str  # BizId / SerialNo (Tencent callbacks only carry this)
    phone: str  # 11-digit mainland number
    delivered: bool
    code: str  # operator status, e.g. "DELIVERED" / "DELIVRD" / an error code
    at: datetime  # aware; when the operator reported the outcome


class GatewayError(Exception):
    """Base class of the errors raised (rather than returned) by the clients."""


class GatewayQueryError(GatewayError):
    """A status query could not be answered; never to be read as 'message not found'."""


class ReceiptParseError(GatewayError, ValueError):
    """A receipt callback body is not in the provider's format."""


@runtime_checkable
class SmsGateway(Protocol):
    name: str

    def send(self, sms: OutgoingSms) -> SendResult: ...

    def query(
        self, *, reference: str, phone: str, provider_id: str | None, sent_on: date
    ) -> DeliveryState: ...

    def parse_receipts(self, body: bytes, headers: Mapping[str, str]) -> list[Receipt]: ...

    def receipt_ack(self) -> dict[str, Any]: ...

    def verify_receipt_request(
        self,
        headers: Mapping[str, str],
        body: bytes,
        query_params: Mapping[str, Any],
        secret: str,
    ) -> bool: ...


# --------------------------------------------------------------------------------------------
# Receipt callback token


def receipt_token(secret: str, gateway_name: str) -> str:
    """The token to put in ``?token=`` of the callback URL configured for ``gateway_name``."""
    if not secret:
        raise ValueError("receipt secret must not be empty")
    message = f"bianmin-sms-receipt:{gateway_name}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def receipt_callback_url(base_url: str, secret: str, gateway_name: str) -> str:
    """The full URL to paste into the provider console."""
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}{RECEIPT_TOKEN_PARAM}={receipt_token(secret, gateway_name)}"


def _first(value: Any) -> str | None:
    # Accept plain mappings, parse_qs-style lists and Django QueryDict (whose __getitem__
    # returns the last value; a duplicated token parameter is suspicious, so reject lists
    # with more than one element).
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return value[0] if len(value) == 1 and isinstance(value[0], str) else None
    return None


def verify_receipt_token(query_params: Mapping[str, Any], secret: str, gateway_name: str) -> bool:
    if not secret:
        return False
    getlist = getattr(query_params, "getlist", None)
    raw = (
        getlist(RECEIPT_TOKEN_PARAM) if callable(getlist) else query_params.get(RECEIPT_TOKEN_PARAM)
    )
    given = _first(raw)
    if not given:
        return False
    expected = receipt_token(secret, gateway_name)
    return hmac.compare_digest(given.encode(), expected.encode())


# --------------------------------------------------------------------------------------------
# Helpers shared by the clients


class HttpClientMixin:
    """Lazily created, thread-safe shared ``httpx.Client``.

    Creating an ``httpx.Client`` loads the CA bundle; doing it on first use keeps building a
    gateway from settings cheap. One client per gateway gives connection reuse (keep-alive)
    across sends; ``httpx.Client`` may be used from several threads.
    """

    def _init_http(self, client: httpx.Client | None, timeout: httpx.Timeout | float) -> None:
        self._http_client = client
        self._http_timeout = timeout
        self._owns_client = client is None
        self._http_lock = threading.Lock()

    @property
    def http(self) -> httpx.Client:
        if self._http_client is None:
            with self._http_lock:
                if self._http_client is None:
                    self._http_client = httpx.Client(timeout=self._http_timeout)
        return self._http_client

    def close(self) -> None:
        if self._owns_client and self._http_client is not None:
            self._http_client.close()
            self._http_client = None


def preflight(sms: OutgoingSms, *, max_reference_bytes: int = 256) -> SendResult | None:
    """Reject locally what the provider would reject anyway (and bill nothing for)."""
    if not is_mobile(sms.phone):
        return SendResult.failed(
            "invalid_phone", "手机号码格式不正确，应为11位大陆手机号。", retryable=False
        )
    try:
        validate_signature(sms.signature)
    except SignatureError as exc:
        return SendResult.failed("invalid_signature", str(exc), retryable=False)
    try:
        count_segments(sms.text)
    except MessageTooLongError as exc:
        return SendResult.failed("too_long", str(exc), retryable=False)
    if not sms.reference or len(sms.reference.encode()) >= max_reference_bytes:
        return SendResult.failed(
            "invalid_reference", "消息编号为空或过长，无法回传给短信平台。", retryable=False
        )
    if not sms.template_code:
        return SendResult.failed("invalid_template", "未配置短信模板编号。", retryable=False)
    return None


def transport_failure(exc: httpx.HTTPError) -> SendResult:
    """Classify an httpx error raised while sending.

    A failure to *connect* means the request never reached the provider, so resending is safe.
    Anything after the connection was made (read/write timeout, dropped connection, protocol
    error) may have happened after the provider accepted the message: report it as the
    ambiguous ``timeout`` so the caller queries before resending.
    """
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return SendResult.failed("connect_error", "无法连接短信平台，短信未发出。", retryable=True)
    return SendResult.failed(
        "timeout", "短信平台响应超时，发送结果未知，须先查询再决定是否重发。", retryable=True
    )


def normalize_mainland_phone(raw: str, nationcode: str | None = None) -> str:
    """Strip +86 / 86 prefixes so receipts carry the same 11-digit form as ``OutgoingSms``."""
    phone = raw.strip().replace(" ", "")
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    elif len(phone) == 13 and phone.startswith("86"):
        phone = phone[2:]
    if nationcode and nationcode not in ("86", "+86"):
        return f"+{nationcode.lstrip('+')}{phone}"
    return phone


def parse_china_time(value: str) -> datetime:
    """Parse the providers' 'yyyy-MM-dd HH:mm:ss' Beijing-time stamps into aware datetimes."""
    return datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA_TZ)


def china_today() -> date:
    return datetime.now(CHINA_TZ).date()
