"""The calling display's websocket: joins the center's group, relays calls, answers pings."""

from __future__ import annotations

import json
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from bianmin.accounts.selectors import center_get
from bianmin.hall.live import display_group


@database_sync_to_async
def _center_id(code: str) -> int | None:
    center = center_get(code=code.upper())
    return center.pk if center is not None and center.is_active else None


class DisplayConsumer(AsyncJsonWebsocketConsumer):
    """Public and read-only: the display only listens (and pings to keep the line alive)."""

    group: str | None = None

    async def connect(self) -> None:
        code = str(self.scope["url_route"]["kwargs"].get("center_code", ""))
        center_id = await _center_id(code)
        if center_id is None:
            await self.close(code=4404)
            return
        self.group = display_group(center_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello"})

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Only `{"type": "ping"}` means anything; any other frame (binary, not JSON, too
        big) is answered with a short error and otherwise ignored, never an exception."""
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

    async def hall_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])
