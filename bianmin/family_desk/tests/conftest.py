import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client

from bianmin.core.permissions import Role
from bianmin.family_desk.sessions import FAMILY_SESSION_KEY
from bianmin.family_desk.tests.factories import FamilyMemberFactory, ProcedureFactory

# A Tuesday morning in Asia/Shanghai: outside the SMS quiet hours, a working day.
DAYTIME = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    """The sign-in throttle counts per client address in the cache: every test starts clean."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def daytime() -> Any:
    with time_machine.travel(DAYTIME, tick=True) as traveller:
        yield traveller


@pytest.fixture
def desk(make_staff: Callable[..., Any]) -> Any:
    return make_staff(Role.DESK_OFFICER, username="desk01")


@pytest.fixture
def procedure(center: Any) -> Any:
    return ProcedureFactory(center=center, name="购房提取住房公积金", time_limit_workdays=3)


@pytest.fixture
def member(officer: Any) -> Any:
    return FamilyMemberFactory(officer=officer, phone="13900001111")


@pytest.fixture
def family_client_for() -> Callable[[Any], Client]:
    """A phone-page client already signed in as `member` (the SMS step is tested on its own)."""

    def make(member: Any) -> Client:
        client = Client()
        session = client.session
        session[FAMILY_SESSION_KEY] = {"id": member.pk, "center": member.center_id}
        session.save()
        return client

    return make
