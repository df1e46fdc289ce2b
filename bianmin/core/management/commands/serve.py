"""`make run`: web, websockets, task worker and scheduler in one process; `--workers N` for a
province: N uvicorn worker processes on one port, the task worker and scheduler in the
supervising process only (never N schedulers).

One process lets the embedded default use the in-memory channel layer: a call made by a task
reaches the calling display as surely as one made by a request. Several processes need what they
share outside themselves: the channel layer and the cache on Redis (`BIANMIN_REDIS_URL`); the
database is shared anyway. On more nodes, run `serve --workers N --no-worker` on web nodes and
`run_huey` on one worker node.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import uvicorn
from django.conf import settings
from django.core.checks import ERROR, Tags
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from huey.contrib.djhuey import HUEY
from uvicorn.supervisors import Multiprocess

from bianmin.core.public_urls import SERVED_AT_ENV

log = logging.getLogger("bianmin.serve")

APP = "config.asgi:application"
# Backends whose state lives in one process's memory: several workers would each have their own.
PROCESS_LOCAL_BACKENDS = {
    "channels.layers.InMemoryChannelLayer": "频道层（叫号推送）",
    "django.core.cache.backends.locmem.LocMemCache": "缓存（限流计数、排队位置、设置）",
    "django.core.cache.backends.dummy.DummyCache": "缓存（限流计数、排队位置、设置）",
}


def uvicorn_config(app: Any, *, host: str, port: int, workers: int = 1) -> uvicorn.Config:
    """uvicorn believes X-Forwarded-For/-Proto only from BIANMIN_TRUSTED_PROXIES (by default
    nobody, not even loopback: a local client could otherwise name any address)."""
    trusted = list(getattr(settings, "TRUSTED_PROXIES", []) or [])
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        workers=workers,
        lifespan="off",
        ws="websockets-sansio",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=5,
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or "",
    )


def process_local_state() -> list[str]:
    """What the current settings keep in one process's memory (empty: workers may be many)."""
    backends = [layer.get("BACKEND", "") for layer in settings.CHANNEL_LAYERS.values()]
    backends.append(settings.CACHES.get("default", {}).get("BACKEND", ""))
    found = [PROCESS_LOCAL_BACKENDS[b] for b in backends if b in PROCESS_LOCAL_BACKENDS]
    return list(dict.fromkeys(found))


class Command(BaseCommand):
    help = "Serve HTTP and websockets through uvicorn, with the Huey worker and scheduler."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("BIANMIN_WEB_WORKERS", "1") or 1),
            help="uvicorn worker processes on the port (needs Redis when more than one)",
        )
        parser.add_argument("--no-worker", action="store_true")

    def handle(self, *args: object, **options: Any) -> None:
        host, port, workers = str(options["host"]), int(options["port"]), int(options["workers"])
        if workers < 1:
            raise CommandError(_("--workers 至少为 1"))
        if workers > 1 and (local := process_local_state()):
            raise CommandError(
                _(
                    "--workers %(n)d 需要 Redis：请设置 BIANMIN_REDIS_URL。当前的%(what)s"
                    "只存在于单个进程的内存中，多个进程之间无法共享（叫号推送会到不了另一进程的"
                    "屏幕，限流和缓存会各算各的）。不设 Redis 时请用 --workers 1。"
                )
                % {"n": workers, "what": "、".join(local)}
            )
        os.environ.setdefault(SERVED_AT_ENV, f"http://{host}:{port}")
        # The database server's own settings (core.checks): a warning, never a refusal; a
        # database not up yet is waited for by the requests, as before.
        try:
            self.check(databases=["default"], tags=[Tags.database], fail_level=ERROR)
        except DatabaseError as exc:
            log.warning("database checks skipped: %s", exc)
        consumer = None
        if not options["no_worker"]:
            # Every app's tasks module is imported before the consumer starts, as huey's own
            # run_huey does: a task queued before a restart is known when it is dequeued (an
            # unknown one is dropped, "not found in TaskRegistry"), and every periodic task is
            # scheduled, also those of a module nothing else imports.
            autodiscover_modules("tasks")
            threads = settings.HUEY.get("consumer", {}).get("workers", 4)
            consumer = HUEY.create_consumer(workers=threads, worker_type="thread", periodic=True)
            consumer.start()
            self.stdout.write(f"task worker and scheduler running ({threads} threads)")
        config = uvicorn_config(APP, host=host, port=port, workers=workers)
        self.stdout.write(
            self.style.SUCCESS(
                _("便民服务中心已启动： http://%(host)s:%(port)s/  （%(n)d 个进程，Ctrl-C 停止）")
                % {"host": host, "port": port, "n": workers}
            )
        )
        try:
            if workers > 1:
                # The supervisor binds the port once; the spawned workers share it, each
                # importing APP afresh. It restarts a worker that dies.
                sock = config.bind_socket()
                try:
                    Multiprocess(config, sockets=[sock]).run()
                finally:
                    sock.close()
            else:
                uvicorn.Server(config).run()
        finally:
            if consumer is not None:
                consumer.stop(graceful=True)
            self.stdout.write("stopped")
