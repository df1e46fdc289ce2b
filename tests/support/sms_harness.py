"""Real-process harness for the exactly-once tests and the batch benchmark (not used in
production code paths).

It starts, as separate OS processes:

* a fake provider server (``python -m tests.support.sms_fakes``) that appends every
  message it *accepts* to a JSON-lines record file -- the ground truth for "received once";
* Huey consumers (``manage.py run_huey``) with ``bianmin.notifications.tests.process_settings``,
  on the caller's database and a private queue (a SqliteHuey file, or RedisHuey under a
  unique name when ``BIANMIN_REDIS_URL`` is set);
* one-shot ``manage.py sms_watchdog`` runs (the periodic task's body).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[2]
PROCESS_SETTINGS = "bianmin.notifications.tests.process_settings"


def wait_until(predicate: Callable[[], bool], *, timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def record_references(path: Path) -> Counter[str]:
    """How many times the fake gateway accepted each reference (OutId / SessionContext)."""
    counts: Counter[str] = Counter()
    if not path.exists():
        return counts
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        counts[str(record.get("reference"))] += 1
    return counts


@dataclass
class FakeGateway:
    provider: str
    record: Path
    qps: float | None = None
    extra: list[str] = field(default_factory=list)
    process: subprocess.Popen[str] | None = None
    url: str = ""

    def start(self) -> FakeGateway:
        args = [
            sys.executable,
            "-m",
            "tests.support.sms_fakes",
            self.provider,
            "--port",
            "0",
            "--record",
            str(self.record),
            *self.extra,
        ]
        if self.qps:
            args += ["--qps", str(self.qps)]
        self.process = subprocess.Popen(
            args,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line.startswith("READY "):
            self.stop()
            raise RuntimeError(f"fake gateway did not start: {line!r}")
        self.url = line.split(" ", 1)[1]
        return self

    def stop(self) -> str:
        if self.process is None:
            return ""
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGTERM)
        try:
            _, err = self.process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        self.process = None
        return err


@dataclass
class Workers:
    """Huey consumers and watchdog runs sharing one private queue and one database."""

    db_name: str
    gateway_url: str
    workdir: Path
    provider: str = "aliyun"
    rate: float = 50.0
    timeout: float = 1.0
    threads: int = 4
    queue: str = field(default_factory=lambda: f"sms-proc-{uuid.uuid4().hex[:8]}")
    consumers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    _logs: list[IO[bytes]] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": PROCESS_SETTINGS,
                "SMS_PROC_DB_NAME": self.db_name,
                "SMS_PROC_QUEUE": self.queue,
                "SMS_PROC_QUEUE_FILE": str(self.workdir / f"{self.queue}.sqlite3"),
                "SMS_PROC_GATEWAY": self.provider,
                "SMS_PROC_GATEWAY_URL": self.gateway_url,
                "SMS_PROC_RATE": str(self.rate),
                "SMS_PROC_TIMEOUT": str(self.timeout),
                "SMS_PROC_WORKERS": str(self.threads),
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def _spawn(self, log_name: str, *command: str) -> subprocess.Popen[bytes]:
        """``manage.py <command>`` in its own process group, logging to ``log_name``."""
        log = (self.workdir / log_name).open("wb")
        self._logs.append(log)
        process = subprocess.Popen(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.consumers.append(process)
        return process

    def start_consumer(self) -> subprocess.Popen[bytes]:
        return self._spawn(
            f"consumer-{len(self.consumers)}.log",
            "run_huey",
            "--workers",
            str(self.threads),
            "--worker-type",
            "thread",
        )

    def wait_ready(self, *, timeout: float = 90.0) -> bool:
        """True once every consumer has logged that it started (Django imported, queue open)."""

        def ready() -> bool:
            logs = sorted(self.workdir.glob("consumer-*.log"))
            return len(logs) >= len(
                [p for p in self.consumers if p.args and "run_huey" in p.args]  # type: ignore[operator]
            ) and all("consumer started" in p.read_text(errors="replace").lower() for p in logs)

        return wait_until(ready, timeout=timeout, interval=0.2)

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL the whole process group: no cleanup, no graceful shutdown."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def watchdog(
        self, *, stuck_after: float, replay_after: float, copies: int = 1
    ) -> dict[str, Any]:
        """One watchdog run; with replay_after=0 it feeds every due queued message."""
        done = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "sms_watchdog",
                "--stuck-after",
                str(stuck_after),
                "--replay-after",
                str(replay_after),
                "--copies",
                str(copies),
            ],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"sms_watchdog failed: {done.stderr[-2000:]}")
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return result

    def start_watchdog(
        self, *, every: float = 1.0, stuck_after: float = 3.0, replay_after: float = 1.0
    ) -> subprocess.Popen[bytes]:
        """The periodic watchdog, looping in its own process (also feeds the queue: queued
        rows with no task are enqueued once the queue is empty)."""
        return self._spawn(
            "watchdog.log",
            "sms_watchdog",
            "--loop",
            str(every),
            "--stuck-after",
            str(stuck_after),
            "--replay-after",
            str(replay_after),
        )

    def stop(self) -> None:
        for process in self.consumers:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.kill(process)
        self.consumers.clear()
        for log in self._logs:
            log.close()
        self._logs.clear()

    def logs(self) -> str:
        return "\n".join(
            p.read_text(errors="replace")[-3000:] for p in sorted(self.workdir.glob("*.log"))
        )


@contextlib.contextmanager
def running(gateway: FakeGateway, workers: Workers) -> Iterator[None]:
    try:
        yield
    finally:
        workers.stop()
        gateway.stop()
