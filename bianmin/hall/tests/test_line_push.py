"""The center's line, pushed to its websocket: one message per change, to that center's sockets
only, with numbers and positions but no ticket ids; a failed push never breaks a call."""

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer
from channels.routing import URLRouter
from django.core.cache import cache
from django.db import transaction

from bianmin.core import push
from bianmin.core.permissions import Role
from bianmin.hall import live
from bianmin.hall.enums import IssueChannel
from bianmin.hall.selectors import hall_changed
from bianmin.hall.services import ticket_call_next, ticket_issue, window_sign_in
from bianmin.hall.tests.factories import WindowFactory
from config.websockets import websocket_urlpatterns
from tests.support.websocket import WebsocketClient

ROUTER = URLRouter(websocket_urlpatterns)


def _in_thread(run: Callable[[], Awaitable[Any]]) -> Any:
    """Run the coroutine in its own thread and loop (Playwright may keep a loop in this one);
    any exception is raised here."""
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = asyncio.run(run())
        except BaseException as exc:  # re-raised below
            result["error"] = exc

    worker = threading.Thread(target=target)
    worker.start()
    worker.join()
    if "error" in result:
        raise result["error"]
    return result.get("value")


async def _open(code: str) -> tuple[WebsocketClient, str]:
    socket = WebsocketClient(ROUTER, f"/ws/hall/{code}/line/")
    connected, _ = await socket.connect(timeout=10)
    assert connected
    return socket, await socket.receive_text(timeout=10)  # the line as it is on connect


@pytest.mark.django_db(transaction=True)
def test_a_call_reaches_its_centers_line_sockets_once_and_not_the_other_centers(
    hall, other_center, make_staff, issue, clock
) -> None:
    officer = make_staff(Role.OFFICER)
    window_sign_in(actor=officer, window_code="W03")
    first = issue("HZ02")
    clock.shift(60)
    second = issue("HZ02")
    clock.shift(60)
    third = issue("JG01")
    WindowFactory(center=other_center, code="W01")
    b_officer = make_staff(Role.OFFICER, center_=other_center)
    window_sign_in(actor=b_officer, window_code="W01")
    b_ticket = ticket_issue(
        actor=None, center=other_center, item_codes=["HZ02"], channel=IssueChannel.KIOSK
    )

    async def run() -> dict[str, Any]:
        a1, a1_first = await _open("TG")
        a2, _ = await _open("tg")
        b1, b1_first = await _open("HY")
        called = await database_sync_to_async(ticket_call_next)(actor=officer, window_code="W03")
        got = {
            "called": called,
            "a1_first": a1_first,
            "b1_first": b1_first,
            "a1": await a1.receive_text(timeout=10),
            "a2": await a2.receive_text(timeout=10),
            # one transaction saved a ticket, an event and an audit entry: still one message
            "a1_more": not await a1.receive_nothing(timeout=0.5),
            "b1_more": not await b1.receive_nothing(timeout=0.5),
        }
        for socket in (a1, a2, b1):
            await socket.disconnect()
        return got

    got = _in_thread(run)

    assert got["called"].pk == first.pk
    before = json.loads(got["a1_first"])
    assert before["waiting"].keys() == {first.number, second.number, third.number}
    assert before["called"] == {}
    assert json.loads(got["b1_first"])["waiting"].keys() == {b_ticket.number}

    assert got["a1"] == got["a2"]  # one message for the center, the same text to everyone
    message = json.loads(got["a1"])
    assert message["type"] == "line"
    assert message["day"] == "2026-12-01"
    assert message["called"] == {first.number: "3号窗口"}
    assert message["waiting"].keys() == {second.number, third.number}
    assert message["waiting"][second.number][0] == 0
    assert message["waiting"][third.number][0] == 1
    assert message["waiting"][third.number][1] >= 1  # someone ahead: some minutes
    for ticket in (first, second, third):  # numbers only: no id another phone could open
        assert ticket.pk not in got["a1"]
    assert got["a1_more"] is False
    assert got["b1_more"] is False  # center B heard nothing of A's call


@pytest.mark.django_db(transaction=True)
def test_unknown_center_is_refused_and_pings_and_asks_are_answered(hall, issue, clock) -> None:
    issue("HZ02")

    async def run() -> dict[str, Any]:
        refused = WebsocketClient(ROUTER, "/ws/hall/NOPE/line/")
        connected, code = await refused.connect(timeout=10)
        socket, _first = await _open("TG")
        await socket.send_text('{"type": "ping"}')
        pong = await socket.receive_json(timeout=10)
        await socket.send_text("not json {")
        junk = await socket.receive_json(timeout=10)
        await socket.send_text('{"type": "line"}')  # right after connect: too soon
        too_soon = await socket.receive_nothing(timeout=0.5)
        await socket.disconnect()
        return {"connected": connected, "code": code, "pong": pong, "junk": junk, "soon": too_soon}

    got = _in_thread(run)
    assert got["connected"] is False
    assert got["code"] == 4404
    assert got["pong"] == {"type": "pong"}
    assert got["junk"] == {"type": "error", "code": "bad_frame"}
    assert got["soon"] is True


def _sent_lines(monkeypatch) -> list[tuple[int, Any]]:
    """The line pushes made (center, the listening mark the bump read), recorded."""
    sent: list[tuple[int, Any]] = []
    monkeypatch.setattr(
        live, "line_send_now", lambda center, build, marked: sent.append((center, marked))
    )
    return sent


def test_one_transaction_sends_one_line_per_center_with_the_mark_its_bump_read(
    db, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    sent = _sent_lines(monkeypatch)
    cache.set(live.line_listening_key(1), 1, live.LISTENING_SECONDS)  # a hub follows center 1
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        for center_id in (1, 1, 2, 1, 2):
            hall_changed(center_id=center_id)
        assert sent == []  # nothing before the commit
    assert len(callbacks) == 2  # one bump (with its push) per center
    assert sorted(sent) == [(1, 1), (2, None)]


def test_a_rolled_back_savepoint_takes_its_push_with_it(
    db, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    sent = _sent_lines(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        try:
            with transaction.atomic():
                hall_changed(center_id=7)
                hall_changed(center_id=8)
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        hall_changed(center_id=7)  # the change after the rollback is still pushed
    assert sent == [(7, None)]


class _BrokenLayer(InMemoryChannelLayer):
    """A channel layer whose every send fails (Redis down), with a listener on the line."""

    def __init__(self, center_id: int) -> None:
        super().__init__()
        self.groups = {live.line_group(center_id): {"listener": 0.0}}

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        raise ConnectionError("redis is down")


@pytest.mark.django_db(transaction=True)
def test_a_failed_line_push_never_breaks_a_call(
    hall, issue, clock, officer, monkeypatch, caplog
) -> None:
    ticket = issue("HZ02")
    window_sign_in(actor=officer, window_code="W01")
    broken = _BrokenLayer(hall.pk)
    monkeypatch.setattr(live, "get_channel_layer", lambda alias="default": broken)
    monkeypatch.setattr(push, "get_channel_layer", lambda alias="default": broken)
    cache.set(live.line_listening_key(hall.pk), 1)  # a hub somewhere follows this line

    called = ticket_call_next(actor=officer, window_code="W01")

    assert called is not None
    assert called.pk == ticket.pk
    ticket.refresh_from_db()
    assert ticket.status == "called"
    # tried after the commit, failed, logged
    assert f"live push to {live.line_group(hall.pk)} failed" in caplog.text

    def broken_build(center_id: int) -> str:
        raise RuntimeError("the line could not be computed")

    live.line_send_now(hall.pk, broken_build, 1)  # a failing computation is swallowed as well


class _RecordingLayer:
    """A layer that cannot tell who listens (like Redis pub/sub): records what is sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        self.sent.append((group, message))


@pytest.mark.django_db
def test_a_line_nobody_follows_is_not_computed_and_a_followed_one_is_sent_once(
    hall, monkeypatch
) -> None:
    layer = _RecordingLayer()
    monkeypatch.setattr(live, "get_channel_layer", lambda alias="default": layer)
    monkeypatch.setattr(push, "get_channel_layer", lambda alias="default": layer)
    built: list[int] = []

    def build(center_id: int) -> str:
        built.append(center_id)
        return "{}"

    live.line_send_now(hall.pk, build, None)
    assert (built, layer.sent) == ([], [])  # no hub has marked the center: nothing computed

    live.line_send_now(hall.pk, build, 1)  # the bump read a hub's mark
    assert built == [hall.pk]
    assert layer.sent == [(live.line_group(hall.pk), {"type": "hall.line", "text": "{}"})]


@pytest.mark.django_db
def test_a_change_pushes_the_line_only_when_its_bump_finds_a_hub_s_mark(
    hall, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    layer = _RecordingLayer()
    monkeypatch.setattr(live, "get_channel_layer", lambda alias="default": layer)
    monkeypatch.setattr(push, "get_channel_layer", lambda alias="default": layer)
    with django_capture_on_commit_callbacks(execute=True):
        hall_changed(center_id=hall.pk)
    assert layer.sent == []  # nobody follows the line
    cache.set(live.line_listening_key(hall.pk), 1, live.LISTENING_SECONDS)
    with django_capture_on_commit_callbacks(execute=True):
        hall_changed(center_id=hall.pk)
    assert [group for group, _message in layer.sent] == [live.line_group(hall.pk)]


def test_a_line_hub_marks_its_center_as_followed_while_it_runs() -> None:
    from bianmin.hall.consumers import _LineHub

    async def run() -> tuple[Any, Any]:
        hub = _LineHub(4242)
        await hub.ready.wait()
        marked = await cache.aget(live.line_listening_key(4242))
        hub.stop()
        return marked, hub

    marked, _hub = _in_thread(run)
    assert marked == 1


# --- the pages that listen ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_workspace_count_is_its_own_fragment_and_the_pages_name_their_centers_socket(
    hall, issue, clock, officer, make_staff, login_client_for
) -> None:
    issue("HZ02")
    issue("JG01")
    window_sign_in(actor=officer, window_code="W01")
    client = login_client_for(officer)

    page = client.get("/hall/workspace/").content.decode()
    assert 'data-ws="/ws/hall/TG/line/"' in page
    assert 'id="ws-waiting"' in page
    count = client.get("/hall/workspace/waiting/", HTTP_HX_REQUEST="true")
    assert count.status_code == 200
    assert '<strong data-testid="waiting" id="ws-waiting"' in count.content.decode()
    assert ">2</strong>" in count.content.decode()

    leader = login_client_for(make_staff(Role.SHIFT_LEADER))
    board = leader.get("/hall/board/").content.decode()
    assert 'data-ws="/ws/hall/TG/line/"' in board
    assert 'data-refresh="#board-live"' in board
    assert "every 5s" not in board  # polling is the script's fallback, not htmx's timer
    sanitation = login_client_for(make_staff(Role.SANITATION))
    assert sanitation.get("/hall/workspace/waiting/").status_code == 403


@pytest.mark.django_db
def test_the_position_page_listens_only_while_its_ticket_can_still_be_called(
    hall, issue, clock, officer, client
) -> None:
    from bianmin.hall.services import ticket_finish

    ticket = issue("HZ02")
    waiting = client.get(f"/t/{ticket.pk}/").content.decode()
    assert f'data-number="{ticket.number}"' in waiting
    assert 'data-ws="/ws/hall/TG/line/"' in waiting
    assert "hall/live.js" in waiting

    window_sign_in(actor=officer, window_code="W01")
    ticket_call_next(actor=officer, window_code="W01")
    ticket_finish(actor=officer, ticket_id=ticket.pk)
    done = client.get(f"/t/{ticket.pk}/").content.decode()
    assert "已办结" in done
    assert "hall/live.js" not in done


class _FakeSocket:
    def __init__(self, *, broken: bool = False) -> None:
        self.broken = broken
        self.sent: list[str] = []

    async def send(self, text_data: str) -> None:
        if self.broken:
            raise ConnectionResetError("the phone went away")
        self.sent.append(text_data)


def test_the_hub_writes_every_socket_even_past_a_broken_one() -> None:
    from bianmin.hall.consumers import FAN_OUT_BATCH, _LineHub

    sockets = [_FakeSocket(broken=i == 3) for i in range(FAN_OUT_BATCH * 2 + 5)]

    async def run() -> None:
        hub = _LineHub(center_id=99)
        await hub.ready.wait()
        hub.sockets.update(sockets)  # type: ignore[arg-type]
        await hub.fan_out('{"type":"line"}')
        hub.stop()

    _in_thread(run)
    assert [len(s.sent) for s in sockets].count(1) == len(sockets) - 1
    assert sockets[3].sent == []
