"""bench/live_push: the center's line pushed to 1,000 open position sockets, against polling.

For each backend (SQLite with the in-memory channel layer; PostgreSQL with Redis, channels_redis)
a fresh database gets the catalogue and one center LP, open all day, with --windows windows and
as many all-round officers signed in (API tokens), and 100 + --windows waiting tickets. The
product is started as in production, `manage.py serve --no-worker` (uvicorn, one process),
settings `bench._hall_settings` (the proxy address 127.0.0.1 trusted, as bench/hall_load).

Push (this run's subject):
* --sockets websockets open `/ws/hall/LP/line/` (asyncio + `websockets`, in this process);
  each receives the line on connect. The server's RSS is read before and after they are open:
  memory per socket = the difference ÷ --sockets.
* First --quiet calls with no socket open (each finished again): the call's own HTTP time and
  CPU, to tell what the fan-out adds.
* Each officer calls once (`POST /api/v1/windows/W../call-next`, one after another): the time
  from the call's request (and from its HTTP answer) to each socket's receipt of the message
  that shows that number called, p50/p99 over all sockets and calls; the server's CPU time per
  call (the call, its commit and the one message fanned out to every socket); the message's
  size with 100 waiting.
Baseline, same server, same run, sockets closed: the same clients polling the position
fragment every 5 s is --sockets ÷ 5 requests per second the server would have to absorb; wrk
(closed loop, 64 connections, --poll-seconds, htmx fragment of the waiting tickets, 2,000
client addresses behind the proxy as bench/hall_load) measures what the server can serve and
its CPU time per request.

The load generator shares the machine's cores with the server: a socket's receipt time includes
this process's own queueing of 1,000 frames, so the figures are upper bounds. The load average
is noted with every figure. Results: bench/results/live_push.json.

    python -m bench live_push
    python -m bench.live_push --sockets 1000 --backends sqlite
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench._common import ROOT, child_django_setup, run_child, served_env
from bench.hall_load import _free_port, _lua_get, _stop, _wait_up, _wrk

RESULTS = ROOT / "bench" / "results" / "live_push.json"
SQLITE_PATH = ROOT / "var" / "bench_live_push.sqlite3"
PG_URL = os.environ.get(
    "BIANMIN_BENCH_PUSH_PG_URL", "postgres://postgres@127.0.0.1:5432/bianmin_bench_push"
)
REDIS_URL = os.environ.get("BIANMIN_BENCH_PUSH_REDIS_URL", "redis://127.0.0.1:6379/14")
WAITING = 100
QUIET_CALLS = 10  # calls (each finished) before any socket is open: the call's own cost
POLL_EVERY_SECONDS = 5
CENTER = "LP"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- setup (child process with Django) ---------------------------------------------------------


def _setup(windows: int) -> dict[str, Any]:
    from datetime import time as dtime
    from datetime import timedelta

    child_django_setup()
    from bianmin.accounts.models import Center, CenterDayHours, Staff
    from bianmin.accounts.services import api_token_create
    from bianmin.catalogue.services import catalogue_load_reference
    from bianmin.core import clock
    from bianmin.core.permissions import Role
    from bianmin.hall.enums import IssueChannel
    from bianmin.hall.models import Window
    from bianmin.hall.services import ticket_issue, window_sign_in

    catalogue_load_reference()
    today = clock.today()
    center = Center.objects.create(
        code=CENTER, name="推送测试便民服务中心", opens_at=dtime(0, 0), closes_at=dtime(23, 59)
    )
    for day in (today - timedelta(days=1), today, today + timedelta(days=1)):
        CenterDayHours.objects.create(
            center=center, day=day, is_open=True, opens_at=dtime(0, 0), closes_at=dtime(23, 59, 59)
        )
    Window.objects.bulk_create(
        Window(center=center, code=f"W{i:02d}", name=f"{i}号窗口") for i in range(1, windows + 1)
    )
    officers = []
    for i in range(1, windows + 1):
        staff = Staff.objects.create(
            username=f"officer_{i}",
            full_name=f"民警{i}",
            role=Role.OFFICER,
            center=center,
            is_all_round=True,
        )
        window_sign_in(actor=staff, window_code=f"W{i:02d}")
        officers.append({"window": f"W{i:02d}", "token": api_token_create(staff=staff, label="b")})
    items = ["HZ02", "HZ05", "JG01", "JG04", "CR01", "ZA04"]
    tickets = [
        ticket_issue(
            actor=None,
            center=center,
            item_codes=[items[i % len(items)]],
            channel=IssueChannel.KIOSK,
        ).pk
        for i in range(WAITING + windows)
    ]
    return {"officers": officers, "tickets": tickets}


# --- the server process, seen from /proc -------------------------------------------------------


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def _pick(ordered: list[float], q: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _load() -> float:
    return round(os.getloadavg()[0], 2)


# --- the push run (asyncio: sockets and calls in this process) ---------------------------------


async def _quiet_run(base: str, pid: int, officers: list[dict[str, str]]) -> dict[str, Any]:
    """The same call with no socket open (each finished again): what the fan-out adds."""
    import httpx

    call_ms: list[float] = []
    cpu = 0.0
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        for officer in officers:
            headers = {"Authorization": f"Bearer {officer['token']}"}
            before = _cpu_seconds(pid)
            t0 = time.perf_counter()
            answer = await client.post(
                f"/api/v1/windows/{officer['window']}/call-next", headers=headers
            )
            call_ms.append((time.perf_counter() - t0) * 1000)
            cpu += _cpu_seconds(pid) - before
            answer.raise_for_status()
            done = await client.post(
                f"/api/v1/tickets/{answer.json()['id']}/finish", headers=headers
            )
            done.raise_for_status()
    call_ms.sort()
    return {
        "calls": len(officers),
        "call_http_p50_ms": round(_pick(call_ms, 0.5), 1),
        "call_http_p99_ms": round(_pick(call_ms, 0.99), 1),
        "server_cpu_ms_per_call": round(cpu / len(officers) * 1000, 1),
        "load_average": _load(),
    }


async def _push_run(
    base: str, pid: int, officers: list[dict[str, str]], sockets: int
) -> dict[str, Any]:
    import httpx
    import websockets
    from websockets.typing import Origin

    ws_url = base.replace("http://", "ws://") + f"/ws/hall/{CENTER}/line/"
    origin = Origin(base)
    received: list[list[tuple[float, str]]] = [[] for _ in range(sockets)]
    opened: list[Any] = []

    async def open_one(i: int) -> None:
        conn = await websockets.connect(ws_url, origin=origin, max_size=2**20, open_timeout=60)
        first = await asyncio.wait_for(conn.recv(), 60)
        received[i].append((time.perf_counter(), str(first)))
        opened.append(conn)

    closed: set[int] = set()  # sockets the server dropped (counted, no longer waited for)

    async def reader(i: int, conn: Any) -> None:
        try:
            async for text in conn:
                received[i].append((time.perf_counter(), str(text)))
        except websockets.ConnectionClosed:
            pass
        closed.add(i)

    # warm up (imports, the first line computed), then the baseline memory
    warm = await websockets.connect(ws_url, origin=origin)
    await warm.recv()
    await warm.close()
    await asyncio.sleep(1.0)
    rss_before = _rss_kib(pid)
    started = time.perf_counter()
    for batch in range(0, sockets, 100):
        await asyncio.gather(*(open_one(i) for i in range(batch, min(sockets, batch + 100))))
    open_seconds = time.perf_counter() - started
    await asyncio.sleep(2.0)
    rss_after = _rss_kib(pid)
    load_open = _load()
    readers = [asyncio.create_task(reader(i, conn)) for i, conn in enumerate(opened)]

    from_request: list[float] = []
    from_answer: list[float] = []
    call_ms: list[float] = []
    missing = 0
    sizes: list[int] = []
    cpu_before = _cpu_seconds(pid)
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        for officer in officers:
            marks = [len(r) for r in received]
            t0 = time.perf_counter()
            answer = await client.post(
                f"/api/v1/windows/{officer['window']}/call-next",
                headers={"Authorization": f"Bearer {officer['token']}"},
            )
            t1 = time.perf_counter()
            call_ms.append((t1 - t0) * 1000)
            answer.raise_for_status()
            needle = f'"{answer.json()["number"]}":"'

            def arrived(i: int, mark: int, needle: str = needle) -> tuple[float, str] | None:
                for at, text in received[i][mark:]:
                    if needle in text and '"called"' in text:
                        return at, text
                return None

            deadline = time.perf_counter() + 15
            while time.perf_counter() < deadline:
                if all(i in closed or arrived(i, marks[i]) for i in range(sockets)):
                    break
                await asyncio.sleep(0.02)
            for i in range(sockets):
                got = arrived(i, marks[i])
                if got is None:
                    missing += 1
                    continue
                from_request.append((got[0] - t0) * 1000)
                from_answer.append((got[0] - t1) * 1000)
            last = arrived(0, marks[0])
            if last is not None:
                sizes.append(len(last[1].encode()))
            await asyncio.sleep(0.2)
    cpu_calls = _cpu_seconds(pid) - cpu_before
    load_calls = _load()
    messages_per_socket = [len(r) - 1 for r in received]  # after the one on connect
    dropped = len(closed)
    for conn in opened:
        await conn.close()
    await asyncio.gather(*readers, return_exceptions=True)
    from_request.sort()
    from_answer.sort()
    call_ms.sort()
    calls = len(officers)
    last_message = json.loads(received[0][-1][1]) if received[0] else {}
    return {
        "sockets": sockets,
        "open_seconds": round(open_seconds, 1),
        "rss_before_mib": round(rss_before / 1024, 1),
        "rss_after_mib": round(rss_after / 1024, 1),
        "kib_per_socket": round((rss_after - rss_before) / sockets, 1),
        "load_average_open": load_open,
        "calls": calls,
        "receipts": len(from_request),
        "missing_receipts": missing,
        "sockets_dropped_by_server": dropped,
        "messages_per_socket_min": min(messages_per_socket),
        "messages_per_socket_max": max(messages_per_socket),
        "call_http_p50_ms": round(_pick(call_ms, 0.5), 1),
        "call_http_p99_ms": round(_pick(call_ms, 0.99), 1),
        "from_request_p50_ms": round(_pick(from_request, 0.5), 1),
        "from_request_p99_ms": round(_pick(from_request, 0.99), 1),
        "from_answer_p50_ms": round(_pick(from_answer, 0.5), 1),
        "from_answer_p99_ms": round(_pick(from_answer, 0.99), 1),
        "server_cpu_ms_per_call": round(cpu_calls / calls * 1000, 1),
        "message_bytes_last": sizes[-1] if sizes else None,
        "message_last_waiting": len(last_message.get("waiting", {})),
        "message_last_called": len(last_message.get("called", {})),
        "load_average_calls": load_calls,
    }


def _poll_baseline(base: str, pid: int, tickets: list[str], sockets: int, seconds: float) -> Any:
    """What polling every 5 s would ask of the same server: the demand, and what it serves."""
    paths = [f"/t/{t}/" for t in tickets]
    cpu_before = _cpu_seconds(pid)
    row = _wrk(base, _lua_get(paths, htmx=True), seconds=seconds, threads=2, connections=64)
    cpu = _cpu_seconds(pid) - cpu_before
    demand = sockets / POLL_EVERY_SECONDS
    return {
        "clients": sockets,
        "poll_every_seconds": POLL_EVERY_SECONDS,
        "demand_rps": demand,
        "fragment_capacity_rps": row["throughput_rps"],
        "fragment_p50_ms": row["p50_ms"],
        "fragment_p99_ms": row["p99_ms"],
        "non_2xx": row["non_2xx"],
        "server_cpu_ms_per_request": round(cpu / max(row["requests"], 1) * 1000, 2),
        "demand_share_of_capacity": round(demand / (row["throughput_rps"] or 1), 2),
        "load_average": row["load_average"],
    }


def _run_backend(
    backend: str, env: dict[str, str], sockets: int, windows: int, poll_seconds: float
) -> dict[str, Any] | None:
    data = run_child(
        ["bench.live_push", "--setup", "--windows", str(windows + QUIET_CALLS)],
        env=env,
        label=f"{backend}: setup failed",
        timeout=1800,
    )
    if data is None:
        return None
    port = _free_port()
    log_path = ROOT / "var" / f"bench_live_push_{backend}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("w")  # the server's output, read afterwards (a full pipe would block it)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port), "--no-worker"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        if not _wait_up(f"{base}/healthz"):
            print(f"  {backend}: the server did not start")
            return None
        print(f"  {backend}: {sockets} sockets, {windows} calls …", flush=True)
        officers = data["officers"]
        quiet = asyncio.run(_quiet_run(base, server.pid, officers[:QUIET_CALLS]))
        print(
            f"    no socket: call p50 {quiet['call_http_p50_ms']} ms, "
            f"{quiet['server_cpu_ms_per_call']} ms CPU, load {quiet['load_average']}",
            flush=True,
        )
        push = asyncio.run(_push_run(base, server.pid, officers[QUIET_CALLS:], sockets))
        print(
            f"    push: p50 {push['from_answer_p50_ms']} ms / p99 {push['from_answer_p99_ms']} ms "
            f"after the call's answer ({push['from_request_p99_ms']} ms p99 after its request), "
            f"{push['kib_per_socket']} KiB per socket, {push['message_bytes_last']} bytes, "
            f"load {push['load_average_calls']}",
            flush=True,
        )
        waiting = data["tickets"][windows + QUIET_CALLS :]  # the first ones were called
        poll = _poll_baseline(base, server.pid, waiting, sockets, poll_seconds)
        print(
            f"    polling: {poll['demand_rps']} req/s asked vs {poll['fragment_capacity_rps']} "
            f"req/s served (p99 {poll['fragment_p99_ms']} ms), load {poll['load_average']}",
            flush=True,
        )
        return {"calls_without_sockets": quiet, "push": push, "polling": poll}
    finally:
        _stop(server)
        log.close()


def _table(results: dict[str, Any]) -> None:
    for backend, r in results["backends"].items():
        p, q = r["push"], r["polling"]
        print(
            f"{backend:<11} push to {p['sockets']} sockets: receipt after the call's answer p50 "
            f"{p['from_answer_p50_ms']} ms, p99 {p['from_answer_p99_ms']} ms; "
            f"{p['kib_per_socket']} KiB/socket; {p['server_cpu_ms_per_call']} ms CPU per call; "
            f"message {p['message_bytes_last']} B ({p['message_last_waiting']} waiting)"
        )
        print(
            f"{'':<11} polling every 5 s: {q['demand_rps']} req/s needed, "
            f"{q['fragment_capacity_rps']} req/s served at most "
            f"({q['server_cpu_ms_per_request']} ms CPU each)"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.live_push")
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--windows", type=int, default=30, help="officers, one call each")
    parser.add_argument("--poll-seconds", type=float, default=8.0)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--setup", action="store_true")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    if args.setup:
        print(json.dumps(_setup(args.windows)))
        return 0
    if shutil.which("wrk") is None:
        subprocess.run([str(ROOT / "scripts" / "ensure-debian-packages"), "wrk"], check=True)
    base_env = {k: v for k, v in os.environ.items() if k != "BIANMIN_REDIS_URL"}
    base_env["DJANGO_SETTINGS_MODULE"] = "bench._hall_settings"
    results: dict[str, Any] = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "server": "manage.py serve --no-worker (uvicorn, 1 process)",
        "generator": "asyncio + websockets + httpx in one process on the same machine; wrk",
        "backends": {},
    }
    for backend in args.backends.split(","):
        env = served_env(
            backend, base_env, sqlite_path=SQLITE_PATH, pg_url=PG_URL, redis_url=REDIS_URL
        )
        if env is None:
            continue
        print(f"  {backend}: setup …", flush=True)
        outcome = _run_backend(backend, env, args.sockets, args.windows, args.poll_seconds)
        if outcome is not None:
            outcome["channel_layer"] = (
                "channels_redis" if "BIANMIN_REDIS_URL" in env else "in-memory"
            )
            results["backends"][backend] = outcome
    if not results["backends"]:
        return 1
    _table(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(f"written {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
