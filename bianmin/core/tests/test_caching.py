import time_machine
from django.core.cache import cache
from django.db import transaction

from bianmin.core.caching import Generation


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
