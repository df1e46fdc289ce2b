"""The fake Alibaba Cloud SMS server (SendSms, QuerySendDetails, SmsReport pushes)."""

from __future__ import annotations

import json
import logging
import random
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from bianmin.core.validators import is_mobile
from bianmin.notifications.clients import aliyun as aliyun_protocol
from bianmin.notifications.clients.base import CHINA_TZ, normalize_mainland_phone
from bianmin.notifications.clients.segments import count_segments
from tests.support.sms_fakes.server import (
    FAKE_ALIYUN_ACCESS_KEY_ID,
    FAKE_ALIYUN_ACCESS_KEY_SECRET,
    NONCE_TTL,
    FakeMessage,
    FakeSmsServer,
    Request,
    _china_time,
)

logger = logging.getLogger("tests.support.sms_fakes")


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
            # The API's own flow control (requests per second), as Alibaba Cloud answers it;
            # isv.BUSINESS_LIMIT_CONTROL is the per-number frequency limit, another thing.
            return self._error(
                400, "Throttling.User", "Request was denied due to user flow control."
            )
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
