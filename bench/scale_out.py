"""bench/scale_out: `serve --workers 1` against `serve --workers 2` on PostgreSQL + Redis.

The data of bench/hall_load (demo data, a bench county BN with 64 officers signed in and 800
tickets waiting, a province of 100 small centers), one fresh database for both runs. The server
is `manage.py serve --workers N` with its task worker (as a province node runs it), behind the
same pretend proxy (X-Forwarded-For from 127.0.0.1 trusted, 2,000 phone addresses). For each N
the same wrk endpoints as bench/hall_load, `--seconds` each (5 s by default: the machine is
shared), 64 connections:

    GET /healthz | GET /api/v1/tickets/{id} | position fragment | GET /items/ |
    POST /api/v1/tickets (guide token) | call-next + finish (64 officers)

Reports req/s (answered 2xx; a refusal is cheaper than the work) and p99 per endpoint and N,
the ratio 2 workers ÷ 1 worker, the load average at each figure, Redis memory (its own
database: MEMORY USAGE summed over the keys, by key family; the server's `INFO memory` too) and
key counts before and after each run, and the PostgreSQL connections the server held at the end
of each run. Before call-next + finish, every officer's leftover called ticket is finished. Results:
bench/results/scale_out.json.

    python -m bench scale_out
    python -m bench.scale_out --seconds 5 --workers 1,2
Environment: BIANMIN_BENCH_SCALE_PG_URL (postgres://postgres@127.0.0.1:5432/bianmin_bench_scale,
dropped and created), BIANMIN_BENCH_SCALE_REDIS_URL (redis://127.0.0.1:6379/14, flushed first).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from bench._common import ROOT, flush_redis, prepare_pg, run_child
from bench.hall_load import (
    CONNECTIONS,
    _free_port,
    _lua_get,
    _stop,
    _wait_up,
    _wrk,
    hall_runs,
)

RESULTS = ROOT / "bench" / "results" / "scale_out.json"
# Databases of its own: bench/hall_load drops and flushes its own at start.
PG_URL = os.environ.get(
    "BIANMIN_BENCH_SCALE_PG_URL", "postgres://postgres@127.0.0.1:5432/bianmin_bench_scale"
)
REDIS_URL = os.environ.get("BIANMIN_BENCH_SCALE_REDIS_URL", "redis://127.0.0.1:6379/14")


def _redis_state(url: str) -> dict[str, Any]:
    """used_memory and the keys by family (the first `:`-part; channel layer keys as `asgi`)."""
    import redis

    client = redis.Redis.from_url(url)
    info = client.info("memory")
    families: Counter[str] = Counter()
    family_bytes: Counter[str] = Counter()
    for key in client.scan_iter(count=1000):
        text = key.decode(errors="replace")
        family = text.split(":")[2] if text.startswith(":1:") else text.split(":")[0]
        family = "throttle" if family.startswith("throttle_") else family  # one per client
        families[family] += 1
        family_bytes[family] += int(client.memory_usage(key, samples=0) or 0)
    return {
        # The server's used_memory counts every database (other runs share the server); the
        # bench's own database is the sum of MEMORY USAGE over its keys.
        "server_used_memory_bytes": int(info["used_memory"]),
        "server_used_memory_human": info["used_memory_human"],
        "keys": int(client.dbsize()),
        "db_key_bytes": sum(family_bytes.values()),
        "key_families": dict(families.most_common(12)),
        "key_family_bytes": dict(family_bytes.most_common(12)),
    }


def _pg_connections(url: str) -> int:
    import psycopg

    name = url.rpartition("/")[2]
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchone()
    return int(row[0]) if row else 0


def _release_officers(base: str, officers: list[dict[str, str]]) -> int:
    """Finish the ticket each officer still has called (a closed-loop run that ended between an
    officer's call and finish leaves one): otherwise the next run's call-next is refused with
    409 current_ticket at every such window. Returns how many were finished."""
    import httpx

    released = 0
    with httpx.Client(base_url=base, timeout=60) as client:
        for officer in officers:
            headers = {"Authorization": f"Bearer {officer['token']}"}
            reply = client.post(f"/api/v1/windows/{officer['window']}/call-next", headers=headers)
            ticket = reply.json().get("ticket_id") if reply.status_code == 409 else None
            ticket = ticket or (reply.json()["id"] if reply.status_code == 200 else None)
            if ticket:
                client.post(f"/api/v1/tickets/{ticket}/finish", headers=headers)
                released += reply.status_code == 409
    return released


def _run_workers(
    workers: int, env: dict[str, str], data: dict[str, Any], seconds: float
) -> dict[str, Any] | None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port), "--workers", str(workers)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        if not _wait_up(f"{base}/healthz"):
            print(f"  --workers {workers}: the server did not start")
            return None
        county, tickets = data["county"], data["tickets"]
        runs = hall_runs(base, county, tickets)
        # Warm every worker (imports, pools, caches) before the first figure.
        _wrk(
            f"{base}/healthz", _lua_get(["/healthz"]), seconds=2, threads=2, connections=CONNECTIONS
        )
        out: dict[str, Any] = {"workers": workers, "redis_before": _redis_state(REDIS_URL)}
        out["closed_loop"] = {}
        for name, (url, lua, threads, connections) in runs.items():
            if name == "call_finish":
                out["released_before_call_finish"] = _release_officers(base, county["officers"])
            row = _wrk(url, lua, seconds=seconds, threads=threads, connections=connections)
            # Only answered requests count: a refusal (4xx) costs the server less than the work.
            row["ok_rps"] = round(
                row["throughput_rps"] * (1 - row["non_2xx"] / (row["requests"] or 1)), 1
            )
            out["closed_loop"][name] = row
            print(
                f"    --workers {workers} {name:<18} {row['ok_rps']:>8} req/s (2xx)  "
                f"p99 {row['p99_ms']} ms  non-2xx {row['non_2xx']}  load {row['load_average']}",
                flush=True,
            )
        out["redis_after"] = _redis_state(REDIS_URL)
        out["pg_connections_held"] = _pg_connections(PG_URL)
        return out
    finally:
        _stop(server)
        time.sleep(2)


def _table(results: dict[str, Any]) -> None:
    runs = results["runs"]
    header = f"{'endpoint':<19}" + "".join(
        f"{f'{n}w req/s':>12}{f'{n}w p99 ms':>12}{f'{n}w load':>9}" for n in runs
    )
    if "ratio_2_to_1" in results:
        header += f"{'2w ÷ 1w':>9}"
    print(header)
    print("-" * len(header))
    first = next(iter(runs.values()))
    for name in first["closed_loop"]:
        line = f"{name:<19}"
        for run in runs.values():
            row = run["closed_loop"][name]
            line += f"{row['ok_rps']:>12.1f}{row['p99_ms']:>12.1f}{row['load_average']:>9}"
        if "ratio_2_to_1" in results:
            line += f"{results['ratio_2_to_1'][name]:>9.2f}"
        print(line)
    for n, run in runs.items():
        print(
            f"--workers {n}: PostgreSQL connections held {run['pg_connections_held']}; Redis "
            f"db {run['redis_before']['db_key_bytes']} → {run['redis_after']['db_key_bytes']} B, "
            f"keys {run['redis_before']['keys']} → {run['redis_after']['keys']} (server "
            f"{run['redis_before']['server_used_memory_human']} → "
            f"{run['redis_after']['server_used_memory_human']})"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.scale_out")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    if shutil.which("wrk") is None:
        subprocess.run([str(ROOT / "scripts" / "ensure-debian-packages"), "wrk"], check=True)
    if not prepare_pg(PG_URL) or not flush_redis(REDIS_URL):
        print("  scale_out: needs PostgreSQL and Redis; skipped")
        return 0
    env = {k: v for k, v in os.environ.items() if k not in ("BIANMIN_WORKER_HEADER",)}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench._hall_settings",
            "BIANMIN_DATABASE_URL": PG_URL,
            "BIANMIN_REDIS_URL": REDIS_URL,
        }
    )
    print("  scale_out: setup …", flush=True)
    data = run_child(["bench.hall_load", "--setup"], env=env, label="setup failed", timeout=3600)
    if data is None:
        return 1
    results: dict[str, Any] = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "connections": CONNECTIONS,
        "seconds_per_endpoint": args.seconds,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "generator": "wrk (closed loop), on the same machine",
        "server": "manage.py serve --workers N (uvicorn supervisor + N processes, task worker "
        "in the supervisor), PostgreSQL + Redis",
        "pool_max": int(os.environ.get("BIANMIN_DB_POOL_MAX", "20")),
        # A Redis server of its own (e.g. `redis-server --port 6390`) keeps INFO memory clean and
        # its database safe from test runs that flush theirs.
        "redis_url": REDIS_URL,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "runs": {},
    }
    for workers in (int(n) for n in args.workers.split(",")):
        print(f"  --workers {workers} …", flush=True)
        outcome = _run_workers(workers, env, data, args.seconds)
        if outcome is None:
            return 1
        results["runs"][str(workers)] = outcome
    if {"1", "2"} <= set(results["runs"]):
        one, two = results["runs"]["1"]["closed_loop"], results["runs"]["2"]["closed_loop"]
        results["ratio_2_to_1"] = {
            name: round(two[name]["ok_rps"] / (one[name]["ok_rps"] or 1), 2) for name in one
        }
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    _table(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(f"written {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
