"""What the product's ASGI stack costs per request, in CPU, against a bare Django view.

In-process and single-threaded on purpose: each variant runs in its own child process, drives
N sequential GET requests straight into the ASGI application (no sockets, no load generator),
and reports CPU milliseconds per request (`time.process_time`, so the figure barely depends on
what else the machine is doing) and wall milliseconds. Variants, measured in the same run:

* `bare` — bench._bare_settings' one JSON view under Django's stock ASGI handler (baseline);
* `stock` — the product's settings and URLs under Django's stock `ASGIHandler`;
* `onehop` — the product as served (`config.asgi`: `core.asgi_handler.OneHopASGIHandler`).

    .venv/bin/python -m bench asgi_overhead          # → bench/results/asgi_overhead.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._common import ROOT, child_env, fresh_sqlite, run_child, write_results
from tests.support.asgi import asgi_get

PATHS = {"bare": ["/bare"], "product": ["/healthz", "/items/", "/no-such-page/"]}
RESULTS = ROOT / "bench" / "results" / "asgi_overhead.json"


async def _measure(app: Any, path: str, n: int) -> dict[str, Any]:
    for _ in range(min(50, n)):
        status = (await asgi_get(app, path))["status"]
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(n):
        await asgi_get(app, path)
    return {
        "status": status,
        "cpu_ms": round(1000 * (time.process_time() - cpu) / n, 3),
        "wall_ms": round(1000 * (time.perf_counter() - wall) / n, 3),
    }


def _child(variant: str, n: int) -> None:
    sys.path.insert(0, str(ROOT))
    if variant == "bare":
        os.environ["DJANGO_SETTINGS_MODULE"] = "bench._bare_settings"
        import django
        from django.core.handlers.asgi import ASGIHandler

        django.setup(set_prefix=False)
        app: Any = ASGIHandler()
    else:
        import django
        from django.core.management import call_command

        django.setup(set_prefix=False)
        call_command("migrate", verbosity=0, interactive=False)
        from bianmin.catalogue.services import catalogue_load_reference

        catalogue_load_reference()
        if variant == "stock":
            from django.core.handlers.asgi import ASGIHandler

            app = ASGIHandler()
        else:
            from config.asgi import django_asgi_app as app
    paths = PATHS["bare" if variant == "bare" else "product"]
    print(json.dumps({p: asyncio.run(_measure(app, p, n)) for p in paths}))


def _table(results: dict[str, Any]) -> None:
    bare = results["backends"]["bare"]["/bare"]["cpu_ms"]
    print(f"  {'variant':8} {'path':16} {'CPU ms':>8} {'wall ms':>8} {'÷ bare CPU':>10}")
    for variant, paths in results["backends"].items():
        for path, row in paths.items():
            ratio = bare / row["cpu_ms"] if row["cpu_ms"] else 0
            row["ratio_to_bare"] = round(ratio, 2)
            print(
                f"  {variant:8} {path:16} {row['cpu_ms']:8.3f} {row['wall_ms']:8.3f} {ratio:10.2f}"
            )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench.asgi_overhead")
    parser.add_argument("--child", choices=["bare", "stock", "onehop"])
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.requests)
        return 0
    results: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "requests": args.requests,
        "load_average_before": os.getloadavg()[0],
        "backends": {},
    }
    with tempfile.TemporaryDirectory() as folder:
        for variant in ("bare", "stock", "onehop"):
            database = Path(folder) / f"{variant}.sqlite3"
            fresh_sqlite(database)
            result = run_child(
                ["bench.asgi_overhead", "--child", variant, "--requests", str(args.requests)],
                env=child_env(f"sqlite:///{database}"),
                label=f"{variant}: failed",
            )
            if result is not None:
                results["backends"][variant] = result
    results["load_average_after"] = os.getloadavg()[0]
    return write_results(results, RESULTS, _table)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
