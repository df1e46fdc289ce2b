import time_machine
from django.core.cache import cache

from bianmin.core.caching import Generation


def test_a_generation_moves_now_and_again_at_commit(db, django_capture_on_commit_callbacks) -> None:
    generation = Generation("test:gen")
    first = generation.current()
    assert generation.current() == first
    with django_capture_on_commit_callbacks(execute=True):
        generation.bump()
        assert generation.current() == first + 1  # now: this transaction reads fresh values
    assert generation.current() == first + 2  # at commit: a reader in between read stale ones


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
