"""Fixtures of the notifications tests: a pinned clock and the province director. (The seeded
templates, the clean outbox and the cases waiting for their certificate come from the root
conftest's plugins in tests/support/.)"""

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bianmin.core.permissions import Role

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def pinned() -> Iterator[Any]:
    """Thursday 2026-03-12, 10:00 in China (a working day, outside quiet hours)."""
    with time_machine.travel(at(2026, 3, 12), tick=False) as traveller:
        yield traveller


@pytest.fixture
def province_director(make_staff: Callable[..., Any]) -> Any:
    """The province-scope account (a director bound to no center, like the demo's province01):
    the only one that edits and approves the province-wide SMS templates."""
    staff = make_staff(Role.DIRECTOR, username="province01")
    staff.center = None
    staff.save(update_fields=["center"])
    return staff
