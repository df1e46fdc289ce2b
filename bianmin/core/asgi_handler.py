"""Django's ASGI handler with the middleware chain run in one thread hop, on a fixed set of
request threads that keep their database connections.

Served through ASGI, Django builds an async middleware chain, and every middleware built on
`MiddlewareMixin` (security, sessions, locale, common, CSRF, auth, messages, clickjacking, CSP)
then runs its `process_request` and `process_response` through `sync_to_async`: about twenty
hand-offs to a worker thread per request before a sync view runs in yet another. Our views are
all synchronous, so this handler builds the chain synchronously and enters it once.

Django also gives every request a thread-sensitive context of its own, so each request starts a
new thread, and the thread's database connection (thread-local) is opened for that request and
dropped with it: on SQLite the file is opened and configured again, on PostgreSQL a connection
is taken from the pool and reset. Here a request borrows one of a fixed number of **lanes**
instead (the least busy one): a lane is a thread-sensitive context that is never exited, so its
one thread lives as long as the process and keeps its connection between requests
(`CONN_MAX_AGE`, checked by Django's own `close_old_connections` at each request's start and
end, which run on the same lane). Requests sharing a lane run one after the other, exactly as a
WSGI server's fixed thread pool serves them. An async view would still work (Django runs it with
`async_to_sync`), only without the benefit.

Each request crosses to its lane once, for `request_started`, the request's making, the whole
chain and `response.close` (which sends `request_finished`); Django's handler crosses for the
signal, for the chain and, after the response has gone out, for the close. A response that is not
streamed is complete when the chain returns (our views are synchronous), so it is closed on the
lane before it is sent: nothing of it is read afterwards, and nothing is left to cancel. A
streaming response is sent as Django sends it, watching for the client's disconnect, and closed
after it on a second crossing, as Django does.
"""

import asyncio
from contextlib import closing
from typing import Any

from asgiref.sync import SyncToAsync, ThreadSensitiveContext, sync_to_async
from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import FileResponse, HttpResponseBase
from django.urls import set_script_prefix

from bianmin.core import push


class _Lane:
    __slots__ = ("busy", "context")

    def __init__(self) -> None:
        self.context = ThreadSensitiveContext()
        self.busy = 0


class OneHopASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        super().__init__()
        self.lanes = [_Lane() for _ in range(max(1, settings.REQUEST_THREADS))]

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)
        self._respond_on_lane = sync_to_async(self._respond, thread_sensitive=True)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        push.serve_here()  # the lanes' in-memory live pushes are delivered on this loop
        lane = min(self.lanes, key=lambda each: each.busy)
        lane.busy += 1
        token = SyncToAsync.thread_sensitive_context.set(lane.context)
        try:
            await self.handle(scope, receive, send)
        finally:
            SyncToAsync.thread_sensitive_context.reset(token)
            lane.busy -= 1

    async def handle(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        with closing(body_file):
            set_script_prefix(get_script_prefix(scope))
            response = await self._respond_on_lane(scope, body_file)
            if response.streaming:
                await self._send_streaming(response, receive, send)
                await sync_to_async(response.close)()
            else:  # closed on the lane already (`_respond`)
                await self.send_response(response, send)

    def _respond(self, scope: dict[str, Any], body_file: Any) -> HttpResponseBase:
        """On the lane: what Django's handler does across three hops (the signal, the chain,
        the close of a complete response), in one."""
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, error_response = self.create_request(scope, body_file)
        if request is None:  # a request Django could not make (400, 413): answered as it is
            assert error_response is not None
            response = error_response
        else:
            with push.batched():  # the request's pushes go out together when its view returns
                response = self.get_response(request)  # the synchronous chain, as under WSGI
            response._handler_class = self.__class__  # type: ignore[attr-defined]
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size
        if not response.streaming:
            # Its body is complete: closed here (`request_finished`), not after sending it on
            # another hop to the lane.
            response.close()
        return response

    async def _send_streaming(self, response: HttpResponseBase, receive: Any, send: Any) -> None:
        """Stream until done or until the client goes away, as Django does."""

        class Sent(Exception):
            pass

        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self.listen_for_disconnect(receive))
                await self.send_response(response, send)
                raise Sent
        except* (Sent, RequestAborted):
            pass
