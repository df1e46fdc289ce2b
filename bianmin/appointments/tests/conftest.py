"""Fixtures of the appointments tests: a pinned working-day clock, the reference catalogue,
the SMS templates (seeded by migration), a resident and API helpers."""

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache

from bianmin.people.idnumber import make_id_number

SHANGHAI = ZoneInfo("Asia/Shanghai")
ID = make_id_number("610522", date(1990, 5, 17), 123)
OTHER_ID = make_id_number("610522", date(1985, 2, 3), 77)
PHONE = "13912345678"


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def pinned() -> Iterator[Any]:
    """Monday 2026-11-30, 10:00 in China: a working day, outside SMS quiet hours."""
    with time_machine.travel(at(2026, 11, 30), tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def hall(center: Any, catalogue: Any, windows: Any, templates: Any) -> Any:
    return center


def booking_payload(**overrides: Any) -> dict[str, Any]:
    payload = {
        "center": "TG",
        "item_code": "HZ02",
        "date": "2026-12-01",
        "start": "09:00",
        "name": "王秀英",
        "id_number": ID,
        "phone": PHONE,
    }
    payload.update(overrides)
    return payload
