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
  The process-wide generations (tokens, hours, guide, hall settings) are read **together**:
  inside `generations_read_together()` (one per request, `core.middleware`), the first of them
  a request needs fetches all of them in one `MGET`, and the request keeps that snapshot — one
  round trip instead of one per family. A bump the request itself commits drops its family
  from the snapshot, so the request then reads the new generation.
* `forget_now_and_at_commit`: drop a cached value when the data it was made from changes —
  now, and again when the changing transaction commits (a reader between the two would
  otherwise cache the value as it was before the commit).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any

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


# The keys of the process-wide generations, read together (see the module's docstring).
_READ_TOGETHER: list[str] = []


class _Snapshot:
    __slots__ = ("read", "values")

    def __init__(self) -> None:
        self.values: dict[str, int] = {}
        self.read = False


_snapshot: ContextVar[_Snapshot | None] = ContextVar("bianmin_generations", default=None)


def snapshot_begin() -> Token[_Snapshot | None]:
    """From here (a request's start) the process-wide generations are read once, together;
    `snapshot_end` with the token this returns ends it."""
    return _snapshot.set(_Snapshot())


def snapshot_end(token: Token[_Snapshot | None]) -> None:
    _snapshot.reset(token)


@contextmanager
def generations_read_together() -> Iterator[None]:
    """`snapshot_begin` … `snapshot_end` around a block."""
    token = snapshot_begin()
    try:
        yield
    finally:
        snapshot_end(token)


class Generation:
    def __init__(self, key: str, *, read_together: bool = False) -> None:
        """`read_together`: a process-wide family (one key for every center), made once at
        import; its generation comes with the others' in one round trip per request."""
        self.key = key
        if read_together and key not in _READ_TOGETHER:
            _READ_TOGETHER.append(key)

    def current(self) -> int:
        """The family's generation; inside a transaction that has changed the family, one of
        that transaction's own (see `bump`)."""
        pending = _pending_bump(self.key)
        if pending is not None:
            return pending.private
        snapshot = _snapshot.get()
        if snapshot is None or self.key not in _READ_TOGETHER:
            return self._read()
        if not snapshot.read:
            snapshot.read = True
            snapshot.values.update(cache.get_many(_READ_TOGETHER))
        value = snapshot.values.get(self.key)
        if value is None:  # missing in the cache (first use, evicted), or bumped since
            value = snapshot.values[self.key] = self._read()
        return value

    def _read(self) -> int:
        value = cache.get_or_set(self.key, _unused_generation, None)
        assert isinstance(value, int)
        return value

    def bump(self, *, read: str | None = None, then: Callable[[Any], None] | None = None) -> None:
        """Every value of the family is stale once the change commits: the shared generation
        moves at commit (at once in autocommit), once per transaction however many changes it
        makes. A reader elsewhere that read the old generation before the commit keeps its
        values under it, where nobody looks again.

        Until the commit, the changing transaction reads and caches under a private generation
        of its own, renewed at each change: it sees its own changes, and what it computes from
        them (uncommitted, perhaps rolled back) is never read by anyone else. A savepoint rolled
        back drops its pending bump with it, and the next change registers again.

        `then`: called after the bump with the value at the cache key `read` (None when
        missing), read in the bump's own round trip — what a change does next once it is
        visible (the hall pushes its line if anybody follows it). Once per transaction, like the
        bump: a later bump of the family in the same transaction keeps the first one's."""
        pending = _pending_bump(self.key)
        if pending is None:
            transaction.on_commit(_BumpAtCommit(self.key, read, then))
        else:
            pending.private = _unused_generation()

    def _bump(self, read: str | None = None) -> Any:
        """Move the shared generation; the value at `read`, read in the same round trip."""
        snapshot = _snapshot.get()
        if snapshot is not None:  # this request reads the new generation from now on
            snapshot.values.pop(self.key, None)
        backend = caches[DEFAULT_CACHE_ALIAS]
        if isinstance(backend, RedisCache):  # one round trip instead of EXISTS + INCR (+ GET)
            _value, found = backend.incr_or_start_and_get(self.key, _unused_generation(), read)
            return found
        try:
            cache.incr(self.key)
        except ValueError:  # the key is missing
            cache.set(self.key, _unused_generation(), None)
        return None if read is None else cache.get(read)


class _BumpAtCommit:
    """A generation's bump at commit, recognisable among the transaction's pending callbacks,
    with the generation the transaction reads under until then."""

    def __init__(
        self, key: str, read: str | None = None, then: Callable[[Any], None] | None = None
    ) -> None:
        self.key = key
        self.read = read
        self.then = then
        self.private = _unused_generation()
        self.made = False

    def __call__(self) -> None:
        found = Generation(self.key)._bump(self.read)
        self.made = True
        if self.then is not None:
            self.then(found)


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
