"""The fake Tencent Cloud SMS server (SendSms, PullSmsSendStatus*, status callbacks)."""

from __future__ import annotations

import json
import logging
import random
import re
import time
import uuid
from typing import Any

from bianmin.core.validators import is_mobile
from bianmin.notifications.clients import tencent as tencent_protocol
from bianmin.notifications.clients.base import normalize_mainland_phone
from bianmin.notifications.clients.segments import count_segments
from tests.support.sms_fakes.server import (
    FAKE_TENCENT_SDK_APP_ID,
    FAKE_TENCENT_SECRET_ID,
    FAKE_TENCENT_SECRET_KEY,
    FakeMessage,
    FakeSmsServer,
    Request,
    _china_time,
)

logger = logging.getLogger("tests.support.sms_fakes")


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
