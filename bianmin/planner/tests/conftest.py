"""Fixtures of the planner tests: a pinned working-day clock and a hall with a month of demo
history (twenty all-round officers, twelve windows, the reference catalogue)."""

import random
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache

from bianmin.core.permissions import Role
from bianmin.hall.demo import hall_demo_history

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def pinned() -> Iterator[Any]:
    """Monday 2026-11-30, 10:00 in China: a working day."""
    with time_machine.travel(datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI), tick=False) as t:
        yield t


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def officers(make_staff: Any) -> list[Any]:
    return [make_staff(Role.OFFICER, username=f"officer{i:02d}") for i in range(1, 21)]


@pytest.fixture
def hall_history(pinned: Any, catalogue: None, center: Any, windows: Any, officers: Any) -> int:
    """Twenty-two past days of the hall's ticket life, as `make run` loads them."""
    return hall_demo_history(center=center, rng=random.Random(16), days=22)
