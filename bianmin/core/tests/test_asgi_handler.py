"""The product's ASGI application runs the middleware chain and the view in one thread hop,
with every middleware still applied."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import SyncToAsync

from config.asgi import application
from tests.support.asgi import asgi_get


def _get(path: str) -> dict[str, Any]:
    """On a thread of its own: Playwright may keep an event loop running in this one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, asgi_get(application, path)).result()


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
