"""Live pushes from request threads: queued on the server's loop, sent in order, never lost
for want of a loop."""

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from bianmin.core import push

GROUP = "push_test_group"


class ServerLoop:
    """An event loop running in its own thread, as uvicorn's runs beside the lanes."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.loop.run_forever()
        # closed in its own thread: channels_redis flushes its connections on close with
        # run_until_complete, which fails in a thread where another loop runs (Playwright's)
        self.loop.close()

    def run(self, coro: Any, timeout: float = 10) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        self.run(_cancel_others())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


async def _cancel_others() -> None:
    for task in asyncio.all_tasks():
        if task is not asyncio.current_task():
            task.cancel()


@pytest.fixture
def server_loop() -> Iterator[ServerLoop]:
    server = ServerLoop()
    yield server
    push.detach()
    server.stop()


async def _listen() -> str:
    layer = get_channel_layer(push.LIVE_LAYER)
    channel = await layer.new_channel()
    await layer.group_add(GROUP, channel)
    return str(channel)


async def _attach() -> None:
    push.serve_here()


def test_a_push_from_a_request_thread_is_queued_on_the_server_loop_and_sent_in_order(
    server_loop: ServerLoop,
) -> None:
    channel = server_loop.run(_listen())
    pushed = threading.Event()
    waits: list[bool] = []

    def busy_with_other_connections() -> None:
        # runs on the loop; with a push that waits for the loop, `pushed` only comes after 5 s
        waits.append(pushed.wait(5))

    def request() -> None:  # on a lane thread, as a served request
        server_loop.loop.call_soon_threadsafe(busy_with_other_connections)
        for n in range(30):
            push.group_send(GROUP, {"type": "test.event", "n": n})
        pushed.set()

    async def serve() -> None:
        push.serve_here()
        await sync_to_async(request, thread_sensitive=False)()

    server_loop.run(serve(), timeout=20)

    assert waits == [True]  # the request made its pushes while the loop was busy
    layer = get_channel_layer(push.LIVE_LAYER)
    received = [server_loop.run(layer.receive(channel))["n"] for _ in range(30)]
    assert received == list(range(30))
    server_loop.run(layer.group_discard(GROUP, channel))


async def _pushed_from_a_plain_thread(n: int) -> int:
    """Listen on the group, push `n` from a thread with no loop of its own (as the task worker
    does), and return what arrived."""
    layer = get_channel_layer(push.LIVE_LAYER)
    channel = await layer.new_channel()
    await layer.group_add(GROUP, channel)
    await asyncio.to_thread(push.group_send, GROUP, {"type": "test.event", "n": n})
    message = await asyncio.wait_for(layer.receive(channel), 5)
    await layer.group_discard(GROUP, channel)
    return int(message["n"])


def test_without_a_server_loop_a_push_is_sent_at_once(server_loop: ServerLoop) -> None:
    push.detach()  # the loop below only receives: it serves no request
    assert server_loop.run(_pushed_from_a_plain_thread(7)) == 7


def test_a_stopped_server_loop_does_not_swallow_pushes(server_loop: ServerLoop) -> None:
    gone = ServerLoop()
    gone.run(_attach())
    gone.stop()  # the server is gone; its loop no longer runs
    assert server_loop.run(_pushed_from_a_plain_thread(3)) == 3


async def _collect(channel: str, into: list[int], count: int) -> None:
    """Receive `count` messages into `into` as they arrive (never cancelled: a cancelled
    receive on the pub/sub layer gives its channel up)."""
    layer = get_channel_layer(push.LIVE_LAYER)
    for _ in range(count):
        into.append((await layer.receive(channel))["n"])


def test_held_pushes_go_out_when_the_outermost_block_ends_in_order(
    server_loop: ServerLoop,
) -> None:
    channel = server_loop.run(_listen())
    server_loop.run(_attach())
    received: list[int] = []
    receiving = asyncio.run_coroutine_threadsafe(_collect(channel, received, 5), server_loop.loop)
    while_held: list[list[int]] = []

    def request() -> None:  # on a lane thread, as a served request
        with push.batched():
            with push.batched():  # a block inside a request's: the request's sends
                for n in range(5):
                    push.group_send(GROUP, {"type": "test.event", "n": n})
            time.sleep(0.3)  # time enough for a push sent at once to arrive
            while_held.append(list(received))

    thread = threading.Thread(target=request)
    thread.start()
    thread.join(20)

    assert while_held == [[]]
    receiving.result(10)
    assert received == list(range(5))
    server_loop.run(get_channel_layer(push.LIVE_LAYER).group_discard(GROUP, channel))


class _RedisDown:
    def publish(self, pushes: list[Any]) -> None:
        raise ConnectionError("Redis is down")


def test_a_failed_publish_is_logged_and_dropped(monkeypatch, caplog) -> None:
    monkeypatch.setattr(push, "_publisher", lambda layer: _RedisDown())
    with push.batched():
        push.group_send(GROUP, {"type": "test.event", "n": 1})
    push.group_send(GROUP, {"type": "test.event", "n": 2})
    failures = [r for r in caplog.records if r.getMessage().startswith("live push to")]
    assert len(failures) == 2
