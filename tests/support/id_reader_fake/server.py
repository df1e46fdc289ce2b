"""The simulated reader service: a threaded HTTP server on loopback speaking two protocols.

Protocol ``cgi`` (``POST /cgi-bin/readCard``)::

    {"info": {"certType": 0, "name": "王建国", "sex": "男", "nation": "汉",
              "birthday": "19900501", "address": "…", "idCode": "6105221990…",
              "department": "潼关县公安局", "startDate": "20190603", "endDate": "20390603",
              "Photo": "<base64 JPEG 102×126>"},
     "result": {"resultFlag": 0, "errorMsg": ""}}

    no card on the reader: {"info": {}, "result": {"resultFlag": -1, "errorMsg": "未放卡或读卡失败"}}

Protocol ``zkidr`` (ZKTeco ZKIDROnline,
``GET /ZKIDROnline/ScanReadIdCardInfo?OP-DEV=1&CMD-URL=4&REPEAT=1&common=1``)::

    {"ret": 0, "Certificate": {"Name": "…", "Sex": "男", "Nation": "汉",
      "Birthday": "1990-05-01", "Address": "…", "IDNumber": "…", "IDIssued": "…",
      "IssuedData": "2019.06.03", "ValidDate": "2039.06.03", "Base64Photo": "…"}}

    no card: {"ret": 4, "ErrorMsg": "未放卡或读卡失败"}

Both answer CORS (and Chromium's private-network preflight), as the real services do.
Simulation controls (not part of any real protocol): ``POST /_sim/place`` with
``{"index": n}`` or a whole card in this package's JSON shape, ``POST /_sim/remove``,
``GET /_sim/state``.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from tests.support.id_reader_fake.cards import DEMO_CARDS, Card

NO_CARD = "未放卡或读卡失败"


def _compact(day: Any) -> str:
    return day.strftime("%Y%m%d") if day else "长期"


def _dotted(day: Any) -> str:
    return day.strftime("%Y.%m.%d") if day else "长期"


def cgi_body(card: Card | None) -> dict[str, Any]:
    if card is None:
        return {"info": {}, "result": {"resultFlag": -1, "errorMsg": NO_CARD}}
    return {
        "info": {
            "certType": 0,
            "name": card.name,
            "sex": "男" if card.gender == "male" else "女",
            "nation": card.nation,
            "birthday": _compact(card.birth_date),
            "address": card.address,
            "idCode": card.id_number,
            "department": card.authority,
            "startDate": _compact(card.valid_from),
            "endDate": _compact(card.valid_to),
            "Photo": card.photo,
        },
        "result": {"resultFlag": 0, "errorMsg": ""},
    }


def zkidr_body(card: Card | None) -> dict[str, Any]:
    if card is None:
        return {"ret": 4, "ErrorMsg": NO_CARD}
    return {
        "ret": 0,
        "Certificate": {
            "Name": card.name,
            "Sex": "男" if card.gender == "male" else "女",
            "Nation": card.nation,
            "Birthday": card.birth_date.isoformat(),
            "Address": card.address,
            "IDNumber": card.id_number,
            "IDIssued": card.authority,
            "IssuedData": _dotted(card.valid_from),
            "ValidDate": _dotted(card.valid_to),
            "Base64Photo": card.photo,
        },
    }


class FakeIdReader:
    """``with FakeIdReader() as reader: reader.url …``; ``place(card_or_index)``, ``remove()``."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, cards: list[Card] | None = None):
        self.cards = list(cards or DEMO_CARDS)
        self.card: Card | None = self.cards[0] if self.cards else None
        self.reads = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), self._handler())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def place(self, card: Card | int) -> Card:
        with self._lock:
            self.card = self.cards[card] if isinstance(card, int) else card
            return self.card

    def remove(self) -> None:
        with self._lock:
            self.card = None

    def read(self) -> Card | None:
        with self._lock:
            self.reads += 1
            return self.card

    def start(self) -> FakeIdReader:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeIdReader:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        reader = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _send(self, status: int, body: dict[str, Any] | None) -> None:
                data = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
                self.send_header("Access-Control-Allow-Headers", "Content-Type")
                self.send_header("Access-Control-Allow-Private-Network", "true")
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> dict[str, Any]:
                length = int(self.headers.get("Content-Length") or 0)
                if not length:
                    return {}
                try:
                    data = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    return {}
                return data if isinstance(data, dict) else {}

            def do_OPTIONS(self) -> None:
                self._send(204, None)

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                if path == "/ZKIDROnline/ScanReadIdCardInfo":
                    self._send(200, zkidr_body(reader.read()))
                elif path == "/ZKIDROnline/info":
                    self._send(200, {"ret": 0, "info": {"version": "simulated", "model": "SIM"}})
                elif path == "/cgi-bin/readCard":
                    self._send(200, cgi_body(reader.read()))
                elif path == "/_sim/state":
                    card = reader.card
                    self._send(
                        200, {"card": card.as_json() if card else None, "reads": reader.reads}
                    )
                else:
                    self._send(404, {"error": "not found"})

            def do_POST(self) -> None:
                path = urlsplit(self.path).path
                body = self._body()
                if path == "/cgi-bin/readCard":
                    self._send(200, cgi_body(reader.read()))
                elif path == "/_sim/place":
                    try:
                        card = (
                            reader.place(int(body["index"]))
                            if "index" in body
                            else reader.place(Card.from_json(body))
                        )
                    except (KeyError, IndexError, ValueError, TypeError):
                        self._send(400, {"error": "bad card"})
                        return
                    self._send(200, {"card": card.as_json()})
                elif path == "/_sim/remove":
                    reader.remove()
                    self._send(200, {"card": None})
                else:
                    self._send(404, {"error": "not found"})

        return Handler
