"""The hall's write path and public reads profiled inside one process: CPU time and queries per
request, before vs after, in one run.

    .venv/bin/python -m bench write_path_profile
    .venv/bin/python -m bench.write_path_profile --baseline f036414 --requests 200

For each backend (SQLite, then PostgreSQL) and each tree — the baseline commit (exported with
`git archive` under var/bench/, this script copied into it) and the working tree — a child
process gets a fresh database, loads the reference data (`bootstrap --no-demo`), adds a bench center (8
windows, 8 all-round officers signed in, a guide with a token, open all day) and drives a burst
through Django's test client (the whole middleware stack, no network): `--requests` issues,
then as many call-next + finish pairs, ticket reads, position fragments and `/items/` pages.
Per endpoint it reports the median and mean CPU time per request (`time.process_time`), the
ORM queries per request (statements, BEGIN/SAVEPOINT/COMMIT excluded) and, from a cProfile of
separate issue and call-next bursts (half as long; cProfile slows what it sees), the share of named costs (token look-up, audit chain, …).

Throttles stay on: every public read comes from its own client address. Both trees run with
the local-memory cache (`make run`'s), so the cache look-ups cost a dict read, not a Redis
round trip. Results in bench/results/write_path_profile.json with the load average.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import logging
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "write_path_profile.json"
PG_URL = os.environ.get(
    "BIANMIN_BENCH_PROFILE_PG_URL", "postgres://postgres@127.0.0.1:5432/bianmin_bench_profile"
)
ITEMS = ["HZ02", "HZ05", "JG01", "JG04", "CR01", "ZA04"]
OFFICERS = 8
# Function names whose cumulative time is reported as a share of the burst (cProfile).
COSTS = {
    "token look-up": "api_token_authenticate",
    "audit chain": "audit_record",
    "ticket answer (position, estimate)": "ticket_state",
    "center hours": "center_hours",
    "hall settings": "hall_settings_get",
    "counter": "_next_seq",
    "template render": "render_to_string",
}


# --- child: one tree, one backend --------------------------------------------------------------


def _setup() -> dict[str, Any]:
    from datetime import time as dtime
    from datetime import timedelta

    import django

    sys.path.insert(0, os.getcwd())
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("bootstrap", "--no-demo", verbosity=0)  # reference data: the catalogue
    from bianmin.accounts.models import Center, CenterDayHours, Staff
    from bianmin.accounts.services import api_token_create
    from bianmin.core import clock
    from bianmin.core.permissions import Role
    from bianmin.hall.models import Window
    from bianmin.hall.services import window_sign_in

    today = clock.today()
    center = Center.objects.create(
        code="BP", name="BP 便民服务中心", opens_at=dtime(0, 0), closes_at=dtime(23, 59)
    )
    for day in (today - timedelta(days=1), today, today + timedelta(days=1)):
        CenterDayHours.objects.create(
            center=center, day=day, is_open=True, opens_at=dtime(0, 0), closes_at=dtime(23, 59, 59)
        )
    Window.objects.bulk_create(
        Window(center=center, code=f"W{i:03d}", name=f"{i}号窗口") for i in range(1, OFFICERS + 1)
    )
    guide = Staff.objects.create(
        username="guide_BP", full_name="导办", role=Role.GUIDE, center=center
    )
    officers = []
    for i in range(1, OFFICERS + 1):
        staff = Staff.objects.create(
            username=f"officer_BP_{i}",
            full_name=f"民警{i}",
            role=Role.OFFICER,
            center=center,
            is_all_round=True,
        )
        window_sign_in(actor=staff, window_code=f"W{i:03d}")
        officers.append((f"W{i:03d}", api_token_create(staff=staff, label="bench")))
    return {"guide": api_token_create(staff=guide, label="bench"), "officers": officers}


class _Meter:
    """CPU time and ORM queries of each request of one endpoint; a cProfile when asked."""

    def __init__(self, profile: bool) -> None:
        self.cpu: list[float] = []
        self.queries: list[int] = []
        self.profiler = cProfile.Profile(time.process_time) if profile else None

    def run(self, send: Any) -> Any:
        from django.db import connection

        # Statements are counted by an execute wrapper: Django's query capture would switch on
        # the debug cursor, whose logging of every statement costs more CPU than the request.
        statements = 0
        skip = ("BEGIN", "SAVEPOINT", "RELEASE", "COMMIT", "ROLLBACK")

        def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            nonlocal statements
            if not sql.lstrip().upper().startswith(skip):
                statements += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            started = time.process_time()
            if self.profiler is not None:
                self.profiler.enable()
            reply = send()
            if self.profiler is not None:
                self.profiler.disable()
            self.cpu.append(time.process_time() - started)
        self.queries.append(statements)
        return reply

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "requests": len(self.cpu),
            "cpu_ms_median": round(statistics.median(self.cpu) * 1000, 2),
            "cpu_ms_mean": round(statistics.fmean(self.cpu) * 1000, 2),
            "queries_median": statistics.median(self.queries),
            "queries_mean": round(statistics.fmean(self.queries), 2),
        }
        if self.profiler is not None:
            stats = pstats.Stats(self.profiler, stream=io.StringIO())
            total = sum(self.cpu) or 1.0
            shares: dict[str, float] = {}
            for label, name in COSTS.items():
                cumulative = max(
                    (
                        row[3]
                        for (_file, _line, func), row in stats.stats.items()  # type: ignore[attr-defined]
                        if func == name
                    ),
                    default=0.0,
                )
                shares[label] = round(100 * cumulative / total, 1)
            out["share_percent"] = shares
        return out


def _child(requests: int) -> dict[str, Any]:
    data = _setup()
    from django.conf import settings
    from django.test import Client

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    logging.disable(logging.WARNING)
    guide = Client(HTTP_AUTHORIZATION=f"Bearer {data['guide']}")
    officers = [
        (window, Client(HTTP_AUTHORIZATION=f"Bearer {token}")) for window, token in data["officers"]
    ]
    phones = iter(f"10.9.{n // 250}.{n % 250 + 1}" for n in range(100_000))
    meters = {
        name: _Meter(profile=False)
        for name in ("issue", "call_next", "finish", "ticket_read", "position_fragment", "items")
    }

    def check(reply: Any, name: str) -> Any:
        if reply.status_code != 200:
            raise SystemExit(f"{name}: {reply.status_code} {reply.content[:300]!r}")
        return reply

    def issue(n: int) -> str:
        body = json.dumps({"item_code": ITEMS[n % len(ITEMS)]})
        reply = guide.post("/api/v1/tickets", body, content_type="application/json")
        return str(check(reply, "issue").json()["id"])

    for n in range(10):  # warm-up: imports, first compilations, caches
        issue(n)
    tickets = [meters["issue"].run(lambda n=n: issue(n)) for n in range(requests)]
    profiled = _Meter(profile=True)  # shares from a separate burst: cProfile slows what it sees
    tickets += [profiled.run(lambda n=n: issue(n)) for n in range(requests // 2)]
    shares = {"issue": profiled}
    for ticket in tickets[-requests // 2 :]:
        meters["ticket_read"].run(
            lambda t=ticket: check(
                Client(REMOTE_ADDR=next(phones)).get(f"/api/v1/tickets/{t}"), "ticket_read"
            )
        )
        meters["position_fragment"].run(
            lambda t=ticket: check(
                Client(REMOTE_ADDR=next(phones)).get(f"/t/{t}/", HTTP_HX_REQUEST="true"),
                "position_fragment",
            )
        )
    for _ in range(min(requests, 100)):
        meters["items"].run(lambda: check(Client(REMOTE_ADDR=next(phones)).get("/items/"), "items"))
    shares["call_next"] = _Meter(profile=True)
    for n in range(requests + requests // 2):
        window, client = officers[n % len(officers)]
        meter = meters["call_next"] if n < requests else shares["call_next"]
        reply = meter.run(lambda c=client, w=window: c.post(f"/api/v1/windows/{w}/call-next"))
        ticket = check(reply, "call_next").json()["id"]
        meters["finish"].run(
            lambda c=client, t=ticket: check(c.post(f"/api/v1/tickets/{t}/finish"), "finish")
        )
    out = {name: meter.summary() for name, meter in meters.items()}
    out["parts_ms"] = _parts(data, requests)
    for name, meter in shares.items():
        out[name]["share_percent"] = meter.summary()["share_percent"]
    return out


def _parts(data: dict[str, Any], requests: int) -> dict[str, float]:
    """CPU ms of single parts called directly (no profiler): the median of `requests` calls."""
    from django.db import transaction

    from bianmin.accounts.services import api_token_authenticate
    from bianmin.audit.enums import AuditAction
    from bianmin.audit.services import audit_record

    token = data["guide"]
    staff = api_token_authenticate(token)

    def audited() -> None:
        with transaction.atomic():
            audit_record(actor=staff, action=AuditAction.PERSON_VIEWED, target_id="1")

    parts = {"token_lookup": lambda: api_token_authenticate(token), "audit_record": audited}
    out = {}
    for name, call in parts.items():
        times = []
        for _ in range(requests):
            started = time.process_time()
            call()
            times.append(time.process_time() - started)
        out[name] = round(statistics.median(times) * 1000, 3)
    return out


# --- parent ------------------------------------------------------------------------------------


def _export(ref: str) -> Path:
    """The tree of commit `ref` under var/bench/, with this script copied in."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", ref], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    target = ROOT / "var" / "bench" / f"tree-{commit}"
    if not target.exists():
        archive = subprocess.run(
            ["git", "archive", "--format=tar", commit], cwd=ROOT, capture_output=True, check=True
        ).stdout
        target.mkdir(parents=True)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(target, filter="data")
    shutil.copy2(Path(__file__), target / "bench" / "write_path_profile.py")
    return target


def _run(tree: Path, backend: str, requests: int) -> dict[str, Any] | None:
    if backend == "sqlite":
        db = ROOT / "var" / "bench" / "write_path_profile.sqlite3"
        db.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{db}"
    else:
        import psycopg

        base, _, name = PG_URL.rpartition("/")
        try:
            with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=5) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                conn.execute(f'CREATE DATABASE "{name}"')
        except psycopg.Error as exc:
            print(f"  postgresql skipped: {exc}")
            return None
        url = PG_URL
    env = {k: v for k, v in os.environ.items() if k != "BIANMIN_REDIS_URL"}
    env.update(
        {
            "BIANMIN_DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "PYTHONPATH": str(tree),
        }
    )
    proc = subprocess.run(
        [sys.executable, "-m", "bench.write_path_profile", "--child", "--requests", str(requests)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        print(f"  {backend} in {tree.name}: failed\n{proc.stderr[-3000:]}")
        return None
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.write_path_profile")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--baseline", default="f036414", help="commit measured as 'before'")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.requests)))
        return 0
    trees = {"before": _export(args.baseline), "after": ROOT}
    results: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "baseline": args.baseline,
        "requests": args.requests,
        "cache": "locmem",
        "backends": {},
    }
    for backend in args.backends.split(","):
        runs: dict[str, Any] = {}
        for label, tree in trees.items():
            print(f"{backend} {label} …", flush=True)
            load_before = _load()
            run = _run(tree, backend, args.requests)
            if run is None:
                continue
            run["load_average"] = [load_before, _load()]
            runs[label] = run
        if runs:
            results["backends"][backend] = runs
    if not results["backends"]:
        return 1
    _table(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(f"written {RESULTS.relative_to(ROOT)}")
    return 0


def _table(results: dict[str, Any]) -> None:
    print(
        f"{'backend':<11}{'endpoint':<19}{'CPU ms before':>14}{'after':>8}{'queries':>9}{'after':>7}"
    )
    for backend, runs in results["backends"].items():
        before, after = runs.get("before", {}), runs.get("after", {})
        for name in after or before:
            b, a = before.get(name, {}), after.get(name, {})
            if not isinstance(a or b, dict) or "cpu_ms_median" not in (a or b):
                continue
            print(
                f"{backend:<11}{name:<19}{b.get('cpu_ms_median', '-'):>14}"
                f"{a.get('cpu_ms_median', '-'):>8}{b.get('queries_median', '-'):>9}"
                f"{a.get('queries_median', '-'):>7}"
            )
        for label in ("before", "after"):
            print(f"  {backend} {label} parts (CPU ms): {runs.get(label, {}).get('parts_ms')}")
            for name in ("issue", "call_next"):
                shares = runs.get(label, {}).get(name, {}).get("share_percent")
                if shares:
                    print(f"  {backend} {label} {name} shares %: {shares}")


if __name__ == "__main__":
    sys.exit(main())
