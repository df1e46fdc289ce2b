import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction

from bianmin.core import caching
from bianmin.core.caching import Generation, generations_read_together


def _shared(generation: Generation) -> object:
    """The generation every other transaction (and process) reads."""
    return cache.get(generation.key)


def test_a_generation_moves_at_commit_and_the_change_reads_its_own(
    db, django_capture_on_commit_callbacks
) -> None:
    generation = Generation("test:gen")
    first = generation.current()
    assert generation.current() == first == _shared(generation)
    with django_capture_on_commit_callbacks(execute=True):
        generation.bump()
        own = generation.current()
        assert own != first  # fresh values, kept apart
        assert generation.current() == own
        assert _shared(generation) == first  # nobody else sees an uncommitted change
        generation.bump()  # a second change: what was cached after the first is stale too
        assert generation.current() not in {own, first}
    assert generation.current() == first + 1 == _shared(generation)


def test_the_bump_at_commit_is_made_once_per_transaction(
    db, django_capture_on_commit_callbacks
) -> None:
    generation, other = Generation("test:gen"), Generation("test:other")
    first, other_first = generation.current(), other.current()
    with django_capture_on_commit_callbacks(execute=True) as pending:
        generation.bump()
        generation.bump()
        other.bump()
    assert len(pending) == 2  # one bump at commit per generation
    assert generation.current() == first + 1
    assert other.current() == other_first + 1


def test_a_bump_rolled_back_with_its_savepoint_is_registered_again(
    db, django_capture_on_commit_callbacks
) -> None:
    generation = Generation("test:gen")
    first = generation.current()
    with django_capture_on_commit_callbacks(execute=True) as pending:
        try:
            with transaction.atomic():
                generation.bump()
                raise RuntimeError("the savepoint rolls back")
        except RuntimeError:
            pass
        assert generation.current() == first  # the change is gone: the shared values hold
        generation.bump()
        assert generation.current() != first
    assert len(pending) == 1
    assert generation.current() == first + 1


def test_outside_a_transaction_a_bump_moves_the_generation_at_once(transactional_db) -> None:
    generation = Generation("test:gen")
    first = generation.current()
    generation.bump()
    assert generation.current() == first + 1 == _shared(generation)


def test_a_lost_generation_starts_where_no_earlier_one_was(db) -> None:
    """Evicted (or never set) under a clock that stands still, the key restarts elsewhere each
    time: values cached under an earlier generation are never read again."""
    generation = Generation("test:gen")
    seen = set()
    with time_machine.travel("2026-11-30 09:00 +0800", tick=False):
        for _ in range(5):
            cache.delete(generation.key)
            seen.add(generation.current())  # a read of the missing key starts one
            cache.delete(generation.key)
            generation._bump()  # so does a bump
            seen.add(generation.current())
    assert len(seen) == 10


@pytest.fixture
def read_together(monkeypatch) -> tuple[Generation, Generation]:
    monkeypatch.setattr(caching, "_READ_TOGETHER", [])
    return Generation("test:a", read_together=True), Generation("test:b", read_together=True)


def _cache_reads(monkeypatch) -> list[str]:
    reads: list[str] = []
    real_get_many, real_get_or_set = cache.get_many, cache.get_or_set

    def get_many(keys):
        reads.append("many")
        return real_get_many(keys)

    def get_or_set(key, *args, **kwargs):
        reads.append(key)
        return real_get_or_set(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get_many", get_many)
    monkeypatch.setattr(cache, "get_or_set", get_or_set)
    return reads


def test_a_request_reads_the_process_wide_generations_together_once(
    db, read_together, monkeypatch
) -> None:
    a, b = read_together
    first_a, first_b = a.current(), b.current()  # outside a request: one read each
    reads = _cache_reads(monkeypatch)
    with generations_read_together():
        assert (a.current(), b.current(), a.current()) == (first_a, first_b, first_a)
    assert reads == ["many"]  # both in one round trip, kept for the request
    reads.clear()
    assert a.current() == first_a
    assert reads == ["test:a"]  # after the request: read again


def test_a_generation_missing_from_the_cache_is_started_within_the_snapshot(
    db, read_together, monkeypatch
) -> None:
    a, _b = read_together
    cache.delete(a.key)
    reads = _cache_reads(monkeypatch)
    with generations_read_together():
        started = a.current()
        assert a.current() == started == _shared(a)
    assert reads == ["many", "test:a"]


def test_a_bump_the_request_commits_is_read_by_the_rest_of_the_request(
    transactional_db, read_together
) -> None:
    a, b = read_together
    with generations_read_together():
        first_a, first_b = a.current(), b.current()
        a.bump()  # autocommit: moved at once
        assert a.current() == first_a + 1 == _shared(a)
        assert b.current() == first_b  # the rest of the snapshot holds


def test_another_process_bump_is_seen_by_the_next_request_not_the_current_one(
    db, read_together
) -> None:
    a, _b = read_together
    with generations_read_together():
        first = a.current()
        cache.incr(a.key)  # another process's commit
        assert a.current() == first  # one request, one snapshot
    with generations_read_together():
        assert a.current() == first + 1


def test_a_bump_reads_a_key_and_hands_it_on_after_the_commit(
    db, django_capture_on_commit_callbacks
) -> None:
    generation = Generation("test:gen")
    first = generation.current()
    cache.set("test:mark", "followed")
    seen: list[object] = []
    with django_capture_on_commit_callbacks(execute=True) as pending:
        generation.bump(read="test:mark", then=seen.append)
        generation.bump(read="test:other", then=seen.append)  # the transaction's first is kept
        assert seen == []
    assert len(pending) == 1
    assert seen == ["followed"]
    assert generation.current() == first + 1
