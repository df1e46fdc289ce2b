"""bench/hall_load: the hall's server measured from outside, against a bare Django view.

For each backend (SQLite; PostgreSQL + Redis) a fresh database gets the demo data (as `make
run` loads it: `bootstrap`) plus a bench center BN (64 windows, 64 all-round officers signed in,
one guide, open all day) and a province of 100 centers (2 windows and officers each, a guide),
then `VACUUM ANALYZE` as autovacuum would have run it on a live server.
Three servers are started the same way, with the same uvicorn settings, in the same run:

* the product: `manage.py serve` (web + task worker, as `make run`), settings `bench._hall_settings`
  = `make run`'s with the proxy address 127.0.0.1 trusted, as behind the production proxy;
* the bare view: `python -m bench._bare_server`, one Django JSON view, no middleware, no database,
  served by Django's stock ASGI handler: the denominator of issue 18's targets;
* the same view behind the product's ASGI handler (`--handler product`: one hop to a request
  thread that lives as long as the process, where Django's starts a thread per request): what
  an empty request costs on the product's serving stack, a second ratio for every endpoint.

Closed loop (wrk, a C load generator, 64 connections, `--seconds` per endpoint, each endpoint
right after its own run of the bare view, whose figure its ratio divides by, and of the bare
view behind the product's handler (`ratio_to_bare_same_handler`); the whole list
`--rounds` times (3), and per endpoint the round with the median ratio is kept, with the
range of all rounds — this machine's speed moves by a third within minutes):

    bare view | GET /healthz | GET /api/v1/tickets/{id} | position fragment (GET /t/{id}/ as
    htmx) | GET /items/ | POST /api/v1/tickets (guide token) | call-next + finish

Public reads carry `X-Forwarded-For` from 2,000 phone addresses (127.1.x.y), which the
production throttle (600/min per client over the API) counts per address as it would behind
the proxy: the throttle stays on, each phone under its limit. The tickets read are the bench
center's 200 most recently issued that still wait, chosen again before each round (a round's
calls take the head of the line, and a fast one reaches the tickets of the setup: a finished
ticket's read is another read than a waiting phone's). Call-next + finish: one wrk
thread and connection per officer (each at their own window), alternating POST call-next and
POST finish of the ticket just called; req/s counts both, half each.

Open loop (bench._openloop, fixed arrival rates, latency from the due time): one province
hour at its peak, in requests per second: issue 8.3, call 8.3 (each followed by its finish),
board 20 (the calling displays' state), position reads --position-rps (phones that still
poll). Reports p50/p99 per kind at that rate.

Targets (issue 18): write path ≥ 0.25× the bare view, public reads ≥ 0.5×, as ratios in one
run. Results: bench/results/hall_load.json, with the load average of the machine per endpoint.

    python -m bench hall_load
    python -m bench.hall_load --seconds 10 --backends sqlite
Environment: BIANMIN_BENCH_HALL_PG_URL (postgres://postgres@127.0.0.1:5432/bianmin_bench_hall),
BIANMIN_BENCH_HALL_REDIS_URL (redis://127.0.0.1:6379/13, flushed first).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from typing import Any

from bench import _openloop
from bench._common import ROOT, analyze, child_django_setup, run_child, served_env

RESULTS = ROOT / "bench" / "results" / "hall_load.json"
SQLITE_PATH = ROOT / "var" / "bench" / "hall_load.sqlite3"
PG_URL = os.environ.get(
    "BIANMIN_BENCH_HALL_PG_URL", "postgres://postgres@127.0.0.1:5432/bianmin_bench_hall"
)
REDIS_URL = os.environ.get("BIANMIN_BENCH_HALL_REDIS_URL", "redis://127.0.0.1:6379/13")
CONNECTIONS = 64
OFFICERS = 64
PROVINCE_CENTERS = 100
PREISSUED = 800
PHONES = 2000
ITEMS = ["HZ02", "HZ05", "JG01", "JG04", "CR01", "ZA04"]


# --- setup (child process with Django) ---------------------------------------------------------


def _setup() -> dict[str, Any]:
    from datetime import time as dtime
    from datetime import timedelta

    child_django_setup()
    from django.core.management import call_command

    call_command("bootstrap", verbosity=0)  # reference + demo data, as `make run`

    from bianmin.accounts.models import Center, CenterDayHours, Staff
    from bianmin.accounts.services import api_token_create
    from bianmin.core import clock
    from bianmin.core.permissions import Role
    from bianmin.hall.enums import IssueChannel
    from bianmin.hall.models import Window
    from bianmin.hall.services import ticket_issue, window_sign_in

    today = clock.today()

    def center_with(code: str, windows: int) -> dict[str, Any]:
        center = Center.objects.create(
            code=code, name=f"{code} 便民服务中心", opens_at=dtime(0, 0), closes_at=dtime(23, 59)
        )
        for day in (today - timedelta(days=1), today, today + timedelta(days=1)):
            CenterDayHours.objects.create(
                center=center,
                day=day,
                is_open=True,
                opens_at=dtime(0, 0),
                closes_at=dtime(23, 59, 59),
            )
        Window.objects.bulk_create(
            Window(center=center, code=f"W{i:03d}", name=f"{i}号窗口")
            for i in range(1, windows + 1)
        )
        guide = Staff.objects.create(
            username=f"guide_{code}", full_name="导办", role=Role.GUIDE, center=center
        )
        officers = []
        for i in range(1, windows + 1):
            staff = Staff.objects.create(
                username=f"officer_{code}_{i}",
                full_name=f"民警{i}",
                role=Role.OFFICER,
                center=center,
                is_all_round=True,
            )
            window_sign_in(actor=staff, window_code=f"W{i:03d}")
            officers.append(
                {"window": f"W{i:03d}", "token": api_token_create(staff=staff, label="bench")}
            )
        return {
            "code": code,
            "center": center,
            "guide_staff": guide,
            "guide": api_token_create(staff=guide, label="bench"),
            "officers": officers,
        }

    county = center_with("BN", OFFICERS)
    tickets = [
        ticket_issue(
            actor=county["guide_staff"],
            center=county["center"],
            item_codes=[ITEMS[i % len(ITEMS)]],
            channel=IssueChannel.GUIDE,
        ).pk
        for i in range(PREISSUED)
    ]
    province = [center_with(f"P{i:03d}", 2) for i in range(1, PROVINCE_CENTERS + 1)]
    province_tickets = [
        ticket_issue(
            actor=c["guide_staff"],
            center=c["center"],
            item_codes=["HZ02"],
            channel=IssueChannel.GUIDE,
        ).pk
        for c in province
        for _ in range(5)
    ]

    # Planner statistics and the visibility map as autovacuum keeps them on a live server
    # (this machine's PostgreSQL runs with autovacuum off: without this, the planner takes the
    # freshly loaded tables for empty and counts the people ahead through the whole day's tickets).
    analyze()

    def public(c: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in c.items() if k not in {"center", "guide_staff"}}

    return {
        "county": public(county),
        "tickets": tickets[-200:],  # the last issued: the first round's reads (then _line_tail)
        "province": [public(c) for c in province],
        "province_tickets": province_tickets,
    }


# --- wrk -------------------------------------------------------------------------------------

LUA_DONE = r"""
threads = {}
local counter = 0
setup = function(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
done = function(summary, latency, requests)
  local calls, finishes, empty = 0, 0, 0
  for _, t in ipairs(threads) do
    calls = calls + (t:get("calls") or 0)
    finishes = finishes + (t:get("finishes") or 0)
    empty = empty + (t:get("empty") or 0)
  end
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"non_2xx": %d, "socket_errors": %d, "calls": %d, "finishes": %d, "empty_204": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout, calls, finishes, empty))
end
"""


def _lua_list(values: list[str]) -> str:
    return "{" + ",".join(json.dumps(v) for v in values) + "}"


def _lua_get(paths: list[str], *, htmx: bool = False) -> str:
    """GETs over `paths`, each from one of PHONES client addresses behind the proxy."""
    extra = 'wrk.headers["HX-Request"] = "true"\n' if htmx else ""
    return (
        LUA_DONE
        + extra
        + f"local paths = {_lua_list(paths)}\n"
        + f"local phones = {PHONES}\n"
        + r"""
local n = 0
request = function()
  n = n + 1
  local phone = (n * 7 + id * 997) % phones
  wrk.headers["X-Forwarded-For"] = string.format("127.1.%d.%d", math.floor(phone / 250), phone % 250 + 1)
  return wrk.format("GET", paths[(n % #paths) + 1])
end
"""
    )


def _lua_issue(token: str) -> str:
    return (
        LUA_DONE
        + f"local items = {_lua_list(ITEMS)}\n"
        + f'wrk.headers["Authorization"] = "Bearer {token}"\n'
        + r"""
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "/api/v1/tickets", nil, '{"item_code": "' .. items[(n % #items) + 1] .. '"}')
end
"""
    )


def _lua_call_finish(officers: list[dict[str, str]]) -> str:
    table = (
        "{"
        + ",".join(f"{{{json.dumps(o['window'])},{json.dumps(o['token'])}}}" for o in officers)
        + "}"
    )
    return (
        LUA_DONE
        + f"local officers = {table}\n"
        + r"""
calls, finishes, empty = 0, 0, 0
local pending, last, me = nil, nil, nil
request = function()
  me = me or officers[(id % #officers) + 1]
  local headers = {["Authorization"] = "Bearer " .. me[2]}
  if pending then
    local ticket = pending
    pending, last = nil, "finish"
    return wrk.format("POST", "/api/v1/tickets/" .. ticket .. "/finish", headers, "")
  end
  last = "call"
  return wrk.format("POST", "/api/v1/windows/" .. me[1] .. "/call-next", headers, "")
end
response = function(status, headers, body)
  if last == "call" then
    if status == 200 then
      pending = string.match(body, '"id": ?"([^"]+)"')
      calls = calls + 1
    elseif status == 204 then
      empty = empty + 1
    end
  elseif status == 200 then
    finishes = finishes + 1
  end
end
"""
    )


def hall_runs(
    base: str, county: dict[str, Any], tickets: list[str]
) -> dict[str, tuple[str, str, int, int]]:
    """The product's endpoints as wrk runs: name → (URL, Lua script, threads, connections).
    Shared with bench/scale_out, which runs the same set against 1 and 2 workers."""
    return {
        "healthz": (f"{base}/healthz", _lua_get(["/healthz"]), 2, CONNECTIONS),
        "ticket_read": (
            base,
            _lua_get([f"/api/v1/tickets/{t}" for t in tickets]),
            2,
            CONNECTIONS,
        ),
        "position_fragment": (
            base,
            _lua_get([f"/t/{t}/" for t in tickets], htmx=True),
            2,
            CONNECTIONS,
        ),
        "items": (f"{base}/items/", _lua_get(["/items/"]), 2, CONNECTIONS),
        "issue": (f"{base}/api/v1/tickets", _lua_issue(county["guide"]), 2, CONNECTIONS),
        "call_finish": (base, _lua_call_finish(county["officers"]), OFFICERS, OFFICERS),
    }


def _wrk(url: str, lua: str, *, seconds: float, threads: int, connections: int) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    try:
        proc = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{seconds:.0f}s",
                "--timeout",
                "30s",
                "-s",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 120,
            check=False,
        )
    finally:
        os.unlink(script.name)
    match = re.search(r"^WRKJSON (.*)$", proc.stdout, re.M)
    if match is None:
        raise RuntimeError(f"wrk failed: {proc.stdout[-500:]} {proc.stderr[-500:]}")
    raw = json.loads(match.group(1))
    seconds_run = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "throughput_rps": round(raw["requests"] / seconds_run, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
        "non_2xx": raw["non_2xx"],
        "socket_errors": raw["socket_errors"],
        "calls": raw["calls"],
        "finishes": raw["finishes"],
        "empty_204": raw["empty_204"],
        "load_average": round(os.getloadavg()[0], 2),
    }


# --- servers ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_up(url: str) -> bool:
    import httpx

    for _ in range(300):
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            time.sleep(0.2)
    return False


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    """A server of the run; its warnings and errors go to the bench's own stderr (a pipe nobody
    reads would hide why a server did not start, and stall it once full)."""
    return subprocess.Popen(
        [sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, text=True
    )


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


# --- the open loop -----------------------------------------------------------------------------


def _province_schedule(
    data: dict[str, Any], *, seconds: float, position_rps: float
) -> list[tuple[float, _openloop.Job]]:
    province = data["province"]
    issued: list[str] = list(data["province_tickets"])
    officers = [o for c in province for o in c["officers"]]
    busy: set[str] = set()
    schedule: list[tuple[float, _openloop.Job]] = []

    def every(rps: float, make: Any) -> None:
        if rps <= 0:
            return
        count = int(seconds * rps)
        for i in range(count):
            schedule.append((i / rps, make(i)))

    def issue(i: int) -> _openloop.Job:
        center = province[i % len(province)]

        async def job(pool: _openloop.Pool, rec: _openloop.Recorder, due: float) -> None:
            body = json.dumps({"item_code": ITEMS[i % len(ITEMS)]}).encode()
            headers = {
                "Authorization": f"Bearer {center['guide']}",
                "Content-Type": "application/json",
            }
            reply = await _openloop.timed(
                pool, rec, "issue", due, "POST", "/api/v1/tickets", headers, body
            )
            if reply is not None and reply.status == 200:
                issued.append(json.loads(reply.body)["id"])

        return job

    def call(i: int) -> _openloop.Job:
        async def job(pool: _openloop.Pool, rec: _openloop.Recorder, due: float) -> None:
            free = [o for o in officers if o["token"] not in busy]
            if not free:
                rec.add("call_next", 0.0, -1)  # every officer busy: not sent (counted)
                return
            officer = free[i % len(free)]
            busy.add(officer["token"])
            headers = {"Authorization": f"Bearer {officer['token']}"}
            try:
                reply = await _openloop.timed(
                    pool,
                    rec,
                    "call_next",
                    due,
                    "POST",
                    f"/api/v1/windows/{officer['window']}/call-next",
                    headers,
                )
                if reply is not None and reply.status == 200:
                    ticket = json.loads(reply.body)["id"]
                    await _openloop.timed(
                        pool,
                        rec,
                        "finish",
                        time.perf_counter(),
                        "POST",
                        f"/api/v1/tickets/{ticket}/finish",
                        headers,
                    )
            finally:
                busy.discard(officer["token"])

        return job

    def board(i: int) -> _openloop.Job:
        code = province[i % len(province)]["code"]

        async def job(pool: _openloop.Pool, rec: _openloop.Recorder, due: float) -> None:
            await _openloop.timed(
                pool, rec, "board", due, "GET", f"/hall/display/{code}/state.json", {}
            )

        return job

    def position(i: int) -> _openloop.Job:
        async def job(pool: _openloop.Pool, rec: _openloop.Recorder, due: float) -> None:
            ticket = issued[(i * 7919) % len(issued)]
            phone = i % PHONES
            headers = {"X-Forwarded-For": f"127.1.{phone // 250}.{phone % 250 + 1}"}
            await _openloop.timed(
                pool, rec, "position", due, "GET", f"/api/v1/tickets/{ticket}", headers
            )

        return job

    peak = 300 * PROVINCE_CENTERS / 3600  # a county's peak hour: 300 tickets
    every(peak, issue)
    every(peak, call)
    every(PROVINCE_CENTERS / 5, board)  # one display per center, every 5 s
    every(position_rps, position)
    return schedule


def _pick(ordered: list[float], q: float) -> float:
    return round(ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1)))], 1)


def _django_here() -> None:
    """Django set up in a child beside the running server, on its database as it is (no
    migration, unlike `child_django_setup`)."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()


def _release_windows() -> int:
    """Finish every ticket the bench center's officers still hold (a closed-loop run stops
    between an officer's call and its finish): each round starts with every window free, and
    no officer spends a round refused a call for the ticket it still holds. The tickets
    finished."""
    _django_here()
    from bianmin.core import clock
    from bianmin.hall.enums import TicketStatus
    from bianmin.hall.models import Ticket
    from bianmin.hall.services import ticket_finish

    held = Ticket.objects.filter(
        center__code="BN", status=TicketStatus.CALLED, service_day=clock.today()
    ).select_related("officer")
    finished = 0
    for ticket in held:
        if ticket.officer is not None:
            ticket_finish(actor=ticket.officer, ticket_id=ticket.pk)
            finished += 1
    return finished


def _line_tail(count: int = 200) -> list[str]:
    """The bench center's most recently issued tickets that still wait: the phones that poll.
    Chosen again before every round — the calls of a round take the head of the line, and a
    fast round reaches tickets issued at the setup."""
    _django_here()
    from bianmin.core import clock
    from bianmin.hall.enums import TicketStatus
    from bianmin.hall.models import Ticket

    waiting = Ticket.objects.filter(
        center__code="BN", status=TicketStatus.WAITING, service_day=clock.today()
    ).order_by("-queue_at", "-seq")
    return list(waiting.values_list("pk", flat=True)[:count])


def _pending_tasks() -> int:
    _django_here()
    from huey.contrib.djhuey import HUEY

    return int(HUEY.pending_count())


def _wait_tasks_done(env: dict[str, str], *, at_most: float = 240.0) -> int:
    """Wait until the server's task worker has emptied its queue (at most `at_most` seconds);
    the tasks still queued then."""
    deadline = time.monotonic() + at_most
    while True:
        found = run_child(["bench.hall_load", "--pending"], env=env, label="pending tasks")
        left = int(found["pending"]) if found is not None else -1
        if left <= 0 or time.monotonic() > deadline:
            return left
        time.sleep(5)


def _open_loop(
    port: int, data: dict[str, Any], *, seconds: float, position_rps: float
) -> dict[str, Any]:

    schedule = _province_schedule(data, seconds=seconds, position_rps=position_rps)
    recorder, meta = asyncio.run(_openloop.run("127.0.0.1", port, schedule))
    kinds: dict[str, Any] = {}
    for kind, values in recorder.latencies.items():
        ordered = sorted(values)
        kinds[kind] = {
            "count": len(values),
            "rate_rps": round(len(values) / seconds, 1),
            "p50_ms": _pick(ordered, 0.5),
            "p99_ms": _pick(ordered, 0.99),
            "statuses": {str(k): v for k, v in sorted(recorder.statuses[kind].items())},
        }
    return {
        **meta,
        "offered_rps": round(len(schedule) / seconds, 1),
        "kinds": kinds,
        "load_average": round(os.getloadavg()[0], 2),
    }


# --- one backend ---------------------------------------------------------------------------------


def _run_backend(
    backend: str,
    env: dict[str, str],
    *,
    seconds: float,
    rounds: int,
    open_seconds: float,
    position_rps: float,
) -> dict[str, Any] | None:
    data = run_child(
        ["bench.hall_load", "--setup"], env=env, label=f"{backend}: setup failed", timeout=3600
    )
    if data is None:
        return None
    port, bare_port, same_port = _free_port(), _free_port(), _free_port()
    bare_server = ["-m", "bench._bare_server", "--port"]
    servers = [
        _start(["manage.py", "serve", "--port", str(port)], env),
        _start([*bare_server, str(bare_port)], env),
        _start([*bare_server, str(same_port), "--handler", "product"], env),
    ]
    base, bare_base = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{bare_port}"
    same_url = f"http://127.0.0.1:{same_port}/bare"
    try:
        if not all(_wait_up(url) for url in (f"{base}/healthz", f"{bare_base}/bare", same_url)):
            print(f"  {backend}: a server did not start")
            return None
        county = data["county"]
        tickets = data["tickets"]
        runs: dict[str, tuple[str, str, int, int]] = {
            "bare": (f"{bare_base}/bare", _lua_get(["/bare"]), 2, CONNECTIONS),
            **hall_runs(base, county, tickets),
        }
        out: dict[str, Any] = {"closed_loop": {}}
        _wrk(
            f"{bare_base}/bare", _lua_get(["/bare"]), seconds=2, threads=2, connections=CONNECTIONS
        )
        _wrk(
            f"{base}/healthz", _lua_get(["/healthz"]), seconds=2, threads=2, connections=CONNECTIONS
        )
        _wrk(same_url, _lua_get(["/bare"]), seconds=2, threads=2, connections=CONNECTIONS)
        bare_url, bare_lua, *_ = runs["bare"]
        measured: dict[str, list[dict[str, Any]]] = {name: [] for name in runs}
        for round_no in range(1, rounds + 1):
            if round_no > 1:  # the phones that poll are those still waiting
                tail = run_child(["bench.hall_load", "--tail"], env=env, label="line tail")
                if tail is not None and tail["tickets"]:
                    runs.update(hall_runs(base, county, tail["tickets"]))
            for name, (url, lua, threads, connections) in runs.items():
                # The bare view again right before each endpoint: the machine's speed moves
                # within a run, so each ratio is taken against the ceiling of the same minute.
                ceiling = _wrk(
                    bare_url, bare_lua, seconds=seconds, threads=2, connections=CONNECTIONS
                )
                same = _wrk(same_url, bare_lua, seconds=seconds, threads=2, connections=CONNECTIONS)
                if name == "call_finish":
                    run_child(["bench.hall_load", "--release"], env=env, label="release windows")
                row = _wrk(url, lua, seconds=seconds, threads=threads, connections=connections)
                for suffix, baseline in (("", ceiling), ("_same_handler", same)):
                    row[f"bare{suffix}_rps"] = baseline["throughput_rps"]
                    row[f"ratio_to_bare{suffix}"] = round(
                        row["throughput_rps"] / (baseline["throughput_rps"] or 1), 2
                    )
                measured[name].append(row)
                print(
                    f"    {round_no}/{rounds} {name:<18} {row['throughput_rps']:>8} req/s  "
                    f"p50 {row['p50_ms']} ms  p99 {row['p99_ms']} ms  "
                    f"÷ bare {row['ratio_to_bare']}  "
                    f"÷ same handler {row['ratio_to_bare_same_handler']}  "
                    f"load {row['load_average']}",
                    flush=True,
                )
        for name, rows in measured.items():
            out["closed_loop"][name] = _median_round(rows)
        # The closed loop's thousands of calls and finishes left tasks behind (SMS, rating
        # links); the province hour starts once the worker has done them, as a server would
        # start a real hour with its queue empty.
        left = _wait_tasks_done(env)
        print(
            f"  {backend}: open loop, a province hour ({open_seconds:.0f} s; "
            f"{left} tasks still queued) …",
            flush=True,
        )
        out["open_loop"] = _open_loop(port, data, seconds=open_seconds, position_rps=position_rps)
        return out
    finally:
        for proc in servers:
            _stop(proc)


def _median_round(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The round whose ratio is the median of an endpoint's rounds, with the others' range."""
    ordered = sorted(rows, key=lambda row: row["ratio_to_bare"])
    kept = dict(ordered[len(ordered) // 2])
    kept["rounds"] = len(ordered)
    kept["ratio_range"] = [ordered[0]["ratio_to_bare"], ordered[-1]["ratio_to_bare"]]
    same = sorted(row["ratio_to_bare_same_handler"] for row in rows)
    kept["ratio_same_handler_range"] = [same[0], same[-1]]
    return kept


def _table(results: dict[str, Any]) -> None:
    header = f"{'backend':<11}{'endpoint':<19}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'bare':>8}{'÷ bare':>8}{'range':>12}{'same h.':>9}{'÷ same':>8}{'non-2xx':>9}{'load':>6}"
    print(header)
    print("-" * len(header))
    for backend, r in results["backends"].items():
        for name, row in r["closed_loop"].items():
            print(
                f"{backend:<11}{name:<19}{row['throughput_rps']:>9.1f}{row['p50_ms']:>9.1f}"
                f"{row['p99_ms']:>9.1f}{row['bare_rps']:>8.1f}{row['ratio_to_bare']:>8.2f}"
                f"{'–'.join(f'{r:.2f}' for r in row['ratio_range']):>12}"
                f"{row['bare_same_handler_rps']:>9.1f}{row['ratio_to_bare_same_handler']:>8.2f}"
                f"{row['non_2xx']:>9}{row['load_average']:>6}"
            )
        ol = r["open_loop"]
        print(
            f"{backend}: open loop at {ol['offered_rps']} req/s (generator {ol['generator_cpu_percent']} % CPU)"
        )
        for kind, row in ol["kinds"].items():
            print(
                f"    {kind:<12}{row['rate_rps']:>8} req/s  p50 {row['p50_ms']} ms  p99 {row['p99_ms']} ms  {row['statuses']}"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.hall_load")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--open-seconds", type=float, default=20.0)
    parser.add_argument("--position-rps", type=float, default=10.0)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--setup", action="store_true")
    parser.add_argument("--pending", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--release", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--tail", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    if args.setup:
        print(json.dumps(_setup()))
        return 0
    if args.pending:
        print(json.dumps({"pending": _pending_tasks()}))
        return 0
    if args.release:
        print(json.dumps({"finished": _release_windows()}))
        return 0
    if args.tail:
        print(json.dumps({"tickets": _line_tail()}))
        return 0
    if shutil.which("wrk") is None:
        subprocess.run([str(ROOT / "scripts" / "ensure-debian-packages"), "wrk"], check=True)
    base_env = {k: v for k, v in os.environ.items() if k != "BIANMIN_REDIS_URL"}
    base_env["DJANGO_SETTINGS_MODULE"] = "bench._hall_settings"
    results: dict[str, Any] = {
        "measured_at": {},
        "connections": CONNECTIONS,
        "seconds_per_endpoint": args.seconds,
        "rounds": args.rounds,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "generator": "wrk (closed loop), bench._openloop (open loop)",
        "server": "manage.py serve (uvicorn, 1 process, with the task worker)",
        "baselines": "the bare view served by Django's stock ASGI handler (ratio_to_bare, the targets' denominator) and behind the product's handler (ratio_to_bare_same_handler)",
        "backends": {},
    }
    for backend in args.backends.split(","):
        env = served_env(
            backend, base_env, sqlite_path=SQLITE_PATH, pg_url=PG_URL, redis_url=REDIS_URL
        )
        if env is None:
            continue
        print(f"  {backend}: setup …", flush=True)
        outcome = _run_backend(
            backend,
            env,
            seconds=args.seconds,
            rounds=args.rounds,
            open_seconds=args.open_seconds,
            position_rps=args.position_rps,
        )
        if outcome is not None:
            outcome["redis"] = "BIANMIN_REDIS_URL" in env
            results["backends"][backend] = outcome
            results["measured_at"][backend] = datetime.now(UTC).isoformat(timespec="seconds")
    if not results["backends"]:
        return 1
    _table(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    # A run of some backends keeps the other backends' last figures (each with its own date).
    if RESULTS.exists():
        earlier = json.loads(RESULTS.read_text())
        dates = earlier.get("measured_at")
        for backend, outcome in earlier.get("backends", {}).items():
            if backend not in results["backends"] and isinstance(dates, dict) and backend in dates:
                results["backends"][backend] = outcome
                results["measured_at"][backend] = dates[backend]
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(f"written {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
