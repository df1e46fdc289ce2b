"""Fixtures of the lost-and-found tests: a pinned daytime clock, the SMS templates, a
collection point, a sanitation worker, a shift leader and a resident with a phone."""

from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache

from bianmin.core.permissions import Role
from bianmin.lost_found.tests.factories import CollectionPointFactory
from bianmin.people.idnumber import make_id_number
from bianmin.people.services import PersonInput, person_upsert

SHANGHAI = ZoneInfo("Asia/Shanghai")
OWNER_ID = make_id_number("610522", date(1990, 5, 17), 123)
OWNER_PHONE = "13912345678"
OWNER_NAME = "王秀英"


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def pinned() -> Iterator[Any]:
    """Monday 2026-11-30, 10:00 in China: a working day, outside SMS quiet hours."""
    with time_machine.travel(at(2026, 11, 30), tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _fresh_throttles() -> Iterator[None]:
    """The public throttles count in the cache: every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def point(center: Any) -> Any:
    return CollectionPointFactory.create(center=center)


@pytest.fixture
def sanitation(make_staff: Callable[..., Any]) -> Any:
    return make_staff(Role.SANITATION, username="sanitation01")


@pytest.fixture
def leader(make_staff: Callable[..., Any]) -> Any:
    return make_staff(Role.SHIFT_LEADER, username="leader01")


@pytest.fixture
def owner(center: Any, officer: Any) -> Any:
    person, _created = person_upsert(
        actor=officer,
        data=PersonInput(
            name=OWNER_NAME, id_number=OWNER_ID, gender="male", phone=OWNER_PHONE, address=""
        ),
        center=center,
    )
    return person
