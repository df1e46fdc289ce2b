"""One helper for thread races against the real database (SQLite file or PostgreSQL).

``run_concurrently(target, count)`` starts ``count`` threads that wait at a barrier, then call
``target(i)`` at the same moment, each on its own database connection (closed afterwards).
It returns, per thread, what ``target`` returned or the exception it raised. Use it with
``pytest.mark.django_db(transaction=True)`` so the threads see committed rows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import close_old_connections, connection


def run_concurrently(
    target: Callable[[int], Any], count: int, *, timeout: float = 120.0
) -> list[Any | BaseException]:
    barrier = threading.Barrier(count)
    results: list[Any | BaseException] = [None] * count

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=timeout)
            results[i] = target(i)
        except BaseException as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    close_old_connections()
    return results
