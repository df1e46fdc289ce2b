"""The test suite: same wiring as base, faster hashing, tasks run inline.

Several test runs may share one machine (developers, CI, helpers), so the SQLite test database
and the PostgreSQL test database carry a tag from `BIANMIN_TEST_TAG` (and the xdist worker).
"""

import os

from .base import *  # noqa: F403
from .base import CACHES, DATABASES, HUEY, VAR_DIR

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
HUEY = {**HUEY, "immediate": True}
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
