"""Run every benchmark module in bench/ (or those named): `python -m bench [name ...]`."""

import importlib
import os
import pkgutil
import sys
import time
from pathlib import Path


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    wanted = sys.argv[1:]
    names = [
        m.name
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if not m.name.startswith("_")
    ]
    failures = 0
    for name in sorted(names):
        if wanted and name not in wanted:
            continue
        module = importlib.import_module(f"bench.{name}")
        if not hasattr(module, "main"):
            continue
        print(f"\n=== bench/{name} ===", flush=True)
        started = time.perf_counter()
        try:
            module.main([])
        except Exception as exc:
            failures += 1
            print(f"bench/{name} failed: {exc!r}")
        print(f"(bench/{name}: {time.perf_counter() - started:.1f} s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
