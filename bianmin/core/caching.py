"""Two ways the hot paths use the cache, written once.

* `KeptHere`: values this process keeps by a key that names ONE value for good (a versioned
  line, a guide list of one generation, a ticket's center), in front of the shared cache. A
  read that the process has already made costs a dict look-up, not a round trip to Redis or an
  unpickling from the local cache. Bounded: emptied when full, after which the shared cache
  answers again.
* `forget_now_and_at_commit`: drop a cached value when the data it was made from changes —
  now, and again when the changing transaction commits (a reader between the two would
  otherwise cache the value as it was before the commit).
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction


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
