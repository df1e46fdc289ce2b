"""Alibaba Cloud SMS (dysmsapi, API version 2017-05-25) client.

Protocol: RPC style. Every call is an HTTP GET or POST to ``https://dysmsapi.aliyuncs.com/``
whose parameters are the action's own (``PhoneNumbers``, ``SignName``, ...) plus the common
ones (``Action``, ``Version``, ``Format``, ``AccessKeyId``, ``SignatureMethod=HMAC-SHA1``,
``SignatureVersion=1.0``, ``SignatureNonce``, ``Timestamp``) and ``Signature``:

1. percent-encode every name and value per RFC 3986 (UTF-8; only ``A-Z a-z 0-9 - _ . ~``
   stay literal, so space is ``%20``, ``*`` is ``%2A`` and ``~`` is not encoded -- the
   "special replacements" applied to Java's URLEncoder in Alibaba's docs);
2. sort by name, join ``name=value`` with ``&`` (the canonicalized query string);
3. ``StringToSign = METHOD + "&" + percentEncode("/") + "&" + percentEncode(canonicalized)``;
4. ``Signature = base64(HMAC-SHA1(key=AccessKeySecret + "&", StringToSign))``.

The implementation is checked against the example published in Alibaba's SMS documentation
(``testId`` / ``testSecret``, SignatureNonce ``45e25e9b-...``, Signature
``zJDF+Lrzhj/ThnlvIToysFRq6t4=``); see the tests.

We POST the parameters as a form body so that phone numbers and template parameters (personal
data) stay out of URLs and proxy logs.

SendSms is not idempotent; after an ambiguous failure the caller uses :meth:`query`, backed by
QuerySendDetails, which lists a message as soon as it is accepted (SendStatus 1 = waiting for
the receipt, 2 = failed, 3 = delivered) and echoes our ``OutId``.

Receipts (SmsReport) arrive by HTTP batch push as a JSON array and are acknowledged with
``{"code": 0}``. The push is unsigned; see ``base`` for the ``?token=`` scheme used instead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from .base import (
    DEFAULT_TIMEOUT,
    DeliveryState,
    GatewayQueryError,
    HttpClientMixin,
    OutgoingSms,
    Receipt,
    ReceiptParseError,
    SendResult,
    china_today,
    normalize_mainland_phone,
    parse_china_time,
    preflight,
    transport_failure,
    verify_receipt_token,
)

NAME = "aliyun"
ENDPOINT = "https://dysmsapi.aliyuncs.com/"
API_VERSION = "2017-05-25"
MAX_PHONE_NUMBERS = 1000
QUERY_PAGE_SIZE = 50  # the maximum QuerySendDetails accepts
QUERY_MAX_PAGES = 20

SEND_STATUS = {1: DeliveryState.PENDING, 2: DeliveryState.FAILED, 3: DeliveryState.DELIVERED}

# code -> (Chinese description, retryable). Retryable means "the same request may succeed
# later without anyone changing configuration".
ERRORS: dict[str, tuple[str, bool]] = {
    "isv.BUSINESS_LIMIT_CONTROL": ("触发短信平台业务流控，请稍后重试。", True),
    "Throttling.User": ("请求过于频繁，触发短信平台流控。", True),
    "Throttling": ("请求过于频繁，触发短信平台流控。", True),
    "ServiceUnavailable": ("短信平台暂时不可用。", True),
    "isp.SYSTEM_ERROR": ("短信平台系统错误，发送结果未知。", True),
    "SignatureNonceUsed": ("签名随机数重复，请重新发送。", True),
    "SignatureDoesNotMatch": ("短信平台签名校验失败，请检查 AccessKey Secret。", False),
    "InvalidAccessKeyId.NotFound": ("AccessKey ID 不存在。", False),
    "InvalidAccessKeyId.Inactive": ("AccessKey 已停用。", False),
    "InvalidTimeStamp.Expired": ("请求时间戳已过期，请校准服务器时间。", False),
    "isp.RAM_PERMISSION_DENY": ("RAM 权限不足，无法发送短信。", False),
    "isv.OUT_OF_SERVICE": ("短信业务已停机，请检查账户余额。", False),
    "isv.AMOUNT_NOT_ENOUGH": ("短信账户余额不足。", False),
    "isv.DAY_LIMIT_CONTROL": ("已达到当日发送上限。", False),
    "isv.MOBILE_NUMBER_ILLEGAL": ("手机号码格式不正确。", False),
    "isv.MOBILE_COUNT_OVER_LIMIT": ("手机号码数量超过上限。", False),
    "isv.SMS_SIGNATURE_ILLEGAL": ("短信签名不合法或未通过审核。", False),
    "isv.SMS_SIGN_ILLEGAL": ("短信签名不合法或未通过审核。", False),
    "isv.SMS_TEMPLATE_ILLEGAL": ("短信模板不合法或未通过审核。", False),
    "isv.TEMPLATE_MISSING_PARAMETERS": ("模板变量缺少参数值。", False),
    "isv.TEMPLATE_PARAMS_ILLEGAL": ("模板变量含有非法字符。", False),
    "isv.INVALID_JSON_PARAM": ("模板参数不是合法的 JSON。", False),
    "isv.INVALID_PARAMETERS": ("参数格式不正确。", False),
    "isv.PARAM_LENGTH_LIMIT": ("参数超出长度限制。", False),
    "isv.BLACK_KEY_CONTROL_LIMIT": ("模板变量含有黑名单关键字。", False),
    "isv.EXTEND_CODE_ERROR": ("扩展码使用错误。", False),
    "isv.DOMESTIC_NUMBER_NOT_SUPPORTED": ("该号码不支持发送国内短信。", False),
    "isv.DENY_IP_RANGE": ("源 IP 地址不在白名单中。", False),
}


def percent_encode(value: str) -> str:
    """RFC 3986 percent-encoding of UTF-8, as Alibaba's POP signature requires."""
    return quote(value, safe="~")  # quote leaves A-Z a-z 0-9 _ . - ~ literal


def canonicalized_query(params: Mapping[str, str]) -> str:
    return "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))


def string_to_sign(method: str, params: Mapping[str, str]) -> str:
    return f"{method.upper()}&{percent_encode('/')}&{percent_encode(canonicalized_query(params))}"


def compute_signature(method: str, params: Mapping[str, str], access_key_secret: str) -> str:
    """Base64 HMAC-SHA1 over the string to sign; ``Signature`` itself must not be in params."""
    key = (access_key_secret + "&").encode()
    digest = hmac.new(key, string_to_sign(method, params).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def format_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def error_for(code: str, message: str | None) -> SendResult:
    description, retryable = ERRORS.get(code, (None, False))
    if description is None:
        description = f"短信平台返回错误：{code}（{message or '无说明'}）"
    return SendResult.failed(code, description, retryable=retryable)


def verify_receipt_request(
    headers: Mapping[str, str], body: bytes, query_params: Mapping[str, Any], secret: str
) -> bool:
    """Authenticate an SmsReport push by the ``?token=`` in its URL (see ``base``)."""
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
            success = item["success"]
            if isinstance(success, str):
                success = success.strip().lower() == "true"
            out_id = item.get("out_id") or None
            receipts.append(
                Receipt(
                    reference=str(out_id) if out_id is not None else None,
                    provider_id=str(item["biz_id"]),
                    phone=normalize_mainland_phone(str(item["phone_number"])),
                    delivered=bool(success),
                    code=str(item.get("err_code") or ""),
                    at=parse_china_time(str(item.get("report_time") or item["send_time"])),
                )
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ReceiptParseError(f"状态报告格式不正确：{exc!r}") from exc
    return receipts


class AliyunSmsGateway(HttpClientMixin):
    name = NAME

    def __init__(
        self,
        access_key_id: str,
        access_key_secret: str,
        *,
        endpoint: str = ENDPOINT,
        region_id: str = "cn-hangzhou",
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        client: httpx.Client | None = None,
        clock: Callable[[], datetime] | None = None,
        nonce_factory: Callable[[], str] | None = None,
    ) -> None:
        self.access_key_id = access_key_id
        self._secret = access_key_secret
        self.endpoint = endpoint
        self.region_id = region_id
        self._init_http(client, timeout)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._nonce = nonce_factory or (lambda: uuid.uuid4().hex)

    # -- plumbing -------------------------------------------------------------------------

    def signed_params(
        self, action: str, params: Mapping[str, str], method: str = "POST"
    ) -> dict[str, str]:
        """All request parameters including ``Signature``; a fresh nonce on every call."""
        full = {
            "Action": action,
            "Version": API_VERSION,
            "Format": "JSON",
            "RegionId": self.region_id,
            "AccessKeyId": self.access_key_id,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureVersion": "1.0",
            "SignatureNonce": self._nonce(),
            "Timestamp": format_timestamp(self._clock()),
            **{k: v for k, v in params.items() if v is not None},
        }
        full["Signature"] = compute_signature(method, full, self._secret)
        return full

    def _post(self, action: str, params: Mapping[str, str]) -> httpx.Response:
        signed = self.signed_params(action, params, "POST")
        body = canonicalized_query(signed)
        return self.http.post(
            self.endpoint,
            content=body.encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                "Accept": "application/json",
            },
        )

    # -- SmsGateway -----------------------------------------------------------------------

    def send(self, sms: OutgoingSms) -> SendResult:
        rejected = preflight(sms)
        if rejected is not None:
            return rejected
        params = {
            "PhoneNumbers": sms.phone,
            "SignName": sms.signature,
            "TemplateCode": sms.template_code,
            "TemplateParam": json.dumps(sms.params, ensure_ascii=False, separators=(",", ":")),
            "OutId": sms.reference,
        }
        try:
            response = self._post("SendSms", params)
        except httpx.HTTPError as exc:
            return transport_failure(exc)
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict) or "Code" not in data:
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
        if data["Code"] == "OK":
            return SendResult.ok(str(data.get("BizId") or "") or None)
        return error_for(str(data["Code"]), data.get("Message"))

    def query_send_details(
        self,
        phone: str,
        send_date: date,
        *,
        biz_id: str | None = None,
        page_size: int = QUERY_PAGE_SIZE,
        current_page: int = 1,
    ) -> dict[str, Any]:
        """Raw QuerySendDetails answer; raises ``GatewayQueryError`` unless Code is OK."""
        params = {
            "PhoneNumber": phone,
            "SendDate": send_date.strftime("%Y%m%d"),
            "PageSize": str(page_size),
            "CurrentPage": str(current_page),
        }
        if biz_id:
            params["BizId"] = biz_id
        try:
            response = self._post("QuerySendDetails", params)
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise GatewayQueryError(f"查询短信发送状态失败：{exc!r}") from exc
        if not isinstance(data, dict) or data.get("Code") != "OK":
            code = data.get("Code") if isinstance(data, dict) else None
            message = data.get("Message") if isinstance(data, dict) else None
            raise GatewayQueryError(f"查询短信发送状态失败：{code} {message}")
        return data

    def query(
        self, *, reference: str, phone: str, provider_id: str | None, sent_on: date
    ) -> DeliveryState:
        """Find the message by BizId if known, otherwise by our OutId, on sent_on (Beijing
        date) and the next day (a send just before midnight may be filed under either)."""
        days = [sent_on]
        if sent_on + timedelta(days=1) <= china_today():
            days.append(sent_on + timedelta(days=1))
        for day in days:
            page, pages = 1, 1
            while page <= min(pages, QUERY_MAX_PAGES):
                data = self.query_send_details(phone, day, biz_id=provider_id, current_page=page)
                total = int(data.get("TotalCount") or 0)
                pages = max(1, math.ceil(total / QUERY_PAGE_SIZE))
                dtos = (data.get("SmsSendDetailDTOs") or {}).get("SmsSendDetailDTO") or []
                for dto in dtos:
                    if provider_id or str(dto.get("OutId") or "") == reference:
                        return SEND_STATUS.get(int(dto.get("SendStatus", 0)), DeliveryState.UNKNOWN)
                page += 1
        return DeliveryState.UNKNOWN

    def parse_receipts(self, body: bytes, headers: Mapping[str, str]) -> list[Receipt]:
        return parse_receipts(body)

    def receipt_ack(self) -> dict[str, Any]:
        return {"code": 0, "msg": "成功"}

    def verify_receipt_request(
        self,
        headers: Mapping[str, str],
        body: bytes,
        query_params: Mapping[str, Any],
        secret: str,
    ) -> bool:
        return verify_receipt_request(headers, body, query_params, secret)

    def __enter__(self) -> AliyunSmsGateway:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
