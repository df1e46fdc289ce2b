"""cache_hit: one fixed-window counter per key, restarted when the window has expired."""

from unittest import mock

import pytest
from django.core.cache import cache

from bianmin.core.ratelimit import cache_hit


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def test_hits_count_up_per_key() -> None:
    assert [cache_hit("a", 60) for _ in range(3)] == [1, 2, 3]
    assert cache_hit("b", 60) == 1


def test_a_key_that_expires_between_add_and_incr_starts_again_at_one() -> None:
    with mock.patch.object(cache, "incr", side_effect=ValueError):
        assert cache_hit("gone", 60) == 1
    assert cache.get("gone") == 1
