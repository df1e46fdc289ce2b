"""CPU per cache call on Redis: Django's stock backend (a new `redis.Redis` per call) against
`core.redis_cache.RedisCache` (one client per connection pool), in the same run.

Each round times `--calls` GETs of a 200-byte value, then `--calls` INCRs, with each backend in
turn (`time.process_time`, so the figure is the client's CPU, not the wait for Redis).

    .venv/bin/python -m bench cache_client        # → bench/results/cache_client.json
    (Redis from BIANMIN_BENCH_REDIS_URL, default redis://127.0.0.1:6379/11)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from datetime import UTC, datetime
from functools import partial
from typing import Any

from django.core.cache.backends.redis import RedisCache as StockRedisCache

from bench._common import ROOT
from bianmin.core.redis_cache import RedisCache

RESULTS = ROOT / "bench" / "results" / "cache_client.json"
REDIS_URL = os.environ.get("BIANMIN_BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
BACKENDS = {"stock": StockRedisCache, "kept_client": RedisCache}


def _per_call_us(operation: Any, calls: int) -> float:
    for _ in range(min(200, calls)):
        operation()
    started = time.process_time()
    for _ in range(calls):
        operation()
    return (time.process_time() - started) / calls * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.cache_client")
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv if argv is not None else [])
    samples: dict[str, dict[str, list[float]]] = {
        name: {"get": [], "incr": []} for name in BACKENDS
    }
    for _ in range(args.rounds):
        for name, backend_class in BACKENDS.items():
            cache = backend_class(REDIS_URL, {"KEY_PREFIX": "bench-cache-client"})
            cache.set("value", b"x" * 200)
            cache.set("counter", 0)
            samples[name]["get"].append(_per_call_us(partial(cache.get, "value"), args.calls))
            samples[name]["incr"].append(_per_call_us(partial(cache.incr, "counter"), args.calls))
            cache.delete_many(["value", "counter"])
    medians = {
        name: {op: round(statistics.median(values), 1) for op, values in ops.items()}
        for name, ops in samples.items()
    }
    results = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "calls_per_round": args.calls,
        "cpu_us_per_call_median": medians,
        "cpu_us_per_call_rounds": {
            name: {op: [round(v, 1) for v in values] for op, values in ops.items()}
            for name, ops in samples.items()
        },
        "kept_over_stock": {
            op: round(medians["kept_client"][op] / medians["stock"][op], 2)
            for op in ("get", "incr")
        },
    }
    for name, ops in medians.items():
        print(f"  {name:12s} get {ops['get']:7.1f} µs CPU   incr {ops['incr']:7.1f} µs CPU")
    print(f"  kept ÷ stock: {results['kept_over_stock']}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(f"written {RESULTS.relative_to(ROOT)}")
    return 0
