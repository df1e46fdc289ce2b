"""The hall's public websockets, both anonymous and read-only:

* the calling display (`DisplayConsumer`): joins the center's display group, relays calls;
* the center's line (`LineConsumer`): the position pages, the hall board and the officers'
  workspaces listen to it; one message per change of the line, as `live` sends it.

Both answer pings; any other frame is answered with a short error, never an exception."""

from __future__ import annotations

import json
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from bianmin.accounts.selectors import center_get
from bianmin.hall.live import LINE_LAYER, display_group, line_group
from bianmin.hall.selectors import line_message_text


@database_sync_to_async
def _center_id(code: str) -> int | None:
    center = center_get(code=code.upper())
    return center.pk if center is not None and center.is_active else None


class _CenterSocket(AsyncJsonWebsocketConsumer):
    """A public socket joined to one group of the center named in the URL."""

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


# A page may ask for the line again (when the waiting limit reorders it with no write): at most
# this often per socket; the answer comes from the cache the push filled.
LINE_ASK_SECONDS = 5.0


class LineConsumer(_CenterSocket):
    """The center's line: the current line on connect (the page may have missed changes while
    its socket was down), then every change as `live.line_send_now` pushes it."""

    channel_layer_alias = LINE_LAYER
    asked_at: float = 0.0

    def group_for(self, center_id: int) -> str:
        return line_group(center_id)

    async def joined(self) -> None:
        await self._send_line()

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

    async def hall_line(self, message: dict[str, Any]) -> None:
        await self.send(text_data=message["text"])
