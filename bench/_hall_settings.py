"""Settings for bench/hall_load's server: the embedded default (`make run`'s settings, with the
SQLite options intact) pointed at the benchmark database."""

import os

from config.settings.local import *  # noqa: F403
from config.settings.local import DATABASES

if os.environ.get("BIANMIN_BENCH_SQLITE"):
    DATABASES["default"]["NAME"] = os.environ["BIANMIN_BENCH_SQLITE"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"handlers": [], "level": "WARNING"},
}
# Behind the production proxy, the client's address comes from X-Forwarded-For, added by the
# proxy at 127.0.0.1; the bench's load generators play that proxy (bench/hall_load).
TRUSTED_PROXIES = ["127.0.0.1"]
NINJA_NUM_PROXIES = 1
