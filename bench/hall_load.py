"""bench/hall_load: a simulated peak hour of the queue hall against `manage.py serve` (uvicorn).

For each backend (SQLite, PostgreSQL) a fresh database is migrated and filled with

* county:   center TG, 200 windows, 200 all-round officers signed in, one guide;
* province: 100 centers, 2 windows and 2 officers each (200 officers), one guide each;

then `manage.py serve --no-worker` is started and 200 concurrent clients (httpx, asyncio, one
keep-alive connection each, over loopback) run closed loops for a fixed time per phase:

* baseline  GET /healthz — a minimal Django JSON view, served the same way (the ceiling);
* issue     POST /api/v1/tickets with guide tokens (staff issuing, not throttled);
* call-next POST /api/v1/windows/{w}/call-next, each client one officer at one window,
            followed by POST /api/v1/tickets/{id}/finish (call-next latency is what counts).

A county's real peak is 300 tickets/hour at 12 windows (0.08 issues/s); the table shows how far
above that the measured rates are. Targets: hot endpoints ≥ half the baseline's throughput and
p99 < 100 ms with 200 clients. Results: bench/results/hall_load.json.

    python -m bench hall_load
    python -m bench.hall_load --seconds 5 --backends sqlite
Environment: BIANMIN_BENCH_HALL_PG_URL (default postgres://postgres@127.0.0.1:5432/bianmin_bench_hall)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from typing import Any

from bench._common import (
    ROOT,
    child_django_setup,
    fresh_sqlite,
    prepare_pg,
    run_child,
    write_results,
)

RESULTS = ROOT / "bench" / "results" / "hall_load.json"
SQLITE_PATH = ROOT / "var" / "bench" / "hall_load.sqlite3"
PG_URL = os.environ.get(
    "BIANMIN_BENCH_HALL_PG_URL", "postgres://postgres@127.0.0.1:5432/bianmin_bench_hall"
)
CLIENTS = 200
PROVINCE_CENTERS = 100
ITEMS = ["HZ02", "HZ05", "JG01", "JG04", "CR01", "ZA04"]


# --- setup (child process with Django) ---------------------------------------------------------


def _setup() -> dict[str, Any]:
    from datetime import time as dtime

    child_django_setup()
    from bianmin.accounts.models import Center, Staff
    from bianmin.accounts.services import api_token_create
    from bianmin.catalogue.services import catalogue_load_reference
    from bianmin.core.permissions import Role
    from bianmin.hall.models import Window
    from bianmin.hall.services import window_sign_in

    catalogue_load_reference()
    always = {"opens_at": dtime(0, 0), "closes_at": dtime(23, 59, 59)}

    def center_with(code: str, windows: int) -> dict[str, Any]:
        center = Center.objects.create(code=code, name=f"{code} 便民服务中心", **always)
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
            "guide": api_token_create(staff=guide, label="bench"),
            "officers": officers,
        }

    county = center_with("TG", CLIENTS)
    province = [
        center_with(f"P{i:03d}", CLIENTS // PROVINCE_CENTERS)
        for i in range(1, PROVINCE_CENTERS + 1)
    ]
    return {"county": [county], "province": province}


# --- load (parent, asyncio) --------------------------------------------------------------------


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _phase(base: str, seconds: float, make_client_loop: Any) -> dict[str, Any]:
    import httpx

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    stop_at = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=CLIENTS + 10, max_keepalive_connections=CLIENTS + 10)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:

        async def record(method: str, url: str, **kw: Any) -> httpx.Response | None:
            started = time.perf_counter()
            try:
                response = await http.request(method, url, **kw)
            except httpx.HTTPError:
                statuses[0] = statuses.get(0, 0) + 1  # connection dropped: counted, not timed
                await asyncio.sleep(0.05)
                return None
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            return response

        started = time.perf_counter()
        await asyncio.gather(*(make_client_loop(i, http, record, stop_at) for i in range(CLIENTS)))
        elapsed = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 2),
        "throughput_rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(_pct(latencies, 0.50), 1),
        "p99_ms": round(_pct(latencies, 0.99), 1),
        "mean_ms": round(statistics.mean(latencies), 1) if latencies else 0.0,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


def _baseline_loop() -> Any:
    async def loop(i: int, http: Any, record: Any, stop_at: float) -> None:
        while time.perf_counter() < stop_at:
            await record("GET", "/healthz")

    return loop


def _issue_loop(centers: list[dict[str, Any]]) -> Any:
    async def loop(i: int, http: Any, record: Any, stop_at: float) -> None:
        center = centers[i % len(centers)]
        headers = {"Authorization": f"Bearer {center['guide']}"}
        n = 0
        while time.perf_counter() < stop_at:
            n += 1
            await record(
                "POST",
                "/api/v1/tickets",
                headers=headers,
                json={
                    "item_code": ITEMS[(i + n) % len(ITEMS)],
                    "priority": "elderly" if n % 10 == 0 else "normal",
                },
            )

    return loop


def _call_loop(
    centers: list[dict[str, Any]], calls: list[float], finishes: list[float], empties: list[int]
) -> Any:
    officers = [(c, o) for c in centers for o in c["officers"]]

    async def loop(i: int, http: Any, record: Any, stop_at: float) -> None:
        _center, officer = officers[i % len(officers)]
        headers = {"Authorization": f"Bearer {officer['token']}"}
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            response = await record(
                "POST", f"/api/v1/windows/{officer['window']}/call-next", headers=headers
            )
            if response is None:
                continue
            calls.append((time.perf_counter() - started) * 1000)
            if response.status_code == 204:
                empties.append(1)
                await asyncio.sleep(0.05)
                continue
            if response.status_code != 200:
                continue
            started = time.perf_counter()
            done = await record(
                "POST", f"/api/v1/tickets/{response.json()['id']}/finish", headers=headers
            )
            if done is not None:
                finishes.append((time.perf_counter() - started) * 1000)

    return loop


def _summary(values: list[float], elapsed: float) -> dict[str, Any]:
    return {
        "requests": len(values),
        "throughput_rps": round(len(values) / elapsed, 1),
        "p50_ms": round(_pct(values, 0.5), 1),
        "p99_ms": round(_pct(values, 0.99), 1),
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run_backend(backend: str, env: dict[str, str], seconds: float) -> dict[str, Any] | None:
    data = run_child(
        ["bench.hall_load", "--setup"], env=env, label=f"{backend}: setup failed", timeout=1800
    )
    if data is None:
        return None
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port), "--no-worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            print(f"  {backend}: server did not start")
            return None
        out: dict[str, Any] = {}
        for scenario in ("county", "province"):
            centers = data[scenario]
            print(
                f"  {backend} / {scenario}: baseline, issue, call-next "
                f"({seconds:.0f} s each, {CLIENTS} clients) …",
                flush=True,
            )
            asyncio.run(_phase(base, 1.0, _baseline_loop()))  # warm-up
            baseline = asyncio.run(_phase(base, seconds, _baseline_loop()))
            issue = asyncio.run(_phase(base, seconds, _issue_loop(centers)))
            calls: list[float] = []
            finishes: list[float] = []
            empties: list[int] = []
            mixed = asyncio.run(
                _phase(base, seconds, _call_loop(centers, calls, finishes, empties))
            )
            print(
                f"    baseline {baseline['throughput_rps']} req/s, issue "
                f"{issue['throughput_rps']} req/s {issue['statuses']}, call-next "
                f"{_summary(calls, mixed['seconds'])['throughput_rps']} req/s "
                f"{mixed['statuses']}",
                flush=True,
            )
            out[scenario] = {
                "baseline": baseline,
                "issue": issue,
                "call_next": _summary(calls, mixed["seconds"]),
                "finish": _summary(finishes, mixed["seconds"]),
                "call_next_empty_204": len(empties),
                "call_phase_statuses": mixed["statuses"],
            }
        return out
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


def _table(results: dict[str, Any]) -> None:
    header = (
        f"{'backend':<11}{'scenario':<10}{'endpoint':<11}{'req/s':>9}{'p50 ms':>9}"
        f"{'p99 ms':>9}{'÷ baseline':>12}{'× need':>10}{'failed':>8}"
    )
    print(header)
    print("-" * len(header))
    need = 300 / 3600  # tickets per second at a county's peak hour
    for backend, scenarios in results["backends"].items():
        for scenario, r in scenarios.items():
            ceiling = r["baseline"]["throughput_rps"] or 1
            for name in ("baseline", "issue", "call_next"):
                row = r[name]
                ratio = row["throughput_rps"] / ceiling
                times = "" if name == "baseline" else f"{row['throughput_rps'] / need:,.0f}"
                codes = r["call_phase_statuses"] if name == "call_next" else row["statuses"]
                failed = sum(v for k, v in codes.items() if k == "0" or int(k) >= 400)
                print(
                    f"{backend:<11}{scenario:<10}{name:<11}{row['throughput_rps']:>9.1f}"
                    f"{row['p50_ms']:>9.1f}{row['p99_ms']:>9.1f}{ratio:>12.2f}{times:>10}"
                    f"{failed:>8}"
                )
    print(
        "÷ baseline: throughput relative to the minimal JSON view; × need: relative to a "
        "county's peak (300 tickets/h)."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.hall_load")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--setup", action="store_true")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    if args.setup:
        print(json.dumps(_setup()))
        return 0
    base_env = {k: v for k, v in os.environ.items() if k != "BIANMIN_REDIS_URL"}
    base_env["DJANGO_SETTINGS_MODULE"] = "bench._hall_settings"
    results: dict[str, Any] = {
        "clients": CLIENTS,
        "seconds_per_phase": args.seconds,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "server": "manage.py serve (uvicorn, 1 process)",
        "backends": {},
    }
    for backend in args.backends.split(","):
        env = dict(base_env)
        if backend == "sqlite":
            fresh_sqlite(SQLITE_PATH)
            env.pop("BIANMIN_DATABASE_URL", None)
            env["BIANMIN_BENCH_SQLITE"] = str(SQLITE_PATH)
        elif backend == "postgresql":
            if not prepare_pg(PG_URL):
                continue
            env["BIANMIN_DATABASE_URL"] = PG_URL
        else:
            continue
        outcome = _run_backend(backend, env, args.seconds)
        if outcome is not None:
            results["backends"][backend] = outcome
    return write_results(results, RESULTS, _table)


if __name__ == "__main__":
    sys.exit(main())
