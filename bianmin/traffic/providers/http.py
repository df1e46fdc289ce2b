"""The HTTP JSON adapter of the traffic-violation provider (protocol in docs/readme/devices.md).

Request: ``POST {base}/api/violations/query`` with a JSON body ::

    {"queryType": "vehicle", "hphm": "陕E12345", "hpzl": "02", "clsbdh6": "123456"}
    {"queryType": "driver", "sfzmhm": "<18-digit ID number>", "xm": "<name>"}

and the headers ``X-App-Key``, ``X-Timestamp`` (Unix seconds), ``X-Nonce`` (random hex) and
``X-Signature`` = hex HMAC-SHA256(app secret, "{timestamp}\\n{nonce}\\n{body}").

Answer: ``{"code": "0", "message": "成功", "data": {"total": n, "items": [{"wfbh": "…",
"hphm": "陕E1***5", "wfsj": "2026-11-20 08:15:00", "wfdz": "…", "wfxw": "…", "wfjfs": 3,
"fkje": 200, "clbj": "0", "jkbj": "0"}]}}``; ``code`` "2001" = no such vehicle/driver or the VIN
does not match; any other non-"0" code, a non-200 status or a timeout is a failure.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx

from bianmin.traffic.providers.base import ProviderError, Violation, ViolationQuery

NOT_MATCHED_CODE = "2001"
CHINA = ZoneInfo("Asia/Shanghai")  # the platform's times are Beijing time


def sign(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    message = f"{timestamp}\n{nonce}\n".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def request_body(query: ViolationQuery) -> dict[str, str]:
    if query.by_vehicle:
        return {
            "queryType": "vehicle",
            "hphm": query.plate,
            "hpzl": query.plate_type,
            "clsbdh6": query.vin_last6,
        }
    return {"queryType": "driver", "sfzmhm": query.id_number, "xm": query.name}


class HttpJsonProvider:
    name = "http-json"

    def __init__(self, *, base_url: str, app_key: str, app_secret: str, timeout: float = 8.0):
        self.base_url = base_url.rstrip("/")
        self.app_key = app_key
        self.app_secret = app_secret
        self.timeout = timeout

    def query(self, query: ViolationQuery) -> list[Violation]:
        body = json.dumps(request_body(query), ensure_ascii=False).encode()
        timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-App-Key": self.app_key,
            "X-Timestamp": timestamp,
            "X-Nonce": nonce,
            "X-Signature": sign(self.app_secret, timestamp, nonce, body),
        }
        try:
            response = httpx.post(
                f"{self.base_url}/api/violations/query",
                content=body,
                headers=headers,
                timeout=self.timeout,
            )
            answer = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ProviderError("failed", str(exc)) from exc
        if not isinstance(answer, dict):
            raise ProviderError("failed", "not a JSON object")
        code = str(answer.get("code", ""))
        if code == NOT_MATCHED_CODE:
            raise ProviderError("not_matched", str(answer.get("message", "")))
        if response.status_code != 200 or code != "0":
            raise ProviderError("failed", f"{response.status_code} {code} {answer.get('message')}")
        try:
            return [_violation(item) for item in (answer.get("data") or {}).get("items", [])]
        except (KeyError, TypeError, ValueError) as exc:
            raise ProviderError("failed", f"bad item: {exc}") from exc


def _violation(item: dict[str, object]) -> Violation:
    return Violation(
        number=str(item["wfbh"]),
        plate_masked=str(item.get("hphm", "")),
        occurred_at=datetime.strptime(str(item["wfsj"]), "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA),
        place=str(item.get("wfdz", "")),
        behaviour=str(item.get("wfxw", "")),
        points=int(str(item.get("wfjfs", 0))),
        fine_yuan=int(str(item.get("fkje", 0))),
        handled=str(item.get("clbj", "0")) == "1",
        paid=str(item.get("jkbj", "0")) == "1",
    )
