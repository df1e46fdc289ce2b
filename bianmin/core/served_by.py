"""`X-Bianmin-Worker: <pid>` on every response and websocket handshake, when
`BIANMIN_WORKER_HEADER=1`: tests and benchmarks of `serve --workers N` see which worker process
served a request. Off by default (a process id is nobody else's business)."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

WORKER_HEADER_ENV = "BIANMIN_WORKER_HEADER"
WORKER_HEADER = "x-bianmin-worker"

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[MutableMapping[str, Any], Receive, Send], Awaitable[None]]


def worker_header_enabled() -> bool:
    return os.environ.get(WORKER_HEADER_ENV, "") not in ("", "0")


class WorkerHeader:
    """ASGI middleware adding the serving process's id to HTTP responses and websocket accepts."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        header = (WORKER_HEADER.encode(), str(os.getpid()).encode())

        async def send_marked(message: Message) -> None:
            if message["type"] in ("http.response.start", "websocket.accept"):
                message = {**message, "headers": [*message.get("headers", []), header]}
            await send(message)

        await self.app(scope, receive, send_marked)
