"""The served process's collector (`core.heap`): what the start-up loaded is frozen out of later
collections, the young generation is collected less often, and cycles are still freed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bianmin.core.heap import YOUNG_THRESHOLD

ROOT = Path(__file__).resolve().parents[3]


def _fresh(probe: str, **env: str) -> list[int]:
    """What `probe` prints (a JSON list) in a fresh interpreter: freezing and thresholds are
    the whole process's, so they are tested where nothing else runs."""
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=dict(os.environ, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found: list[int] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_the_served_application_settles_its_heap_once_loaded() -> None:
    """A fresh interpreter that loads the ASGI application, as every `serve` worker does."""
    threshold, frozen = _fresh(
        "import gc, json, config.asgi; "
        "print(json.dumps([gc.get_threshold()[0], gc.get_freeze_count()]))",
        DJANGO_SETTINGS_MODULE="config.settings.test",
    )
    assert threshold == YOUNG_THRESHOLD
    assert frozen > 10_000  # Django's and the apps' modules, models and URL patterns


SETTLE_THEN_CYCLE = """
import gc, json, weakref
from bianmin.core.heap import settle_for_serving

class Node:
    other = None

loaded = Node()
settle_for_serving()
scanned = any(obj is loaded for obj in gc.get_objects())
a, b = Node(), Node()
a.other, b.other = b, a  # a cycle: reference counting alone cannot free it
gone = weakref.ref(a)
del a, b
gc.collect()
print(json.dumps([int(scanned), int(gone() is None), gc.get_threshold()[0]]))
"""


def test_what_was_loaded_is_frozen_and_later_cycles_are_still_collected() -> None:
    scanned, freed, threshold = _fresh(SETTLE_THEN_CYCLE)
    assert not scanned  # frozen before the call returned: never scanned again
    assert freed
    assert threshold == YOUNG_THRESHOLD
