"""The end of a transactional test waits for the live server's requests and survives a
deadlock with one (tests/support/quiet_flush.py): CI once failed on a TRUNCATE that a page's
last request deadlocked."""

import time
import urllib.request

import psycopg.errors
import pytest
from django.db import OperationalError
from django.test import Client

from tests.support.quiet_flush import IN_FLIGHT, runs_again_after_a_deadlock


@pytest.mark.django_db(transaction=True)
def test_the_live_servers_requests_are_counted_and_the_test_clients_are_not(live_server):
    before = IN_FLIGHT.seen
    assert Client().get("/healthz").status_code == 200
    assert IN_FLIGHT.seen == before
    with urllib.request.urlopen(f"{live_server.url}/healthz", timeout=10) as answer:
        assert answer.status == 200
        answer.read()
    assert IN_FLIGHT.seen == before + 1
    deadline = time.monotonic() + 5
    while IN_FLIGHT.count and time.monotonic() < deadline:  # finished once the server closes it
        time.sleep(0.01)
    assert IN_FLIGHT.count == 0


def _failing(*causes: Exception):
    calls: list[list[str]] = []

    def flush(_operations, sql_list):
        calls.append(sql_list)
        if len(calls) <= len(causes):
            raise OperationalError("flush failed") from causes[len(calls) - 1]
        return "flushed"

    return flush, calls


def test_a_flush_picked_as_a_deadlocks_victim_runs_again():
    flush, calls = _failing(psycopg.errors.DeadlockDetected())
    assert runs_again_after_a_deadlock(flush)(None, ["TRUNCATE t"]) == "flushed"
    assert calls == [["TRUNCATE t"], ["TRUNCATE t"]]


def test_a_flush_failing_otherwise_is_not_run_again():
    flush, calls = _failing(psycopg.errors.UndefinedTable())
    with pytest.raises(OperationalError):
        runs_again_after_a_deadlock(flush)(None, ["TRUNCATE t"])
    assert len(calls) == 1


def test_a_flush_gives_up_after_a_few_deadlocks(monkeypatch):
    monkeypatch.setattr(time, "sleep", lambda _seconds: None)
    flush, calls = _failing(*(psycopg.errors.DeadlockDetected() for _ in range(10)))
    with pytest.raises(OperationalError):
        runs_again_after_a_deadlock(flush)(None, ["TRUNCATE t"])
    assert len(calls) == 5
