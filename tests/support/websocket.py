"""A websocket test client for Channels consumers, in-process (no server).

`channels.testing` imports daphne (its live-server test case), which the project does not
install; this is its `WebsocketCommunicator`, reduced to what the tests use, on asgiref's
`ApplicationCommunicator`."""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

from asgiref.testing import ApplicationCommunicator


class WebsocketClient(ApplicationCommunicator):  # type: ignore[misc]
    def __init__(self, application: Any, path: str) -> None:
        scope = {
            "type": "websocket",
            "path": path,
            "query_string": b"",
            "headers": [],
            "subprotocols": [],
        }
        super().__init__(application, scope)

    async def send_input(self, message: Any) -> None:
        # as channels' communicator: the test's database connections stay open between frames
        with mock.patch("channels.db.close_old_connections", return_value=None):
            await super().send_input(message)

    async def receive_output(self, timeout: float = 1) -> Any:
        with mock.patch("channels.db.close_old_connections", return_value=None):
            return await super().receive_output(timeout)

    async def connect(self, timeout: float = 1) -> tuple[bool, Any]:
        """(True, subprotocol) when accepted, (False, close code) when refused."""
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        assert response["type"] == "websocket.accept"
        return True, response.get("subprotocol")

    async def send_text(self, text: str) -> None:
        await self.send_input({"type": "websocket.receive", "text": text})

    async def receive_text(self, timeout: float = 1) -> str:
        response = await self.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        return str(response["text"])

    async def receive_json(self, timeout: float = 1) -> Any:
        return json.loads(await self.receive_text(timeout))

    async def disconnect(self, code: int = 1000, timeout: float = 1) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)
