"""The pad's websocket: only a paired pad's device key joins, and only its window's pushes
reach it (the push itself is what `service_event_record` sends after the commit)."""

import asyncio
import json
import threading
from typing import Any

import pytest
from asgiref.testing import ApplicationCommunicator
from channels.layers import get_channel_layer
from channels.sessions import CookieMiddleware

from bianmin.core.permissions import Role
from bianmin.core.push import LIVE_LAYER
from bianmin.ratings.consumers import PadConsumer
from bianmin.ratings.live import COOKIE, pad_group
from bianmin.ratings.services import pad_code_issue, pad_pair

pytestmark = pytest.mark.django_db(transaction=True)


def _in_thread(coroutine: Any) -> Any:
    """Its own thread and loop: Playwright may keep an event loop running in this one."""
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = asyncio.run(coroutine)
        except BaseException as exc:
            out["error"] = exc

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if "error" in out:
        raise out["error"]
    return out["value"]


async def _session(key: str | None, push_to: str | None) -> list[Any]:
    """Drive the consumer as the ASGI server would (cookie middleware as in config.asgi)."""
    headers = [(b"cookie", f"{COOKIE}={key}".encode())] if key else []
    scope = {
        "type": "websocket",
        "path": "/ws/ratings/pad/",
        "headers": headers,
        "subprotocols": [],
    }
    socket = ApplicationCommunicator(CookieMiddleware(PadConsumer.as_asgi()), scope)
    await socket.send_input({"type": "websocket.connect"})
    answer = await socket.receive_output(5)
    if answer["type"] == "websocket.close":
        return ["refused", answer.get("code")]

    async def frame() -> Any:
        return json.loads((await socket.receive_output(5))["text"])

    seen = [await frame()]
    if push_to:
        await socket.send_input({"type": "websocket.receive", "text": '{"type": "ping"}'})
        seen.append(await frame())
        await get_channel_layer(LIVE_LAYER).group_send(
            push_to, {"type": "pad.event", "event": {"type": "service", "event": 1}}
        )
        seen.append(await frame())
    await socket.send_input({"type": "websocket.disconnect", "code": 1000})
    await socket.wait(5)
    return seen


def test_only_a_paired_pad_joins_and_hears_its_window(center, windows, make_staff):
    leader = make_staff(Role.SHIFT_LEADER, username="leader_ws")
    _pad, code = pad_code_issue(actor=leader, window_id=windows[0].pk)
    _pad, key = pad_pair(center_id=center.pk, code=code)
    assert _in_thread(_session(None, None)) == ["refused", 4403]
    assert _in_thread(_session("forged", None)) == ["refused", 4403]
    seen = _in_thread(_session(key, pad_group(center.pk, "W01")))
    assert seen == [{"type": "hello"}, {"type": "pong"}, {"type": "service", "event": 1}]
