"""The end of a transactional test, made safe from the servers it started (a pytest plugin the
root conftest loads).

Such a test ends by emptying every table (TRUNCATE on PostgreSQL). A request the live server or
a served product is still answering — the browser page was closed, the server was not — holds
row locks: the TRUNCATE then deadlocks with it (seen twice in CI, the second time a page's last
read writing its audit entry after the check below had found every session idle), or the
request writes after the flush and its row leaks into the next test. So, before the flush:

- wait until this process's servers answer no request (counted by Django's request signals,
  the test client's own requests left out: they end before the test does) and every other
  session on the test database is idle — for a short quiet spell when the test's servers
  answered anything, since a request the browser sent just before it closed may not have
  reached the server yet; a session still busy after 10 s is ended;
- and should a deadlock still pick the flush as its victim, the flush runs again once the other
  transaction is over (it was rolled back whole, so running it again is safe)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

QUIET_SECONDS = 0.3
PATIENCE_SECONDS = 10.0
FLUSH_ATTEMPTS = 5
DEADLOCK_DETECTED = "40P01"

_BUSY_SESSIONS = (
    "FROM pg_stat_activity WHERE datname = current_database()"
    " AND pid <> pg_backend_pid() AND state IS NOT NULL AND state <> 'idle'"
)


class _InFlight:
    """Requests this process's servers (live server threads, an in-process ASGI app) are
    answering right now."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0
        self.seen = 0  # requests ever started: a test that served none needs no quiet spell

    def started(self, sender: Any, **_kwargs: Any) -> None:
        if not _from_test_client(sender):
            with self._lock:
                self.count += 1
                self.seen += 1

    def finished(self, sender: Any, **_kwargs: Any) -> None:
        if not _from_test_client(sender):
            with self._lock:
                self.count = max(0, self.count - 1)


def _from_test_client(sender: Any) -> bool:
    from django.test.client import AsyncClientHandler, ClientHandler

    return isinstance(sender, type) and issubclass(sender, ClientHandler | AsyncClientHandler)


IN_FLIGHT = _InFlight()


def pytest_configure(config: pytest.Config) -> None:
    from django.core.signals import request_finished, request_started

    request_started.connect(IN_FLIGHT.started, weak=False, dispatch_uid="quiet_flush_started")
    request_finished.connect(IN_FLIGHT.finished, weak=False, dispatch_uid="quiet_flush_finished")
    _flush_runs_again_after_a_deadlock()


def _flush_runs_again_after_a_deadlock() -> None:
    from django.db.backends.postgresql.operations import DatabaseOperations

    if not getattr(DatabaseOperations.execute_sql_flush, "runs_again_after_a_deadlock", False):
        DatabaseOperations.execute_sql_flush = runs_again_after_a_deadlock(  # type: ignore[method-assign]
            DatabaseOperations.execute_sql_flush
        )


def runs_again_after_a_deadlock(flush: Callable[..., Any]) -> Callable[..., Any]:
    """`flush`, run again (a few times, a little later each) when PostgreSQL ended it as a
    deadlock's victim; any other error passes through."""
    from django.db import OperationalError

    def execute_sql_flush(self: Any, sql_list: list[str]) -> Any:
        for attempt in range(1, FLUSH_ATTEMPTS + 1):
            try:
                return flush(self, sql_list)
            except OperationalError as error:
                cause = error.__cause__
                if attempt == FLUSH_ATTEMPTS or getattr(cause, "sqlstate", "") != DEADLOCK_DETECTED:
                    raise
                time.sleep(0.2 * attempt)
        return None

    execute_sql_flush.runs_again_after_a_deadlock = True  # type: ignore[attr-defined]
    return execute_sql_flush


def _quiet(connection: Any) -> bool:
    if IN_FLIGHT.count:
        return False
    if connection.vendor != "postgresql":
        return True  # SQLite's flush deletes rows and waits on its busy timeout like any writer
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) {_BUSY_SESSIONS}")
        return not cursor.fetchone()[0]


@pytest.fixture(autouse=True)
def _servers_idle_before_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and marker.kwargs.get("transaction")
    if transactional:
        request.getfixturevalue("_django_db_helper")  # set up first, so flushed after this
    served_before = IN_FLIGHT.seen
    yield
    if not transactional:
        return
    from django.db import connection

    spell = QUIET_SECONDS if IN_FLIGHT.seen != served_before else 0.0
    deadline = time.monotonic() + PATIENCE_SECONDS
    quiet_since: float | None = None
    while time.monotonic() < deadline:
        if not _quiet(connection):
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
            if not spell:
                return
        elif time.monotonic() - quiet_since >= spell:
            return
        time.sleep(0.05)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT pg_terminate_backend(pid) {_BUSY_SESSIONS}")
