"""The product's ASGI application runs the middleware chain and the view in one thread hop,
with every middleware still applied."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import SyncToAsync

from config.asgi import application


def _get(path: str) -> dict[str, Any]:
    """One GET through the ASGI application, on a thread of its own (Playwright may keep an
    event loop running in this one)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    answer: dict[str, Any] = {"body": b""}

    async def run() -> None:
        delivered = asyncio.Event()

        async def receive() -> dict[str, Any]:
            if not delivered.is_set():
                delivered.set()
                return {"type": "http.request", "body": b"", "more_body": False}
            await asyncio.Event().wait()  # the client never disconnects
            raise AssertionError

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                answer["headers"] = {k.decode().lower(): v.decode() for k, v in message["headers"]}
            else:
                answer["body"] += message.get("body", b"")

        await application(scope, receive, send)

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()
    return answer


def test_a_request_goes_through_every_middleware_in_few_thread_hops(monkeypatch):
    hops = 0
    original = SyncToAsync.__call__

    async def counted(self: SyncToAsync, *args: Any, **kwargs: Any) -> Any:
        nonlocal hops
        hops += 1
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(SyncToAsync, "__call__", counted)
    response = _get("/healthz")
    assert response["status"] == 200
    headers = response["headers"]
    # SecurityMiddleware, RequestIdMiddleware, XFrameOptionsMiddleware and the CSP middleware
    # all ran on the way out.
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert "content-security-policy" in headers
    assert "x-request-id" in headers
    # Django's async chain took ~20 hops (two per MiddlewareMixin); now: the chain, and the
    # request_started / request_finished signals' sync receivers.
    assert hops <= 4, hops


def test_an_unknown_address_gets_the_chinese_not_found_page_through_asgi():
    response = _get("/no-such-page/")
    assert response["status"] == 404
    assert "页面" in response["body"].decode()
