"""The product served by `manage.py serve` in a child process on the test database, for
browser tests that need the real ASGI server (websockets) rather than Django's live server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def served_product(
    *, workers: int = 1, task_worker: bool = False, env: dict[str, str] | None = None
) -> Iterator[str]:
    """Start the server (`workers` uvicorn processes; the Huey consumer and scheduler in the
    supervisor with `task_worker`), wait for /healthz, yield its base URL, stop it."""
    port = _free_port()
    child_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "BIANMIN_DATABASE_URL": _database_url(),
        **(env or {}),
    }
    command = [sys.executable, "manage.py", "serve", "--port", str(port)]
    command += ["--workers", str(workers)] + ([] if task_worker else ["--no-worker"])
    # A file, not a pipe: nobody reads while it serves.
    errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    proc = subprocess.Popen(
        command, cwd=ROOT, env=child_env, stdout=subprocess.DEVNULL, stderr=errors
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60 + 30 * workers  # a loaded 2-core machine starts slowly
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
            if proc.poll() is not None or time.monotonic() > deadline:
                errors.seek(0)
                err = errors.read().decode(errors="replace")[-2000:]
                raise RuntimeError(f"manage.py serve did not start: {err}")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        errors.close()
