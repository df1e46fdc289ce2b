"""The calling display's websocket: read-only, pings answered, junk frames answered without an
exception (security review L9: a non-JSON frame logged `JSONDecodeError` and dropped the
socket)."""

import asyncio
import json
import threading

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

    # its own thread: Playwright may keep an event loop running in this one
    errors: list[BaseException] = []

    def in_thread() -> None:
        try:
            asyncio.run(run())
        except BaseException as exc:  # re-raised below: any frame that raised fails the test
            errors.append(exc)

    worker = threading.Thread(target=in_thread)
    worker.start()
    worker.join()
    assert errors == []

    bad = {"type": "error", "code": "bad_frame"}
    assert consumer.sent == [bad, bad, bad, {"type": "pong"}]
