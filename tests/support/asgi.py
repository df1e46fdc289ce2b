"""One GET straight into an ASGI application, without a server or a socket: the answer's
status, headers and body. Used by the ASGI handler's tests and by bench/asgi_overhead."""

import asyncio
from typing import Any


def http_get_scope(path: str, query: bytes = b"") -> dict[str, Any]:
    """The scope of a GET of `path` from a local client."""
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def asgi_get(app: Any, path: str, query: bytes = b"") -> dict[str, Any]:
    scope = http_get_scope(path, query)
    answer: dict[str, Any] = {"body": b""}
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

    await app(scope, receive, send)
    return answer
