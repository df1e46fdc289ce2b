"""The served process's collector (`core.heap`): what the start-up loaded is frozen out of later
collections, the young generation is collected less often, and cycles are still freed."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import weakref
from pathlib import Path

from bianmin.core.heap import YOUNG_THRESHOLD, settle_for_serving

ROOT = Path(__file__).resolve().parents[3]


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def test_the_served_application_settles_its_heap_once_loaded() -> None:
    """A fresh interpreter that loads the ASGI application, as every `serve` worker does."""
    probe = (
        "import gc, json, config.asgi; "
        "print(json.dumps([gc.get_threshold()[0], gc.get_freeze_count()]))"
    )
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test")
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    threshold, frozen = json.loads(done.stdout.strip().splitlines()[-1])
    assert threshold == YOUNG_THRESHOLD
    assert frozen > 10_000  # Django's and the apps' modules, models and URL patterns


def test_after_settling_cycles_are_still_collected() -> None:
    before_threshold = gc.get_threshold()
    try:
        loaded = Node()
        settle_for_serving()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD
        assert not any(obj is loaded for obj in gc.get_objects())  # frozen: never scanned

        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle: reference counting alone cannot free it
        gone = weakref.ref(a)
        del a, b
        gc.collect()
        assert gone() is None
    finally:
        gc.unfreeze()
        gc.set_threshold(*before_threshold)
