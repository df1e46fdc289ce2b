"""`serve --workers N` without a server: refusals, one task consumer, the uvicorn supervisor's
configuration, and the worker header. The real processes are driven by tests/test_scale_out.py."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bianmin.core.management.commands import serve
from bianmin.core.served_by import WORKER_HEADER, WorkerHeader

REDIS_LAYER = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer"}}
REDIS_CACHE = {
    "default": {
        "BACKEND": "bianmin.core.redis_cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/0",
    }
}
LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LOCAL_LAYER = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


class FakeConsumer:
    def __init__(self) -> None:
        self.started = self.stopped = 0

    def start(self) -> None:
        self.started += 1

    def stop(self, graceful: bool = False) -> None:
        self.stopped += 1


@pytest.fixture
def spies(monkeypatch: pytest.MonkeyPatch, db: None) -> dict[str, Any]:
    """serve's own parts replaced by spies; the database is there for its start-up checks."""
    seen: dict[str, Any] = {"consumers": [], "supervised": [], "single": []}

    def create_consumer(**kwargs: Any) -> FakeConsumer:
        consumer = FakeConsumer()
        seen["consumers"].append((kwargs, consumer))
        return consumer

    class FakeMultiprocess:
        def __init__(self, config: Any, sockets: list[Any]) -> None:
            seen["supervised"].append((config, sockets))

        def run(self) -> None:
            pass

    class FakeServer:
        def __init__(self, config: Any) -> None:
            seen["single"].append(config)

        def run(self) -> None:
            pass

    class FakeSocket:
        closed = False

        def close(self) -> None:
            self.closed = True

    monkeypatch.setattr(serve.HUEY, "create_consumer", create_consumer)
    monkeypatch.setattr(serve, "Multiprocess", FakeMultiprocess)
    monkeypatch.setattr(serve.uvicorn, "Server", FakeServer)
    monkeypatch.setattr(serve.uvicorn.Config, "bind_socket", lambda self: FakeSocket())
    monkeypatch.setenv(serve.SERVED_AT_ENV, "http://127.0.0.1:8000")
    return seen


def test_several_workers_without_redis_are_refused_and_nothing_starts(settings, spies) -> None:
    settings.CHANNEL_LAYERS, settings.CACHES = LOCAL_LAYER, LOCAL_CACHE
    with pytest.raises(CommandError) as refused:
        call_command("serve", "--workers", "2")
    message = str(refused.value)
    assert "BIANMIN_REDIS_URL" in message
    assert "频道层" in message
    assert "缓存" in message
    assert spies["consumers"] == []
    assert spies["supervised"] == []
    assert spies["single"] == []


def test_a_local_cache_alone_is_refused_too(settings, spies) -> None:
    settings.CHANNEL_LAYERS, settings.CACHES = REDIS_LAYER, LOCAL_CACHE
    with pytest.raises(CommandError) as refused:
        call_command("serve", "--workers", "3")
    assert "缓存" in str(refused.value)
    assert "频道层" not in str(refused.value)


def test_zero_workers_is_refused(settings, spies) -> None:
    with pytest.raises(CommandError):
        call_command("serve", "--workers", "0")


def test_one_worker_without_redis_still_serves_in_one_process(settings, spies) -> None:
    settings.CHANNEL_LAYERS, settings.CACHES = LOCAL_LAYER, LOCAL_CACHE
    settings.HUEY = {**settings.HUEY, "immediate": False}
    call_command("serve", "--workers", "1", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert len(spies["single"]) == 1
    assert spies["supervised"] == []
    assert len(spies["consumers"]) == 1


def test_the_start_up_checks_warn_and_a_database_not_up_yet_does_not_stop_serving(
    settings, spies, monkeypatch, capsys
) -> None:
    from django.core.checks import Tags
    from django.core.checks import Warning as CheckWarning
    from django.core.checks.registry import registry
    from django.db import OperationalError

    from bianmin.core.checks import AUTOVACUUM_OFF

    settings.CHANNEL_LAYERS, settings.CACHES = LOCAL_LAYER, LOCAL_CACHE
    settings.HUEY = {**settings.HUEY, "immediate": False}

    def autovacuum_off(**kw: Any) -> list[Any]:
        return [CheckWarning("autovacuum 已关闭", id=AUTOVACUUM_OFF)]

    def unreachable(**kw: Any) -> list[Any]:
        raise OperationalError("connection refused")

    for check in (autovacuum_off, unreachable):
        check.tags = [Tags.database]  # type: ignore[attr-defined]
    monkeypatch.setattr(registry, "registered_checks", {autovacuum_off})
    call_command("serve", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert AUTOVACUUM_OFF in capsys.readouterr().err
    assert len(spies["single"]) == 1

    monkeypatch.setattr(registry, "registered_checks", {unreachable})
    call_command("serve", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert len(spies["single"]) == 2  # served anyway


def test_several_workers_share_one_port_and_one_task_consumer(settings, spies) -> None:
    settings.CHANNEL_LAYERS, settings.CACHES = REDIS_LAYER, REDIS_CACHE
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    call_command("serve", "--workers", "4", "--port", "8123", stdout=open(os.devnull, "w"))  # noqa: SIM115

    assert spies["single"] == []
    [(config, sockets)] = spies["supervised"]
    assert config.workers == 4
    assert config.port == 8123
    assert config.app == "config.asgi:application"  # the workers import it afresh
    assert config.ws == "websockets-sansio"
    assert config.timeout_graceful_shutdown == 5
    assert config.proxy_headers is True
    assert config.forwarded_allow_ips == ["10.0.0.1"]
    assert sockets[0].closed  # closed by the supervisor when it stops
    [(kwargs, consumer)] = spies["consumers"]  # one consumer and scheduler, not four
    assert kwargs["periodic"] is True
    assert (consumer.started, consumer.stopped) == (1, 1)


def test_web_nodes_run_no_consumer(settings, spies) -> None:
    settings.CHANNEL_LAYERS, settings.CACHES = REDIS_LAYER, REDIS_CACHE
    call_command("serve", "--workers", "2", "--no-worker", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert spies["consumers"] == []
    assert len(spies["supervised"]) == 1


_KNOWN_AT_START = """
import json, sys
import django
django.setup()
from django.core.management import call_command
from bianmin.core.management.commands import serve

known = []

class Consumer:
    def start(self): pass
    def stop(self, graceful=False): pass

def create_consumer(**kwargs):
    known.extend(serve.HUEY._registry._registry)
    return Consumer()

class Server:
    def __init__(self, config): pass
    def run(self): pass

serve.HUEY.create_consumer = create_consumer
serve.uvicorn.Server = Server
call_command("serve", "--port", "8124", stdout=sys.stderr)
print(json.dumps(sorted(known)))
"""


def test_the_task_worker_knows_every_apps_tasks_before_it_starts() -> None:
    """In a fresh process (nothing imported by other tests): when `serve` creates its consumer,
    the tasks of every app with a `tasks` module are registered — a task queued before a
    restart is not dropped as unknown, and every periodic task is scheduled."""
    import json
    import subprocess
    import sys
    from importlib.util import find_spec

    from django.apps import apps
    from django.conf import settings as django_settings

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": django_settings.SETTINGS_MODULE}
    done = subprocess.run(
        [sys.executable, "-c", _KNOWN_AT_START],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    known = json.loads(done.stdout.strip().splitlines()[-1])
    modules = [
        f"{config.name}.tasks"
        for config in apps.get_app_configs()
        if config.name.startswith("bianmin.") and find_spec(f"{config.name}.tasks")
    ]
    assert len(modules) >= 10
    missing = [m for m in modules if not any(name.startswith(f"{m}.") for name in known)]
    assert missing == []


def _run_app(scope_type: str, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        for message in messages:
            await send(message)

    async def receive() -> dict[str, Any]:
        return {}

    async def send(message: Any) -> None:
        sent.append(message)

    # In a thread of its own: a browser test may have left an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, WorkerHeader(app)({"type": scope_type}, receive, send)).result()
    return sent


def test_the_worker_header_names_the_process_on_responses_and_handshakes() -> None:
    pid = str(os.getpid()).encode()
    http = _run_app(
        "http",
        [
            {"type": "http.response.start", "status": 200, "headers": [(b"a", b"1")]},
            {"type": "http.response.body", "body": b"ok"},
        ],
    )
    assert http[0]["headers"] == [(b"a", b"1"), (WORKER_HEADER.encode(), pid)]
    assert "headers" not in http[1]
    ws = _run_app("websocket", [{"type": "websocket.accept"}, {"type": "websocket.send"}])
    assert ws[0]["headers"] == [(WORKER_HEADER.encode(), pid)]
    assert "headers" not in ws[1]
    lifespan = _run_app("lifespan", [{"type": "lifespan.startup.complete"}])
    assert lifespan == [{"type": "lifespan.startup.complete"}]
