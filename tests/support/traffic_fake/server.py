"""The simulated provider: checks the app key, the HMAC signature and the timestamp window as
the real gateway does, and answers from demo data (or fails on demand: `fail_next`)."""

from __future__ import annotations

import hmac
import json
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bianmin.people.idnumber import make_id_number
from bianmin.traffic.providers.http import NOT_MATCHED_CODE, sign

FAKE_APP_KEY = "bianmin-demo"
FAKE_APP_SECRET = "fake-traffic-secret-for-tests"
SKEW_SECONDS = 300


def _item(n: str, plate: str, at: str, place: str, what: str, points: int, fine: int, done: bool):
    return {
        "wfbh": n,
        "hphm": plate[:3] + "***" + plate[-1],
        "wfsj": at,
        "wfdz": place,
        "wfxw": what,
        "wfjfs": points,
        "fkje": fine,
        "clbj": "1" if done else "0",
        "jkbj": "1" if done else "0",
    }


# (plate, plate type) → (the VIN's last six, violations)
DEMO_VEHICLES: dict[tuple[str, str], tuple[str, list[dict[str, Any]]]] = {
    ("陕E12345", "02"): (
        "123456",
        [
            _item(
                "6105220000012345",
                "陕E12345",
                "2026-11-18 08:15:00",
                "潼关县东大街与南街交叉口",
                "机动车不按交通信号灯规定通行",
                6,
                200,
                False,
            ),
            _item(
                "6105220000011111",
                "陕E12345",
                "2026-09-02 17:40:00",
                "G30连霍高速潼关段K1023",
                "驾驶中型以上载客载货汽车、校车、危险物品运输车辆以外的其他机动车行驶超过规定时速百分之二十以上未达到百分之五十的",
                6,
                200,
                True,
            ),
        ],
    ),
    ("陕EA7788", "52"): ("887766", []),
}
# (ID number, name) → violations
DEMO_DRIVERS: dict[tuple[str, str], list[dict[str, Any]]] = {
    (make_id_number("610522", date(1990, 5, 1), 123), "王建国"): [
        _item(
            "6105220000013333",
            "陕E12345",
            "2026-11-18 08:15:00",
            "潼关县东大街与南街交叉口",
            "机动车不按交通信号灯规定通行",
            6,
            200,
            False,
        ),
    ],
}


class FakeTrafficProvider:
    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.queries: list[dict[str, Any]] = []
        self.fail_next = 0
        self._server = ThreadingHTTPServer((host, port), self._handler())
        self._server.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeTrafficProvider:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeTrafficProvider:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def answer(self, headers: Any, body: bytes) -> tuple[int, dict[str, Any]]:
        if headers.get("X-App-Key") != FAKE_APP_KEY:
            return 401, {"code": "1001", "message": "appKey无效"}
        stamp, nonce = headers.get("X-Timestamp", ""), headers.get("X-Nonce", "")
        expected = sign(FAKE_APP_SECRET, stamp, nonce, body)
        if not hmac.compare_digest(expected, headers.get("X-Signature", "")):
            return 401, {"code": "1002", "message": "签名错误"}
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > SKEW_SECONDS:
            return 401, {"code": "1003", "message": "时间戳超出范围"}
        if self.fail_next > 0:
            self.fail_next -= 1
            return 500, {"code": "5000", "message": "系统繁忙"}
        try:
            query = json.loads(body)
        except ValueError:
            return 400, {"code": "4000", "message": "请求格式错误"}
        self.queries.append(query)
        if query.get("queryType") == "vehicle":
            found = DEMO_VEHICLES.get((query.get("hphm", ""), query.get("hpzl", "")))
            if found is None or found[0] != query.get("clsbdh6"):
                return 200, {"code": NOT_MATCHED_CODE, "message": "车辆信息不符"}
            items = found[1]
        elif query.get("queryType") == "driver":
            driver = DEMO_DRIVERS.get((query.get("sfzmhm", ""), query.get("xm", "")))
            if driver is None:
                return 200, {"code": NOT_MATCHED_CODE, "message": "驾驶人信息不符"}
            items = driver
        else:
            return 400, {"code": "4000", "message": "queryType无效"}
        return 200, {"code": "0", "message": "成功", "data": {"total": len(items), "items": items}}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if self.path.split("?")[0] != "/api/violations/query":
                    status, answer = 404, {"code": "4040", "message": "not found"}
                else:
                    status, answer = provider.answer(self.headers, body)
                data = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
