"""`make run`: web, websockets, task worker and scheduler in one process.

One process lets the embedded default use the in-memory channel layer: a call made by a task
reaches the calling display as surely as one made by a request. With Redis configured, run
`serve --no-worker` on web nodes and `run_huey` on worker nodes instead.
"""

import logging
import os
from typing import Any

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from huey.contrib.djhuey import HUEY

from bianmin.core.public_urls import SERVED_AT_ENV

log = logging.getLogger("bianmin.serve")


def uvicorn_config(app: Any, *, host: str, port: int) -> uvicorn.Config:
    """uvicorn believes X-Forwarded-For/-Proto only from BIANMIN_TRUSTED_PROXIES (by default
    nobody, not even loopback: a local client could otherwise name any address)."""
    trusted = list(getattr(settings, "TRUSTED_PROXIES", []) or [])
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        lifespan="off",
        ws="websockets-sansio",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=5,
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or "",
    )


class Command(BaseCommand):
    help = "Serve HTTP and websockets through uvicorn, with the Huey worker and scheduler."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-worker", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        os.environ.setdefault(SERVED_AT_ENV, f"http://{options['host']}:{options['port']}")
        consumer = None
        if not options["no_worker"]:
            workers = settings.HUEY.get("consumer", {}).get("workers", 4)
            consumer = HUEY.create_consumer(workers=workers, worker_type="thread", periodic=True)
            consumer.start()
            self.stdout.write(f"task worker and scheduler running ({workers} threads)")
        config = uvicorn_config(
            "config.asgi:application",
            host=str(options["host"]),
            port=int(options["port"]),  # type: ignore[call-overload]
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"便民服务中心已启动： http://{options['host']}:{options['port']}/  （Ctrl-C 停止）"
            )
        )
        try:
            uvicorn.Server(config).run()
        finally:
            if consumer is not None:
                consumer.stop(graceful=True)
            self.stdout.write("stopped")
