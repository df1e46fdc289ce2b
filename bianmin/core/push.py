"""Live pushes from request threads, sent once the request's work is done, never waiting for
the server's event loop.

A served request runs on a lane thread (`core.asgi_handler`); its pushes (a call to the
calling display and to the window's rating pad, the line to the position pages) are made after
its transaction commits, and held until the request's view returns (`batched`): then they are
sent together, in the order they were made.

All of them go over one channel layer, `LIVE_LAYER` (settings.CHANNEL_LAYERS):

* **Redis pub/sub** where Redis is set up: a push is one PUBLISH, which each server process
  receives once and hands to its own sockets (Channels' default Redis layer would keep a copy
  per socket and take two round trips per push even when no screen listens). The lane publishes
  a request's pushes itself, in one pipelined round trip, as the layer's own `group_send` would
  publish each (its channel name for the group, its serializer). Sent through the layer, every
  push was a task on the server's event loop, which also reads and writes every connection:
  in a burst of calls and finishes the pushes were an eighth of the whole process's work, most
  of it the loop's own await machinery around one PUBLISH.
* **In memory** (the embedded default, one process): the groups live on the server's loop, so
  the pushes are put on its queue in one hand-off (`call_soon_threadsafe`), and one task there
  delivers them in order. The server's loop is recorded when it serves its first request.

Where no request holds the pushes (a management command, the task worker, a test) each is sent
at once, with `async_to_sync` for a layer that needs a loop.

A live push is a hint, never the record: every page that receives one also polls, so a push
that fails (Redis down) is logged and dropped, and the pages catch up on their next read.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.conf import settings

log = logging.getLogger(__name__)

LIVE_LAYER = "live"

_Push = tuple[str, dict[str, Any]]  # (group, message)

_state_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_queue: asyncio.Queue[_Push] | None = None
_pump: asyncio.Task[None] | None = None

_held = threading.local()  # .pushes: the current request's pushes, while `batched` holds them


# --- the server's loop (the in-memory layer) --------------------------------------------------


def attach(loop: asyncio.AbstractEventLoop) -> None:
    """Deliver this process's in-memory pushes from `loop` (the server's, running): called on
    it."""
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


def serve_here() -> None:
    """Called on the server's loop for every request it serves: attaches to it on the first."""
    loop = asyncio.get_running_loop()
    if _loop is not loop:
        attach(loop)


async def _send_queued(queue: asyncio.Queue[_Push]) -> None:
    while True:
        group, message = await queue.get()
        await _send_through_layer(group, message)


async def _send_through_layer(group: str, message: dict[str, Any]) -> None:
    try:
        layer = get_channel_layer(LIVE_LAYER)
        if layer is not None:
            await layer.group_send(group, message)
    except Exception:
        log.warning("live push to %s failed", group, exc_info=True)


def _enqueue(queue: asyncio.Queue[_Push], pushes: list[_Push]) -> None:
    for each in pushes:
        queue.put_nowait(each)


def _queue_on_loop(pushes: list[_Push]) -> bool:
    """Put the pushes on the server loop's queue; False when no server loop runs."""
    loop, queue = _loop, _queue
    if loop is None or queue is None or not loop.is_running():
        return False
    try:
        running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    try:
        if running is loop:
            _enqueue(queue, pushes)
        else:
            loop.call_soon_threadsafe(_enqueue, queue, pushes)
    except RuntimeError:  # the loop closed in between
        return False
    return True


# --- Redis pub/sub, published from the calling thread -----------------------------------------


class _Publisher:
    """Publishes to the pub/sub layer's group channels from any thread, as the layer's
    `group_send` does from its loop: the same channel name and serializer (the layer's), over a
    client of our own (a redis-py client is shared between threads; each command borrows a
    connection from its pool)."""

    def __init__(self, layer: RedisPubSubChannelLayer, config: dict[str, Any]) -> None:
        (host,) = config["hosts"]  # one Redis: the layer's shard of every group is this one
        self.layer = layer
        self.prefix = str(config.get("prefix", "asgi"))
        # A push is a hint: a Redis that does not answer costs the request at most a second
        # or two, never a hung lane.
        self.client = redis.Redis.from_url(str(host), socket_timeout=2, socket_connect_timeout=2)

    def publish(self, pushes: list[_Push]) -> None:
        with self.client.pipeline(transaction=False) as pipe:
            for group, message in pushes:
                pipe.publish(f"{self.prefix}__group__{group}", self.layer.serialize(message))
            pipe.execute()


_publishers: weakref.WeakKeyDictionary[Any, _Publisher | None] = weakref.WeakKeyDictionary()


def _publisher(layer: Any) -> _Publisher | None:
    """The publisher for `layer` when it is Redis pub/sub on one Redis (as configured), else
    None: the layer's own `group_send` then sends."""
    try:
        return _publishers[layer]
    except KeyError:
        pass
    with _state_lock:
        if layer not in _publishers:
            layers: dict[str, dict[str, Any]] = settings.CHANNEL_LAYERS
            config = layers[LIVE_LAYER].get("CONFIG", {})
            hosts = config.get("hosts", ())
            single = len(hosts) == 1 and isinstance(hosts[0], str)
            pubsub = isinstance(layer, RedisPubSubChannelLayer)
            _publishers[layer] = _Publisher(layer, config) if pubsub and single else None
        return _publishers[layer]


# --- sending ----------------------------------------------------------------------------------


def _send(pushes: list[_Push]) -> None:
    """Send the pushes in order; never raises."""
    try:
        layer = get_channel_layer(LIVE_LAYER)
        if layer is None:
            return
        publisher = _publisher(layer)
        if publisher is not None:
            publisher.publish(pushes)
            return
    except Exception:
        log.warning("live push to %s failed", ", ".join(g for g, _ in pushes), exc_info=True)
        return
    if _queue_on_loop(pushes):
        return
    for group, message in pushes:
        try:
            async_to_sync(_send_through_layer)(group, message)
        except Exception:
            log.warning("live push to %s failed", group, exc_info=True)


@contextmanager
def batched() -> Iterator[None]:
    """Hold this thread's pushes until the block ends, then send them together (a served
    request's, in `core.asgi_handler`). Within an outer block, the outer one sends them."""
    if getattr(_held, "pushes", None) is not None:
        yield
        return
    pushes: list[_Push] = []
    _held.pushes = pushes
    try:
        yield
    finally:
        _held.pushes = None
        if pushes:
            _send(pushes)


def group_send(group: str, message: dict[str, Any]) -> None:
    """Send `message` to the group on `LIVE_LAYER` (held while `batched` holds); never
    raises."""
    pushes = getattr(_held, "pushes", None)
    if pushes is not None:
        pushes.append((group, message))
    else:
        _send([(group, message)])
