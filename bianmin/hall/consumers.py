"""The hall's public websockets, both anonymous and read-only:

* the calling display (`DisplayConsumer`): joins the center's display group, relays calls;
* the center's line (`LineConsumer`): the position pages, the hall board and the officers'
  workspaces listen to it; one message per change of the line, as `live` sends it.

Both answer pings; any other frame is answered with a short error, never an exception."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.core.cache import cache

from bianmin.accounts.selectors import center_get
from bianmin.core.push import LIVE_LAYER
from bianmin.hall.live import (
    LISTENING_SECONDS,
    display_group,
    line_group,
    line_listening_key,
)
from bianmin.hall.selectors import line_message_text


@database_sync_to_async
def _center_id(code: str) -> int | None:
    center = center_get(code=code.upper())
    return center.pk if center is not None and center.is_active else None


class _CenterSocket(AsyncJsonWebsocketConsumer):
    """A public socket joined to one group of the center named in the URL."""

    channel_layer_alias = LIVE_LAYER  # core/push.py: the layer every live push goes over
    group: str | None = None
    center_id: int | None = None

    def group_for(self, center_id: int) -> str:
        raise NotImplementedError

    async def joined(self) -> None:
        """Sent right after the socket is accepted."""

    async def connect(self) -> None:
        code = str(self.scope["url_route"]["kwargs"].get("center_code", ""))
        center_id = await _center_id(code)
        if center_id is None:
            await self.close(code=4404)
            return
        self.center_id = center_id
        self.group = self.group_for(center_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.joined()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Only `{"type": "ping"}` (and what a subclass adds) means anything; any other frame
        (binary, not JSON, too big) is answered with a short error and otherwise ignored,
        never an exception."""
        if text_data is None or len(text_data) > 1024:
            await self.send_json({"type": "error", "code": "bad_frame"})
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self.send_json({"type": "error", "code": "bad_frame"})
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})


class DisplayConsumer(_CenterSocket):
    """The calling display only listens (and pings to keep the line alive)."""

    def group_for(self, center_id: int) -> str:
        return display_group(center_id)

    async def joined(self) -> None:
        await self.send_json({"type": "hello"})

    async def hall_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])


log = logging.getLogger(__name__)

# Sockets written between two yields to the event loop while a line message fans out.
FAN_OUT_BATCH = 50


class _LineHub:
    """This process's sockets of one center's line, fed by ONE member of the center's group.

    Each socket joining the group itself would make every change cost, per socket, a copy in
    the layer, a task wake-up and Channels' dispatch (which hops to the sync thread to close
    old database connections — the thread the calls run in). The hub receives the message once
    and writes the same text to its sockets, yielding to the event loop every FAN_OUT_BATCH
    sockets so that the call's own HTTP answer does not wait behind a thousand frames."""

    def __init__(self, center_id: int) -> None:
        self.center_id = center_id
        self.sockets: set[LineConsumer] = set()
        self.ready = asyncio.Event()  # set once the hub is in the group
        self.task = asyncio.create_task(self._relay())

    async def _relay(self) -> None:
        layer = get_channel_layer(LIVE_LAYER)
        assert layer is not None  # settings.CHANNEL_LAYERS always names it
        channel = await layer.new_channel()
        await layer.group_add(line_group(self.center_id), channel)
        await self._mark_listening()
        marking = asyncio.create_task(self._keep_marking())
        self.ready.set()
        try:
            while True:
                try:
                    message = await layer.receive(channel)
                except (asyncio.CancelledError, GeneratorExit):
                    raise
                except Exception:  # the layer hiccuped (Redis restarting): keep listening
                    log.warning(
                        "line hub of center %s: receive failed", self.center_id, exc_info=True
                    )
                    await asyncio.sleep(1.0)
                    continue
                if message.get("type") == "hall.line":
                    await self.fan_out(str(message["text"]))
        except asyncio.CancelledError:
            marking.cancel()
            await layer.group_discard(line_group(self.center_id), channel)
            raise

    async def _mark_listening(self) -> None:
        """Tell the publishers, through the cache, that this center's line is followed."""
        try:
            await cache.aset(line_listening_key(self.center_id), 1, LISTENING_SECONDS)
        except Exception:  # the cache hiccuped: the next renewal tries again
            log.warning("line hub of center %s: mark failed", self.center_id, exc_info=True)

    async def _keep_marking(self) -> None:
        while True:
            await asyncio.sleep(LISTENING_SECONDS / 3)
            await self._mark_listening()

    async def fan_out(self, text: str) -> None:
        for n, socket in enumerate(list(self.sockets), start=1):
            try:
                await socket.send(text_data=text)
            except Exception:  # one closed socket never stops the others
                log.debug("line frame not sent", exc_info=True)
            if n % FAN_OUT_BATCH == 0:
                await asyncio.sleep(0)

    def stop(self) -> None:
        self.task.cancel()


# one hub per event loop and center (a server has one loop; tests run several)
_HUBS: dict[tuple[int, int], _LineHub] = {}


async def _hub_join(center_id: int, socket: LineConsumer) -> None:
    key = (id(asyncio.get_running_loop()), center_id)
    hub = _HUBS.get(key)
    if hub is None or hub.task.done():  # none yet, or left by a closed loop
        hub = _HUBS[key] = _LineHub(center_id)
    hub.sockets.add(socket)
    await hub.ready.wait()


def _hub_leave(center_id: int, socket: LineConsumer) -> None:
    key = (id(asyncio.get_running_loop()), center_id)
    hub = _HUBS.get(key)
    if hub is None:
        return
    hub.sockets.discard(socket)
    if not hub.sockets:
        del _HUBS[key]
        hub.stop()


# A page may ask for the line again (when the waiting limit reorders it with no write): at most
# this often per socket; the answer comes from the cache the push filled.
LINE_ASK_SECONDS = 5.0


class LineConsumer(_CenterSocket):
    """The center's line: the current line on connect (the page may have missed changes while
    its socket was down), then every change as `live.line_send_now` pushes it, through this
    process's hub of the center (not a group membership per socket)."""

    asked_at: float = 0.0

    async def connect(self) -> None:
        code = str(self.scope["url_route"]["kwargs"].get("center_code", ""))
        center_id = await _center_id(code)
        if center_id is None:
            await self.close(code=4404)
            return
        self.center_id = center_id
        await self.accept()
        await _hub_join(center_id, self)
        await self._send_line()

    async def disconnect(self, code: int) -> None:
        if self.center_id is not None:
            _hub_leave(self.center_id, self)

    async def _send_line(self) -> None:
        assert self.center_id is not None
        self.asked_at = time.monotonic()
        text = await database_sync_to_async(line_message_text)(self.center_id)
        await self.send(text_data=text)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "line":
            if time.monotonic() - self.asked_at >= LINE_ASK_SECONDS:
                await self._send_line()
            return
        await super().receive_json(content, **kwargs)
