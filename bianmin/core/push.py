"""Pushes to Channels groups from request threads, without waiting for the event loop.

A served request runs on a lane thread (`core.asgi_handler`); its pushes (a call to the
calling display, the line to the position pages, a rating pad's prompt) are sent after its
transaction commits. `async_to_sync(layer.group_send)` would make the lane hand the send to the
server's event loop and then wait until the loop, busy with every other connection, gets to it.
Here the server's loop is recorded when it serves its first request, and a push from a lane is
only put on that loop's queue (`call_soon_threadsafe`); one task on the loop sends the queued
pushes one after the other, in the order they were made. Where no server loop runs (a
management command, the task worker, a test), the push is sent at once with `async_to_sync`.

All of them go over one channel layer, `LIVE_LAYER` (settings.CHANNEL_LAYERS): Redis pub/sub
where Redis is set up, so a push is one PUBLISH that each server process receives once and hands
to its own sockets. Channels' default Redis layer would keep a copy per socket and take two
round trips per push even when no screen listens (a fifth of the event loop's work in a burst of
calls); nothing here needs what it keeps.

A live push is a hint, never the record: every page that receives one also polls, so a push
that fails (Redis down) is logged and dropped, and the pages catch up on their next read.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

log = logging.getLogger(__name__)

LIVE_LAYER = "live"

_Push = tuple[str, dict[str, Any]]  # (group, message)

_state_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_queue: asyncio.Queue[_Push] | None = None
_pump: asyncio.Task[None] | None = None


def attach(loop: asyncio.AbstractEventLoop) -> None:
    """Send this process's pushes from `loop` (the server's, running): called on it."""
    global _loop, _queue, _pump
    with _state_lock:
        if _loop is loop and _pump is not None and not _pump.done():
            return
        _queue = asyncio.Queue()
        _loop = loop
        _pump = loop.create_task(_send_queued(_queue))


def detach() -> None:
    """Forget the loop (its server stopped); pushes are then sent at once again."""
    global _loop, _queue, _pump
    with _state_lock:
        if _loop is not None and _pump is not None and _loop.is_running():
            _loop.call_soon_threadsafe(_pump.cancel)
        _loop = _queue = _pump = None


async def _send_queued(queue: asyncio.Queue[_Push]) -> None:
    while True:
        group, message = await queue.get()
        await _send(group, message)


async def _send(group: str, message: dict[str, Any]) -> None:
    try:
        layer = get_channel_layer(LIVE_LAYER)
        if layer is not None:
            await layer.group_send(group, message)
    except Exception:
        log.warning("live push to %s failed", group, exc_info=True)


def serve_here() -> None:
    """Called on the server's loop for every request it serves: attaches to it on the first."""
    loop = asyncio.get_running_loop()
    if _loop is not loop:
        attach(loop)


def group_send(group: str, message: dict[str, Any]) -> None:
    """Send `message` to the group on `LIVE_LAYER`; never raises."""
    loop, queue = _loop, _queue
    if loop is not None and queue is not None and loop.is_running():
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        try:
            if running is loop:
                queue.put_nowait((group, message))
            else:
                loop.call_soon_threadsafe(queue.put_nowait, (group, message))
            return
        except RuntimeError:  # the loop closed in between: send it here
            pass
    try:
        async_to_sync(_send)(group, message)
    except Exception:
        log.warning("live push to %s failed", group, exc_info=True)
