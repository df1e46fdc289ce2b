"""The rating pad's websocket: the device key in its cookie picks the window's group; the pad
only listens (a push means "a service just finished here: refresh")."""

from __future__ import annotations

import json
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from bianmin.core.push import LIVE_LAYER
from bianmin.ratings.live import COOKIE, pad_group
from bianmin.ratings.services import pad_from_key


@database_sync_to_async
def _group_for(key: str | None) -> str | None:
    pad = pad_from_key(key)
    return pad_group(pad.center_id, pad.window.code) if pad is not None else None


class PadConsumer(AsyncJsonWebsocketConsumer):
    channel_layer_alias = LIVE_LAYER  # core/push.py: the layer every live push goes over
    group: str | None = None

    async def connect(self) -> None:
        cookies = self.scope.get("cookies") or {}
        self.group = await _group_for(cookies.get(COOKIE))
        if self.group is None:
            await self.close(code=4403)
            return
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello"})

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None or len(text_data) > 1024:
            await self.send_json({"type": "error", "code": "bad_frame"})
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self.send_json({"type": "error", "code": "bad_frame"})
            return
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def pad_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])
