"""Helpers the benchmarks share (the runner skips modules starting with "_").

The database benchmarks run each backend in a child process whose default database is a fresh
bench database: the parent prepares that database (`fresh_sqlite`, `prepare_pg`, or both through
`backend_database_url`), runs the child (`run_child`), which sets Django up and migrates
(`child_django_setup`) and prints its result as one JSON line; the parent prints its table and
writes the results file (`write_results`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def prepare_pg(url: str) -> bool:
    """A fresh, empty PostgreSQL database at `url`; False (and a note) when none can be had."""
    try:
        import psycopg
    except ImportError:
        return False
    base, _, name = url.rpartition("/")
    try:
        with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        print(f"  postgresql: skipped ({exc.__class__.__name__}: {exc})")
        return False
    return True


def fresh_sqlite(path: Path) -> None:
    """No SQLite database (nor its -wal/-shm files) left at `path`; its folder exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def backend_database_url(backend: str, sqlite_path: Path, pg_url: str) -> str | None:
    """The URL of a fresh database for `backend`; None when there is none to run against."""
    if backend == "sqlite":
        fresh_sqlite(sqlite_path)
        return f"sqlite:///{sqlite_path}"
    if backend == "postgresql" and prepare_pg(pg_url):
        return pg_url
    return None


def child_env(database_url: str) -> dict[str, str]:
    """The environment of a child whose default database is `database_url` (no Redis)."""
    env = {k: v for k, v in os.environ.items() if k != "BIANMIN_REDIS_URL"}
    env.update(
        {"BIANMIN_DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    )
    return env


def run_child(
    args: list[str], *, env: dict[str, str], label: str, timeout: int = 3600
) -> dict[str, Any] | None:
    """Run `python -m <args>` from the project root; the JSON object on the last line of its
    output, or None (and the end of its stderr, under `label`) when it failed."""
    proc = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        print(f"  {label}\n{proc.stderr[-3000:]}")
        return None
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def run_timed_child(
    module: str, backend: str, database_url: str, rows: int
) -> dict[str, Any] | None:
    """The child of `module` for one backend (`--child --rows N`), with its wall time."""
    started = time.perf_counter()
    result = run_child(
        [module, "--child", "--rows", str(rows)],
        env=child_env(database_url),
        label=f"{backend}: failed",
    )
    if result is not None:
        result["wall_seconds"] = round(time.perf_counter() - started, 1)
    return result


def child_django_setup() -> None:
    """In a child: Django set up from the project root and its fresh database migrated."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def write_results(
    results: dict[str, Any], path: Path, table: Callable[[dict[str, Any]], None]
) -> int:
    """Print the table and write `path`; 1 (nothing written) when no backend gave a result."""
    if not results["backends"]:
        return 1
    table(results)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(f"written {path.relative_to(ROOT)}")
    return 0


def backends_main(
    argv: list[str] | None,
    *,
    module: str,
    noun: str,
    default_rows: int,
    header: Callable[[int], dict[str, Any]],
    child: Callable[[int], dict[str, Any]],
    table: Callable[[dict[str, Any]], None],
    results_path: Path,
    sqlite_path: Path,
    pg_url: str,
) -> int:
    """The parent side every database benchmark shares: `--rows N --backends a,b` runs `child`
    once per backend on a fresh database (`--child` is how the child is entered), gathers
    `header(rows)` plus each backend's result, prints the table and writes the results."""
    import argparse

    parser = argparse.ArgumentParser(prog=module)
    parser.add_argument("--rows", type=int, default=default_rows)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    if args.child:
        print(json.dumps(child(args.rows)))
        return 0
    results = {**header(args.rows), "backends": {}}
    for backend in args.backends.split(","):
        print(f"  {backend}: {args.rows:,} {noun} …", flush=True)
        url = backend_database_url(backend, sqlite_path, pg_url)
        if url is None:
            continue
        outcome = run_timed_child(module, backend, url, args.rows)
        if outcome is not None:
            results["backends"][backend] = outcome
    return write_results(results, results_path, table)


def analyze() -> None:
    """Fresh planner statistics after a bulk insert; on PostgreSQL also the visibility map that
    autovacuum would have set on a live table (index-only scans then skip the heap)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def median_ms(fn: Callable[[], Any], runs: int) -> float:
    """Median wall milliseconds of `runs` calls of `fn`, after one warm-up call (caches, fonts,
    query plans)."""
    import statistics

    fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def flush_redis(url: str) -> bool:
    """An empty Redis database at `url`; False (and a note) when there is no Redis."""
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=3).flushdb()
    except Exception as exc:  # no Redis here: PostgreSQL alone, said in the results
        print(f"  redis: not used ({exc.__class__.__name__})")
        return False
    return True


def served_env(
    backend: str, base_env: dict[str, str], *, sqlite_path: Path, pg_url: str, redis_url: str
) -> dict[str, str] | None:
    """The environment of a served product on a fresh database of `backend` (PostgreSQL with
    a flushed Redis when one answers); None when the backend cannot run here."""
    env = dict(base_env)
    if backend == "sqlite":
        fresh_sqlite(sqlite_path)
        env.pop("BIANMIN_DATABASE_URL", None)
        env["BIANMIN_BENCH_SQLITE"] = str(sqlite_path)
        return env
    if backend == "postgresql" and prepare_pg(pg_url):
        env["BIANMIN_DATABASE_URL"] = pg_url
        if flush_redis(redis_url):
            env["BIANMIN_REDIS_URL"] = redis_url
        return env
    return None
