"""The calling display's websocket: read-only, pings answered, junk frames answered without an
exception (security review L9: a non-JSON frame logged `JSONDecodeError` and dropped the
socket)."""

import asyncio
import json

from bianmin.hall.consumers import DisplayConsumer


class _Recording(DisplayConsumer):
    def __init__(self) -> None:
        super().__init__()
        self.sent: list[dict] = []

    async def send_json(self, content, close=False) -> None:  # type: ignore[override]
        self.sent.append(json.loads(json.dumps(content)))


def test_junk_frames_are_answered_and_pings_still_work() -> None:
    consumer = _Recording()

    async def run() -> None:
        await consumer.receive(text_data="not json {")
        await consumer.receive(bytes_data=b"\x00\x01")
        await consumer.receive(text_data="x" * 5000)
        await consumer.receive(text_data='["a list"]')
        await consumer.receive(text_data='{"type": "ping"}')

    asyncio.run(run())  # raises if any frame raised

    bad = {"type": "error", "code": "bad_frame"}
    assert consumer.sent == [bad, bad, bad, {"type": "pong"}]
