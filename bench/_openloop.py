"""An open-loop HTTP/1.1 load generator on asyncio (Debian has no wrk2): requests are sent at
fixed arrival times whatever the server's answers, and each latency is measured from the
moment the request was DUE, so a slow server cannot slow the generator down and hide its queue
(no coordinated omission). Raw sockets, keep-alive connections taken from a pool that grows
when all are busy; at a province hour's few hundred requests per second it needs a few percent
of one core (measured and reported by bench/hall_load as `generator_cpu_percent`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Reply:
    status: int
    body: bytes


@dataclass
class Recorder:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[str, dict[int, int]] = field(default_factory=dict)

    def add(self, kind: str, ms: float, status: int) -> None:
        self.latencies.setdefault(kind, []).append(ms)
        counts = self.statuses.setdefault(kind, {})
        counts[status] = counts.get(status, 0) + 1


# uvicorn closes a keep-alive connection after 5 s without a request; one idle longer than
# this is dropped rather than reused (a request sent as the server closes it would be lost).
IDLE_SECONDS = 4.0


class Pool:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        # (reader, writer, when it went idle), the most recently used last
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []
        self.opened = 0

    async def _connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        while self.idle:
            reader, writer, since = self.idle.pop()
            if time.perf_counter() - since < IDLE_SECONDS:
                return reader, writer
            writer.close()
        self.opened += 1
        return await asyncio.open_connection(self.host, self.port)

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> Reply:
        reader, writer = await self._connection()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        lines.append(f"Content-Length: {len(body)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        data = await reader.readexactly(length) if length else b""
        self.idle.append((reader, writer, time.perf_counter()))
        return Reply(status, data)

    def close(self) -> None:
        for _reader, writer, _since in self.idle:
            writer.close()


Job = Callable[[Pool, Recorder, float], Any]  # (pool, recorder, due time) -> coroutine


async def run(
    host: str, port: int, schedule: list[tuple[float, Job]], *, drain_seconds: float = 30.0
) -> tuple[Recorder, dict[str, Any]]:
    """Start every job of `schedule` (offset seconds, job) at its time; wait for the last."""
    pool, recorder = Pool(host, port), Recorder()
    started_cpu, start = time.process_time(), time.perf_counter()
    late = 0
    tasks = []
    for offset, job in sorted(schedule, key=lambda pair: pair[0]):
        due = start + offset
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        elif delay < -0.01:
            late += 1  # the generator itself fell behind (counted, reported)
        tasks.append(asyncio.create_task(job(pool, recorder, due)))
    await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), drain_seconds + 60)
    elapsed = time.perf_counter() - start
    pool.close()
    return recorder, {
        "seconds": round(elapsed, 1),
        "generator_cpu_percent": round(100 * (time.process_time() - started_cpu) / elapsed, 1),
        "generator_late_starts": late,
        "connections_opened": pool.opened,
    }


async def timed(
    pool: Pool,
    recorder: Recorder,
    kind: str,
    due: float,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes = b"",
) -> Reply | None:
    """One request of `kind`, its latency counted from `due`."""
    try:
        reply = await pool.request(method, path, headers, body)
    except (OSError, asyncio.IncompleteReadError, ValueError):
        recorder.add(kind, (time.perf_counter() - due) * 1000, 0)
        return None
    recorder.add(kind, (time.perf_counter() - due) * 1000, reply.status)
    return reply
