"""Tencent Cloud SMS (API 3.0, version 2021-01-11) client.

Protocol: ``POST https://sms.tencentcloudapi.com/`` with a JSON body and the common parameters
in headers (``X-TC-Action``, ``X-TC-Version``, ``X-TC-Timestamp``, ``X-TC-Region``), signed
with TC3-HMAC-SHA256:

1. ``CanonicalRequest = METHOD \\n / \\n query \\n canonical headers \\n signed header names \\n
   hex(sha256(body))``; header names and values lower-cased and trimmed, sorted by name. We
   sign ``content-type``, ``host`` and ``x-tc-action`` (what Tencent's own SDKs sign).
2. ``StringToSign = "TC3-HMAC-SHA256" \\n timestamp \\n date/sms/tc3_request \\n
   hex(sha256(CanonicalRequest))`` where date is the UTC date of the timestamp.
3. ``key = HMAC(HMAC(HMAC("TC3" + SecretKey, date), service), "tc3_request")``;
   ``Signature = hex(HMAC-SHA256(key, StringToSign))``.

The implementation is checked against the worked example of Tencent's "Signature v3" page
(CVM DescribeInstances, timestamp 1551113065, Signature ``72e494ea...5168``); see the tests.

SendSms is not idempotent. ``SessionContext`` (< 512 bytes) carries our reference and is echoed
by the status APIs. :meth:`TencentSmsGateway.query` uses PullSmsSendStatusByPhoneNumber,
which -- unlike Alibaba's QuerySendDetails -- only returns messages for which the operator has
already produced a status report. ``DeliveryState.UNKNOWN`` from this gateway therefore means
"no report yet", not "never accepted": after a timeout the caller should keep querying for a
grace period (reports normally arrive within seconds) before concluding the send was lost.

Status callbacks are unsigned JSON arrays answered with ``{"result": 0}``; they carry the
SerialNo (``sid``) but not SessionContext, so receipts are matched by provider id. See
``base`` for the ``?token=`` scheme that authenticates them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from .base import (
    CHINA_TZ,
    DEFAULT_TIMEOUT,
    DeliveryState,
    GatewayQueryError,
    HttpClientMixin,
    OutgoingSms,
    Receipt,
    ReceiptParseError,
    SendResult,
    normalize_mainland_phone,
    parse_china_time,
    preflight,
    transport_failure,
    verify_receipt_token,
)

NAME = "tencent"
ENDPOINT = "https://sms.tencentcloudapi.com/"
API_VERSION = "2021-01-11"
SERVICE = "sms"
ALGORITHM = "TC3-HMAC-SHA256"
CONTENT_TYPE = "application/json; charset=utf-8"
SIGNED_HEADERS = ("content-type", "host", "x-tc-action")
MAX_PHONE_NUMBERS = 200
MAX_SESSION_CONTEXT_BYTES = 512
PULL_LIMIT = 100

ERRORS: dict[str, tuple[str, bool]] = {
    "RequestLimitExceeded": ("请求频率超过短信平台限制，请稍后重试。", True),
    "LimitExceeded.PhoneNumberThirtySecondLimit": ("同一号码30秒内发送过于频繁。", True),
    "LimitExceeded.PhoneNumberOneHourLimit": ("同一号码1小时内发送条数超限。", True),
    "LimitExceeded.PhoneNumberDailyLimit": ("同一号码当日发送条数超限。", False),
    "LimitExceeded.PhoneNumberSameContentDailyLimit": ("同一号码当日相同内容发送超限。", False),
    "LimitExceeded.DailyLimit": ("已达到当日发送上限。", False),
    "LimitExceeded.AppDailyLimit": ("应用已达到当日发送上限。", False),
    "LimitExceeded.PhoneNumberCountLimit": ("单次提交的号码数量超过上限。", False),
    "InternalError.Timeout": ("短信平台内部超时，发送结果未知。", True),
    "InternalError.SendAndRecvFail": ("短信平台收发超时，发送结果未知。", True),
    "InternalError.OtherError": ("短信平台内部错误，请稍后重试。", True),
    "InternalError.RequestTimeException": ("请求时间异常，请校准服务器时间。", False),
    "InternalError": ("短信平台内部错误，请稍后重试。", True),
    "AuthFailure.SignatureFailure": ("短信平台签名校验失败，请检查 SecretKey。", False),
    "AuthFailure.SignatureExpire": ("签名已过期，请校准服务器时间。", False),
    "AuthFailure.SecretIdNotFound": ("SecretId 不存在。", False),
    "AuthFailure.UnauthorizedOperation": ("CAM 权限不足，无法发送短信。", False),
    "FailedOperation.InsufficientBalanceInSmsPackage": ("短信套餐包余量不足。", False),
    "FailedOperation.SignatureIncorrectOrUnapproved": ("短信签名未审核通过或填写错误。", False),
    "FailedOperation.TemplateIncorrectOrUnapproved": ("短信模板未审核通过或与参数不匹配。", False),
    "FailedOperation.PhoneNumberInBlacklist": ("该号码在免打扰名单中。", False),
    "FailedOperation.ContainSensitiveWord": ("短信内容含有敏感词。", False),
    "InvalidParameterValue.IncorrectPhoneNumber": ("手机号码格式不正确。", False),
    "InvalidParameterValue.TemplateParameterFormatError": ("模板参数格式不正确。", False),
    "InvalidParameterValue.TemplateParameterLengthLimit": ("模板参数长度超过限制。", False),
    "InvalidParameterValue.SdkAppIdNotExist": ("SmsSdkAppId 不存在。", False),
    "InvalidParameter": ("请求参数不正确。", False),
    "UnauthorizedOperation.SmsSdkAppIdVerifyFail": ("SmsSdkAppId 校验失败。", False),
}

REPORT_STATES = {"SUCCESS": DeliveryState.DELIVERED, "FAIL": DeliveryState.FAILED}


# --------------------------------------------------------------------------------------------
# TC3-HMAC-SHA256


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac256(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def utc_date(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")


def canonical_request(
    method: str, query: str, headers: Mapping[str, str], payload: bytes
) -> tuple[str, str]:
    """Return (canonical request, signed header names) for the given signed headers."""
    normalized = sorted((k.strip().lower(), v.strip().lower()) for k, v in headers.items())
    canonical_headers = "".join(f"{k}:{v}\n" for k, v in normalized)
    signed = ";".join(k for k, _ in normalized)
    request = "\n".join(
        [method.upper(), "/", query, canonical_headers, signed, _sha256_hex(payload)]
    )
    return request, signed


def string_to_sign(timestamp: int, service: str, canonical: str) -> str:
    scope = f"{utc_date(timestamp)}/{service}/tc3_request"
    return f"{ALGORITHM}\n{timestamp}\n{scope}\n{_sha256_hex(canonical.encode())}"


def signing_key(secret_key: str, day: str, service: str) -> bytes:
    secret_date = _hmac256(("TC3" + secret_key).encode(), day)
    secret_service = _hmac256(secret_date, service)
    return _hmac256(secret_service, "tc3_request")


def tc3_signature(
    secret_key: str,
    *,
    service: str,
    timestamp: int,
    signed_headers: Mapping[str, str],
    payload: bytes,
    method: str = "POST",
    query: str = "",
) -> tuple[str, str]:
    """Return (hex signature, signed header names)."""
    canonical, signed = canonical_request(method, query, signed_headers, payload)
    key = signing_key(secret_key, utc_date(timestamp), service)
    signature = hmac.new(
        key, string_to_sign(timestamp, service, canonical).encode(), hashlib.sha256
    ).hexdigest()
    return signature, signed


def authorization_header(
    secret_id: str,
    secret_key: str,
    *,
    service: str,
    timestamp: int,
    signed_headers: Mapping[str, str],
    payload: bytes,
) -> str:
    signature, signed = tc3_signature(
        secret_key,
        service=service,
        timestamp=timestamp,
        signed_headers=signed_headers,
        payload=payload,
    )
    scope = f"{utc_date(timestamp)}/{service}/tc3_request"
    return (
        f"{ALGORITHM} Credential={secret_id}/{scope}, SignedHeaders={signed}, Signature={signature}"
    )


# --------------------------------------------------------------------------------------------


def e164(phone: str) -> str:
    return phone if phone.startswith("+") else f"+86{phone}"


def error_for(code: str, message: str | None) -> SendResult:
    description, retryable = ERRORS.get(code, (None, False))
    if description is None:
        prefix = code.split(".", 1)[0]
        _, retryable = ERRORS.get(prefix, (None, False))
        description = f"短信平台返回错误：{code}（{message or '无说明'}）"
    return SendResult.failed(code, description, retryable=retryable)


def verify_receipt_request(
    headers: Mapping[str, str], body: bytes, query_params: Mapping[str, Any], secret: str
) -> bool:
    """Authenticate a status callback by the ``?token=`` in its URL (see ``base``)."""
    return verify_receipt_token(query_params, secret, NAME)


def parse_receipts(body: bytes) -> list[Receipt]:
    try:
        items = json.loads(body)
    except ValueError as exc:
        raise ReceiptParseError("状态报告不是合法的 JSON。") from exc
    if not isinstance(items, list):
        raise ReceiptParseError("状态报告应为 JSON 数组。")
    receipts = []
    for item in items:
        try:
            status = str(item["report_status"]).upper()
            receipts.append(
                Receipt(
                    reference=None,
                    provider_id=str(item["sid"]),
                    phone=normalize_mainland_phone(
                        str(item["mobile"]), str(item.get("nationcode") or "86")
                    ),
                    delivered=status == "SUCCESS",
                    code=str(item.get("errmsg") or status),
                    at=parse_china_time(str(item["user_receive_time"])),
                )
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ReceiptParseError(f"状态报告格式不正确：{exc!r}") from exc
    return receipts


class TencentSmsGateway(HttpClientMixin):
    name = NAME

    def __init__(
        self,
        secret_id: str,
        secret_key: str,
        sdk_app_id: str,
        *,
        endpoint: str = ENDPOINT,
        region: str = "ap-guangzhou",
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        client: httpx.Client | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.secret_id = secret_id
        self._secret_key = secret_key
        self.sdk_app_id = sdk_app_id
        self.endpoint = endpoint
        self.region = region
        self.host = urlsplit(endpoint).netloc
        self._init_http(client, timeout)
        self._clock = clock or time.time

    def request_headers(self, action: str, payload: bytes) -> dict[str, str]:
        timestamp = int(self._clock())
        signed = {"Content-Type": CONTENT_TYPE, "Host": self.host, "X-TC-Action": action}
        return {
            **signed,
            "X-TC-Version": API_VERSION,
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Region": self.region,
            "X-TC-Language": "zh-CN",
            "Authorization": authorization_header(
                self.secret_id,
                self._secret_key,
                service=SERVICE,
                timestamp=timestamp,
                signed_headers=signed,
                payload=payload,
            ),
        }

    def _post(self, action: str, body: Mapping[str, Any]) -> httpx.Response:
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        return self.http.post(
            self.endpoint, content=payload, headers=self.request_headers(action, payload)
        )

    # -- SmsGateway -----------------------------------------------------------------------

    def send(self, sms: OutgoingSms) -> SendResult:
        rejected = preflight(sms, max_reference_bytes=MAX_SESSION_CONTEXT_BYTES)
        if rejected is not None:
            return rejected
        body = {
            "PhoneNumberSet": [e164(sms.phone)],
            "SmsSdkAppId": self.sdk_app_id,
            "TemplateId": sms.template_code,
            "SignName": sms.signature,
            "TemplateParamSet": [str(v) for v in sms.params.values()],
            "SessionContext": sms.reference,
        }
        try:
            response = self._post("SendSms", body)
        except httpx.HTTPError as exc:
            return transport_failure(exc)
        try:
            data = response.json()["Response"]
        except (ValueError, KeyError, TypeError):
            if response.status_code >= 500:
                return SendResult.failed(
                    "http_5xx",
                    f"短信平台返回 HTTP {response.status_code}，发送结果未知。",
                    retryable=True,
                )
            return SendResult.failed(
                f"http_{response.status_code}",
                f"短信平台返回无法识别的应答（HTTP {response.status_code}）。",
                retryable=False,
            )
        if "Error" in data:
            error = data["Error"]
            return error_for(str(error.get("Code")), error.get("Message"))
        statuses = data.get("SendStatusSet") or []
        if not statuses:
            return SendResult.failed("empty_response", "短信平台未返回发送状态。", retryable=False)
        status = statuses[0]
        if status.get("Code") == "Ok":
            return SendResult.ok(str(status.get("SerialNo") or "") or None)
        return error_for(str(status.get("Code")), status.get("Message"))

    def pull_status_by_phone(
        self, phone: str, begin: datetime, end: datetime, *, limit: int = PULL_LIMIT
    ) -> list[dict[str, Any]]:
        """Raw PullSmsSendStatusSet for one number; raises ``GatewayQueryError`` on failure."""
        body = {
            "BeginTime": int(begin.timestamp()),
            "EndTime": int(end.timestamp()),
            "Offset": 0,
            "Limit": limit,
            "PhoneNumber": e164(phone),
            "SmsSdkAppId": self.sdk_app_id,
        }
        try:
            data = self._post("PullSmsSendStatusByPhoneNumber", body).json()["Response"]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            raise GatewayQueryError(f"查询短信发送状态失败：{exc!r}") from exc
        if "Error" in data:
            raise GatewayQueryError(
                f"查询短信发送状态失败：{data['Error'].get('Code')} {data['Error'].get('Message')}"
            )
        return list(data.get("PullSmsSendStatusSet") or [])

    def query(
        self, *, reference: str, phone: str, provider_id: str | None, sent_on: date
    ) -> DeliveryState:
        begin = datetime(sent_on.year, sent_on.month, sent_on.day, tzinfo=CHINA_TZ)
        end = min(begin + timedelta(days=2), datetime.fromtimestamp(self._clock(), CHINA_TZ))
        for status in self.pull_status_by_phone(phone, begin, end):
            if (provider_id and status.get("SerialNo") == provider_id) or (
                status.get("SessionContext") == reference
            ):
                return REPORT_STATES.get(str(status.get("ReportStatus")), DeliveryState.PENDING)
        return DeliveryState.UNKNOWN

    def parse_receipts(self, body: bytes, headers: Mapping[str, str]) -> list[Receipt]:
        return parse_receipts(body)

    def receipt_ack(self) -> dict[str, Any]:
        return {"result": 0, "errmsg": "OK"}

    def verify_receipt_request(
        self,
        headers: Mapping[str, str],
        body: bytes,
        query_params: Mapping[str, Any],
        secret: str,
    ) -> bool:
        return verify_receipt_request(headers, body, query_params, secret)

    def __enter__(self) -> TencentSmsGateway:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
