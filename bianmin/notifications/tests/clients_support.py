"""Shared pieces of the gateway-client tests: a sample message, the receipt receiver."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from bianmin.notifications.clients import (
    OutgoingSms,
    Receipt,
    SmsGateway,
    receipt_callback_url,
    render_text,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
SIGNATURE = "潼关县公安局"
RECEIPT_SECRET = "receipt-secret-for-tests"
SHORT_TIMEOUT = httpx.Timeout(1.0, connect=2.0)


def make_sms(reference: str = "msg-1", phone: str = "13800000000") -> OutgoingSms:
    params = {"name": "张三", "date": "5月20日"}
    body = f"{params['name']}，您的居住证已办结，请于{params['date']}前到便民服务中心领取。"
    return OutgoingSms(
        reference=reference,
        phone=phone,
        template_code="SMS_123456789",
        params=params,
        signature=SIGNATURE,
        text=render_text(SIGNATURE, body),
    )


# Receipt receiver used by the push tests: behaves like the Django view will.


class ReceiptSink:
    def __init__(self, gateway: SmsGateway) -> None:
        self.gateway = gateway
        self.receipts: list[Receipt] = []
        self.rejected = 0
        self.posts = 0
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                sink.posts += 1
                query = parse_qs(urlsplit(self.path).query)
                headers = dict(self.headers.items())
                if not sink.gateway.verify_receipt_request(headers, body, query, RECEIPT_SECRET):
                    sink.rejected += 1
                    status, answer = 403, {"error": "forbidden"}
                else:
                    sink.receipts.extend(sink.gateway.parse_receipts(body, headers))
                    status, answer = 200, sink.gateway.receipt_ack()
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, fmt: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def url(self, token: bool = True) -> str:
        base = f"http://127.0.0.1:{self.server.server_address[1]}/sms/receipts/"
        return receipt_callback_url(base, RECEIPT_SECRET, self.gateway.name) if token else base

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
