"""Three ways the hot paths use the cache, written once.

* `KeptHere`: values this process keeps by a key that names ONE value for good (a versioned
  line, a guide list of one generation, a ticket's center), in front of the shared cache. A
  read that the process has already made costs a dict look-up, not a round trip to Redis or an
  unpickling from the local cache. Bounded: emptied when full, after which the shared cache
  answers again.
* `Generation`: a number in the shared cache that names the current version of a family of
  cached values (token look-ups, guide lists and items, centers' hours, one center's line); the
  values are kept under keys that carry it, and a change makes them all stale when it commits
  (its own transaction reads under a private generation until then).
* `forget_now_and_at_commit`: drop a cached value when the data it was made from changes —
  now, and again when the changing transaction commits (a reader between the two would
  otherwise cache the value as it was before the commit).
"""

from __future__ import annotations

import secrets

from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.db import transaction

from bianmin.core.redis_cache import RedisCache


class KeptHere[V]:
    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._values: dict[str, V] = {}

    def get(self, key: str) -> V | None:
        """The value kept here, else the shared cache's (then kept here too), else None."""
        value = self._values.get(key)
        if value is None:
            value = cache.get(key)
            if value is not None:
                self.keep(key, value)
        return value

    def keep(self, key: str, value: V) -> None:
        """Keep `value` here only (the caller has put it in the shared cache if it should be)."""
        if len(self._values) >= self.max_entries:
            self._values.clear()
        self._values[key] = value

    def holds(self, key: str, value: V) -> bool:
        return self._values.get(key) == value


def forget_now_and_at_commit(key: str) -> None:
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


class Generation:
    def __init__(self, key: str) -> None:
        self.key = key

    def current(self) -> int:
        """The family's generation; inside a transaction that has changed the family, one of
        that transaction's own (see `bump`)."""
        pending = _pending_bump(self.key)
        if pending is not None:
            return pending.private
        value = cache.get_or_set(self.key, _unused_generation, None)
        assert isinstance(value, int)
        return value

    def bump(self) -> None:
        """Every value of the family is stale once the change commits: the shared generation
        moves at commit (at once in autocommit), once per transaction however many changes it
        makes. A reader elsewhere that read the old generation before the commit keeps its
        values under it, where nobody looks again.

        Until the commit, the changing transaction reads and caches under a private generation
        of its own, renewed at each change: it sees its own changes, and what it computes from
        them (uncommitted, perhaps rolled back) is never read by anyone else. A savepoint rolled
        back drops its pending bump with it, and the next change registers again."""
        pending = _pending_bump(self.key)
        if pending is None:
            transaction.on_commit(_BumpAtCommit(self.key))
        else:
            pending.private = _unused_generation()

    def _bump(self) -> None:
        backend = caches[DEFAULT_CACHE_ALIAS]
        if isinstance(backend, RedisCache):  # one round trip instead of EXISTS + INCR
            backend.incr_or_start(self.key, _unused_generation())
            return
        try:
            cache.incr(self.key)
        except ValueError:  # the key is missing
            cache.set(self.key, _unused_generation(), None)


class _BumpAtCommit:
    """A generation's bump at commit, recognisable among the transaction's pending callbacks,
    with the generation the transaction reads under until then."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.private = _unused_generation()
        self.made = False

    def __call__(self) -> None:
        Generation(self.key)._bump()
        self.made = True


def _pending_bump(key: str) -> _BumpAtCommit | None:
    """The bump of `key` the current transaction will make at commit, if it has changed it."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return None
    for _savepoints, pending, _robust in connection.run_on_commit:
        if isinstance(pending, _BumpAtCommit) and pending.key == key and not pending.made:
            return pending
    return None


def _unused_generation() -> int:
    """A start never used before, for a missing key (first use, or culled or evicted by the
    cache): starting again from 1 could revive values cached under an old generation. Random,
    not the clock: a test's frozen clock (or a clock set back) would give the same start twice."""
    return secrets.randbits(62)
