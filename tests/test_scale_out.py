"""`serve --workers 2` on PostgreSQL + Redis: what one worker process does, the other sees.

The server runs as a subprocess with `BIANMIN_WORKER_HEADER=1`, so every response and websocket
handshake names the worker process that served it (`X-Bianmin-Worker`); the kernel hands each
new connection to either worker, and the helpers below open fresh connections until the worker
they need answers. Skipped without Redis: the embedded default refuses several workers.
"""

from __future__ import annotations

import json
import os
import secrets
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import time as dtime
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.core.cache import cache
from huey import RedisHuey
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from bianmin.accounts.models import CenterDayHours
from bianmin.accounts.services import api_token_create
from bianmin.core.permissions import Role
from bianmin.core.served_by import WORKER_HEADER
from bianmin.hall.models import Ticket
from bianmin.hall.services import hall_settings_update, window_sign_in
from tests.support.clock import real_now
from tests.support.probe.work import pid_key, probe_run, runs_key
from tests.support.served import served_product

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("BIANMIN_REDIS_URL"),
        reason="several workers need Redis (BIANMIN_REDIS_URL); CI's PostgreSQL + Redis pass runs these",
    ),
]

TRIES = 200  # fresh connections before giving up on reaching a given worker


@dataclass(frozen=True)
class Province:
    base: str
    workers: tuple[int, int]

    @property
    def ws_base(self) -> str:
        return self.base.replace("http://", "ws://")


@pytest.fixture(scope="module")
def province(django_db_setup: Any) -> Iterator[Province]:
    env = {"BIANMIN_WORKER_HEADER": "1", "BIANMIN_TEST_SERVED_TASKS": "1"}
    with served_product(workers=2, task_worker=True, env=env) as base:
        seen: list[int] = []
        for _ in range(TRIES):
            pid = int(httpx.get(f"{base}/healthz", timeout=10).headers[WORKER_HEADER])
            if pid not in seen:
                seen.append(pid)
            if len(seen) == 2:
                break
        assert len(seen) == 2, "only one worker process ever answered"
        yield Province(base, (seen[0], seen[1]))


def _pid(response: httpx.Response) -> int:
    return int(response.headers[WORKER_HEADER])


def _get_on(province: Province, pid: int, path: str) -> httpx.Response:
    """GET `path` on a fresh connection until worker `pid` answers."""
    for _ in range(TRIES):
        response = httpx.get(f"{province.base}{path}", timeout=10)
        if _pid(response) == pid:
            return response
    raise AssertionError(f"worker {pid} never answered {path}")


def _post_on(province: Province, pid: int, path: str, **kwargs: Any) -> httpx.Response:
    """POST on a fresh connection until worker `pid` answers. Only for requests whose
    repetition changes nothing (an idempotency key) or that are refused anyway."""
    for _ in range(TRIES):
        response = httpx.post(f"{province.base}{path}", timeout=10, **kwargs)
        if _pid(response) == pid:
            return response
    raise AssertionError(f"worker {pid} never answered {path}")


def _display_on(
    stack: ExitStack, province: Province, pid: int, center_code: str
) -> ClientConnection:
    """A calling display's websocket held by worker `pid` (closed with `stack`)."""
    for _ in range(TRIES):
        with ExitStack() as attempt:
            ws = attempt.enter_context(
                connect(
                    f"{province.ws_base}/ws/hall/display/{center_code}/",
                    origin=Origin(province.base),
                    open_timeout=10,
                )
            )
            assert ws.response is not None
            if int(ws.response.headers[WORKER_HEADER]) == pid:
                assert json.loads(ws.recv(timeout=10))["type"] == "hello"
                stack.enter_context(attempt.pop_all())
                return ws
    raise AssertionError(f"worker {pid} never took a display socket")


def _next_call(ws: ClientConnection) -> dict[str, Any]:
    while True:
        event = json.loads(ws.recv(timeout=15))
        if event.get("type") == "call":
            return event  # type: ignore[no-any-return]


@pytest.fixture
def hall(center: Any, windows: Any, catalogue: Any, make_staff: Any) -> dict[str, Any]:
    """The server runs on the real clock: the center serves all day today (a dated opening
    overrides the week, holidays and the lunch break), one officer at W03."""
    today = real_now().date()
    for day in (today, today + timedelta(days=1)):  # a test running across midnight
        CenterDayHours.objects.create(
            center=center, day=day, is_open=True, opens_at=dtime(0, 0), closes_at=dtime(23, 59, 59)
        )
    officer = make_staff(Role.OFFICER)
    window_sign_in(actor=officer, window_code="W03")
    token = api_token_create(staff=officer, label="scale-out", two_factor_verified=True)
    return {
        "center": center,
        "today": today,
        "director": make_staff(Role.DIRECTOR),
        "auth": {"Authorization": f"Bearer {token}"},
    }


def _issue(province: Province, hall: dict[str, Any], **headers: str) -> httpx.Response:
    return httpx.post(
        f"{province.base}/api/v1/tickets",
        json={"item_code": "HZ02"},
        headers={**hall["auth"], **headers},
        timeout=10,
    )


def test_a_call_through_one_worker_reaches_displays_on_both_and_moves_the_line_on_both(
    province: Province, hall: dict[str, Any]
) -> None:
    first = _issue(province, hall).json()
    second = _issue(province, hall).json()
    for pid in province.workers:  # both workers hold the line in which `second` is behind one
        assert _get_on(province, pid, f"/api/v1/tickets/{second['id']}").json()["position"] == 1
    with ExitStack() as stack:
        displays = {pid: _display_on(stack, province, pid, "TG") for pid in province.workers}
        called = httpx.post(
            f"{province.base}/api/v1/windows/W03/call-next", headers=hall["auth"], timeout=10
        )
        assert called.status_code == 200
        assert called.json()["number"] == first["number"]
        other = next(pid for pid in province.workers if pid != _pid(called))
        # The display held by the worker that did NOT serve the call got it (Redis channel layer).
        assert _next_call(displays[other])["number"] == first["number"]
        assert _next_call(displays[_pid(called)])["number"] == first["number"]
    for pid in province.workers:  # the line cached in each worker moved at once
        moved = _get_on(province, pid, f"/api/v1/tickets/{second['id']}").json()
        assert moved["position"] == 0


def test_the_api_throttle_counts_the_hits_of_both_workers_together(province: Province) -> None:
    """The public calendar allows 120 requests a minute per client (django-ninja on the
    cache): the 121st is refused whichever worker serves it."""
    path = "/api/v1/calendar/add-workdays?start=2026-01-05&days=1"
    served_by: set[int] = set()
    for _ in range(120):
        response = httpx.get(f"{province.base}{path}", timeout=10)
        assert response.status_code == 200
        served_by.add(_pid(response))
    assert served_by == set(province.workers)
    for pid in province.workers:
        assert _get_on(province, pid, path).status_code == 429


def test_an_idempotency_key_returns_the_same_ticket_from_either_worker(
    province: Province, hall: dict[str, Any]
) -> None:
    key = uuid.uuid4().hex
    first = _issue(province, hall, **{"Idempotency-Key": key})
    assert first.status_code == 200
    other = next(pid for pid in province.workers if pid != _pid(first))
    again = _post_on(
        province,
        other,
        "/api/v1/tickets",
        json={"item_code": "HZ02"},
        headers={**hall["auth"], "Idempotency-Key": key},
    )
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Ticket.objects.filter(center=hall["center"], request_key=key).count() == 1


def test_hall_settings_and_center_hours_changed_elsewhere_are_seen_by_both_workers_at_once(
    province: Province, hall: dict[str, Any]
) -> None:
    body = {"json": {"item_code": "HZ02"}, "headers": hall["auth"]}
    for pid in province.workers:  # both workers cache the settings and today's hours
        assert _post_on(province, pid, "/api/v1/tickets", **body).status_code == 200

    hall_settings_update(
        actor=hall["director"], center_id=hall["center"].pk, changes={"is_closed": True}
    )
    for pid in province.workers:
        refused = _post_on(province, pid, "/api/v1/tickets", **body)
        assert refused.status_code == 409
        assert refused.json()["code"] == "center_closed"

    hall_settings_update(
        actor=hall["director"], center_id=hall["center"].pk, changes={"is_closed": False}
    )
    for pid in province.workers:
        assert _post_on(province, pid, "/api/v1/tickets", **body).status_code == 200

    CenterDayHours.objects.filter(center=hall["center"]).update(is_open=False)
    # .update() sends no signal: saving one row is what the hours screen does.
    CenterDayHours.objects.get(center=hall["center"], day=hall["today"]).save()
    for pid in province.workers:
        refused = _post_on(province, pid, "/api/v1/tickets", **body)
        assert refused.status_code == 409
        assert refused.json()["code"] == "center_closed"


def test_queued_tasks_run_once_in_the_supervisor_not_in_the_web_workers(
    province: Province,
) -> None:
    """The Huey consumer and scheduler run in the supervising process only: each task queued on
    Redis runs exactly once, and always in the parent of both web workers."""
    queue = RedisHuey(settings.HUEY["name"], url=settings.HUEY["url"], utc=False)
    task = queue.task()(probe_run)
    tokens = [secrets.token_hex(6) for _ in range(20)]
    for token in tokens:
        task(token)
    supervisors = {_parent_pid(pid) for pid in province.workers}
    assert len(supervisors) == 1

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not all(cache.get(runs_key(t)) for t in tokens):
        time.sleep(0.2)
    time.sleep(1)  # a second run, if there were one, would land by now on an idle consumer
    assert [cache.get(runs_key(t)) for t in tokens] == [1] * len(tokens)
    assert {cache.get(pid_key(t)) for t in tokens} == supervisors


def _parent_pid(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("PPid:"):
            return int(line.split()[1])
    raise AssertionError(f"no parent for {pid}")
