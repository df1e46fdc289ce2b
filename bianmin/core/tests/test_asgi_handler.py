"""The product's ASGI application runs the middleware chain and the view in one thread hop,
with every middleware still applied, on a fixed set of request threads (lanes) that keep
their database connections."""

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from asgiref.sync import SyncToAsync
from django.core.signals import request_finished
from django.db import connection
from django.http import StreamingHttpResponse
from django.urls import path

from bianmin.core.asgi_handler import OneHopASGIHandler
from config.asgi import application
from tests.support.asgi import asgi_get, http_get_scope


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
    finished = []

    def on_finished(**kwargs: Any) -> None:
        finished.append(kwargs["sender"])

    request_finished.connect(on_finished)
    try:
        response = _get("/healthz")
    finally:
        request_finished.disconnect(on_finished)
    assert response["status"] == 200
    assert finished == [OneHopASGIHandler]  # closed once, on the lane
    headers = response["headers"]
    # SecurityMiddleware, RequestIdMiddleware, XFrameOptionsMiddleware and the CSP middleware
    # all ran on the way out.
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert "content-security-policy" in headers
    assert "x-request-id" in headers
    # Django's async chain took ~20 hops (two per MiddlewareMixin), its plain sync chain three
    # (request_started, the chain, response.close); here one: request_started, the chain and,
    # the answer being complete, response.close (request_finished).
    assert hops == 1, hops


def test_a_request_django_cannot_make_is_answered_and_closed():
    """A query string that is not UTF-8: Django answers 400 without a request, and the answer
    is closed all the same (`request_finished`, which a server's bookkeeping waits for)."""
    finished = []

    def on_finished(**kwargs: Any) -> None:
        finished.append(kwargs["sender"])

    request_finished.connect(on_finished)
    try:
        with ThreadPoolExecutor(1) as pool:
            response = pool.submit(asyncio.run, asgi_get(application, "/healthz", b"\xff")).result()
    finally:
        request_finished.disconnect(on_finished)
    assert response["status"] == 400
    assert len(finished) == 1


def test_an_unknown_address_gets_the_chinese_not_found_page_through_asgi():
    response = _get("/no-such-page/")
    assert response["status"] == 404
    assert "页面" in response["body"].decode()


def _threads_serving(paths: list[str]) -> tuple[list[str], list[str]]:
    """Serve the paths at the same time; the request threads' names, and those that opened a
    database connection."""
    import threading

    from django.core.signals import request_started
    from django.db.backends.signals import connection_created

    serving: list[str] = []
    connecting: list[str] = []

    def started(**kwargs: Any) -> None:
        serving.append(threading.current_thread().name)

    def connected(**kwargs: Any) -> None:
        connecting.append(threading.current_thread().name)

    async def together() -> None:
        await asyncio.gather(*(asgi_get(application, path) for path in paths))

    request_started.connect(started, dispatch_uid="test_lanes")
    connection_created.connect(connected, dispatch_uid="test_lanes")
    try:
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, together()).result()
    finally:
        request_started.disconnect(dispatch_uid="test_lanes")
        connection_created.disconnect(dispatch_uid="test_lanes")
    return serving, connecting


@pytest.mark.django_db(transaction=True)
def test_requests_one_after_another_reuse_one_thread_and_its_connection(catalogue):
    serving: list[str] = []
    connecting: list[str] = []
    for _ in range(12):
        threads, connections = _threads_serving(["/api/v1/items/"])
        serving += threads
        connecting += connections
    # Django's own handler started a thread (and a connection) for each of the twelve.
    assert len(serving) == 12
    assert len(set(serving)) == 1
    if connection.vendor == "sqlite":  # PostgreSQL hands the connection back to its pool
        assert len(connecting) <= 1


@pytest.mark.django_db(transaction=True)
def test_requests_at_the_same_time_are_spread_over_the_lanes(catalogue):
    serving, _ = _threads_serving(["/api/v1/items/"] * 3)
    assert len(serving) == 3
    assert len(set(serving)) == 3


# --- a streaming answer is sent as Django sends it, and stops when the client goes away ----------


def _stream(request: Any) -> StreamingHttpResponse:
    count = request.GET.get("n")

    async def parts() -> AsyncIterator[bytes]:  # served asynchronously, as Django wants
        n = 0
        while count is None or n < int(count):
            n += 1
            yield f"part {n};".encode()
            await asyncio.sleep(0)

    return StreamingHttpResponse(parts(), content_type="text/plain")


urlpatterns = [path("stream/", _stream)]


async def _streamed(
    query: bytes, *, disconnect_after: int | None, seen: list[str] | None = None
) -> dict[str, Any]:
    """GET /stream/ on this module's URLs; the client leaves after `disconnect_after` parts.
    `seen` gets "part" per part received and "end" for the answer's end."""
    seen = [] if seen is None else seen
    scope = http_get_scope("/stream/", query)
    answer: dict[str, Any] = {"parts": 0, "body": b"", "ended": False}
    asked = asyncio.Event()
    gone = asyncio.Event()

    async def receive() -> dict[str, Any]:
        if not asked.is_set():
            asked.set()
            return {"type": "http.request", "body": b"", "more_body": False}
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            return
        if message.get("body"):
            answer["parts"] += 1
            answer["body"] += message["body"]
            seen.append("part")
        if not message.get("more_body", False):
            answer["ended"] = True
            seen.append("end")
        if disconnect_after is not None and answer["parts"] >= disconnect_after:
            gone.set()
        await asyncio.sleep(0)  # a socket write lets the loop run

    await asyncio.wait_for(application(scope, receive, send), timeout=20)
    return answer


def test_a_streaming_answer_is_sent_whole(settings):
    settings.ROOT_URLCONF = __name__
    with ThreadPoolExecutor(1) as pool:
        got = pool.submit(asyncio.run, _streamed(b"n=3", disconnect_after=None)).result()
    assert got["status"] == 200
    assert got["body"] == b"part 1;part 2;part 3;"
    assert got["ended"] is True


def test_a_streaming_answer_is_closed_once_it_has_gone_out(settings):
    """`request_finished` comes after the last part (the stream's close ends its iterator)."""
    settings.ROOT_URLCONF = __name__
    seen: list[str] = []

    def on_finished(**kwargs: Any) -> None:
        seen.append("finished")

    request_finished.connect(on_finished)
    try:
        with ThreadPoolExecutor(1) as pool:
            streamed = _streamed(b"n=3", disconnect_after=None, seen=seen)
            got = pool.submit(asyncio.run, streamed).result()
    finally:
        request_finished.disconnect(on_finished)
    assert got["ended"] is True
    assert seen == ["part", "part", "part", "end", "finished"]


def test_an_endless_stream_stops_when_the_client_goes_away(settings):
    settings.ROOT_URLCONF = __name__
    with ThreadPoolExecutor(1) as pool:  # wait_for fails the test if the stream never stops
        got = pool.submit(asyncio.run, _streamed(b"", disconnect_after=5)).result()
    assert got["status"] == 200
    assert 5 <= got["parts"] < 1000
    assert got["ended"] is False


# --- a served request's live pushes go out together, once its view has returned --------------


def _pushing(request: Any) -> Any:
    from django.http import HttpResponse

    from bianmin.core import push

    for n in range(3):
        push.group_send("asgi_test_group", {"type": "test.event", "n": n})
    _pushing.sent_before_return = list(_sent)  # type: ignore[attr-defined]
    return HttpResponse("ok")


_sent: list[list[tuple[str, dict[str, Any]]]] = []
urlpatterns.append(path("pushing/", _pushing))


def test_a_requests_pushes_are_sent_together_after_its_view_returns(settings, monkeypatch):
    from bianmin.core import push

    settings.ROOT_URLCONF = __name__
    _sent.clear()
    monkeypatch.setattr(push, "_send", lambda pushes: _sent.append(list(pushes)))
    assert _get("/pushing/")["status"] == 200
    assert _pushing.sent_before_return == []  # type: ignore[attr-defined]
    assert [[message["n"] for _, message in batch] for batch in _sent] == [[0, 1, 2]]
