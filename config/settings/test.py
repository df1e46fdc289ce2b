"""The test suite: same wiring as base, faster hashing, tasks run inline.

Several test runs may share one machine (developers, CI, helpers), so the SQLite test database
and the PostgreSQL test database carry a tag from `BIANMIN_TEST_TAG` (and the xdist worker).
"""

import os
from typing import Any

from .base import *  # noqa: F403
from .base import CACHES, CHANNEL_LAYERS, DATABASES, HUEY, VAR_DIR

_tag = "_".join(
    part
    for part in (os.environ.get("BIANMIN_TEST_TAG"), os.environ.get("PYTEST_XDIST_WORKER"))
    if part
)
_suffix = f"_{_tag}" if _tag else ""

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so that race tests can open real concurrent connections.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test{_suffix}.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_bianmin{_suffix}"}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The queue's name carries the tag too: a test that queues on Redis for the server it started
# (tests/test_scale_out.py) must not feed another run's consumer.
HUEY = {**HUEY, "immediate": True, "name": f"{HUEY['name']}{_suffix}"}
# The inline worker runs a task when it is queued, never one due later: the near-turn check runs
# at once (its delayed form has a test of its own).
HALL_NEAR_CHECK_DELAY_SECONDS = 0.0
SMS_OUTBOX = str(VAR_DIR / f"test-sms-outbox{_suffix}.jsonl")
LOGGING = {"version": 1, "disable_existing_loggers": False}
# No face-model loading in the background when a test imports config.asgi (the live server).
FACE_ENGINE_WARM_UP = False

if "pool" in DATABASES["default"].get("OPTIONS", {}):
    # Race tests run 20+ threads at once, each holding a connection (two xdist workers fit
    # within PostgreSQL's default max_connections of 100).
    DATABASES["default"]["OPTIONS"]["pool"] = {"min_size": 1, "max_size": 40, "timeout": 30}

if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    # Parallel test processes share one Redis server, and `cache.clear()` empties a whole
    # database: give each xdist worker a database of its own (gw0 → the configured one, gw1 → +1).
    _worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    _base, _, _db = CACHES["default"]["LOCATION"].rpartition("/")
    _db_number = (int(_db) if _db.isdigit() else 0) + _worker
    CACHES["default"]["LOCATION"] = f"{_base}/{_db_number % 16}"

if os.environ.get("BIANMIN_TEST_SERVED_TASKS"):
    # A server started by a test of `serve --workers N` with its task worker: tasks queue on
    # Redis (not inline), and a probe task counts its runs (tests/support/probe).
    HUEY = {**HUEY, "immediate": False}
    INSTALLED_APPS = [*INSTALLED_APPS, "tests.support.probe"]  # noqa: F405

if str(CHANNEL_LAYERS["default"]["BACKEND"]).startswith("channels_redis"):
    # Servers started by parallel test runs share one Redis. The channel layers (the default
    # one and the hall's live line) and the task queue live in the worker's own database, as
    # the cache does (another worker's `cache.clear()` would otherwise empty them under a
    # running test), and the groups (hall_display_<center id>, ids every test database
    # reuses) carry the tag.
    def _tagged(alias: str, layer: dict[str, Any]) -> dict[str, Any]:
        config = {**layer.get("CONFIG", {}), "hosts": [CACHES["default"]["LOCATION"]]}
        config["prefix"] = f"asgi{_suffix}_{alias}"
        return {**layer, "CONFIG": config}

    CHANNEL_LAYERS = {alias: _tagged(alias, layer) for alias, layer in CHANNEL_LAYERS.items()}
    if "url" in HUEY:
        HUEY = {**HUEY, "url": CACHES["default"]["LOCATION"]}
