"""The one thread-race helper: start N threads at the same instant (a barrier), each with its
own database connection, and collect what each returned or raised."""

import threading
from collections.abc import Callable
from typing import Any

from django.db import close_old_connections, connection


def run_concurrently(
    target: Callable[[int], Any], count: int, *, join_timeout: float = 300
) -> list[Any]:
    """`target(i)` in `count` threads released together; result i is its return value or the
    exception it raised. Each thread closes its own connection."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = target(i)
        except BaseException as exc:  # reported to the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=join_timeout)
    close_old_connections()
    return results


def errors_of(results: list[Any]) -> list[BaseException]:
    return [r for r in results if isinstance(r, BaseException)]
