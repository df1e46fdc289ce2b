"""Hall fixtures: an open hall on a pinned working morning, and a ticket helper."""

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bianmin.hall.enums import IssueChannel
from bianmin.hall.models import Ticket
from bianmin.hall.services import ticket_issue

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Tuesday, mid-morning: the hall is open (08:30–17:30).
MORNING = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def ticking_clock() -> Iterator[Any]:
    with time_machine.travel(MORNING, tick=True) as traveller:
        yield traveller


@pytest.fixture
def hall(center: Any, windows: Any, catalogue: Any) -> Any:
    return center


@pytest.fixture
def guide(make_staff: Any) -> Any:
    """The guide desk: what it sets for a citizen counts at once."""
    from bianmin.core.permissions import Role

    return make_staff(Role.GUIDE)


@pytest.fixture
def issue(hall: Any) -> Callable[..., Ticket]:
    def make(code: str = "HZ02", **kwargs: Any) -> Ticket:
        codes = kwargs.pop("codes", [code])
        kwargs.setdefault("channel", IssueChannel.KIOSK)
        return ticket_issue(
            actor=kwargs.pop("actor", None), center=hall, item_codes=codes, **kwargs
        )

    return make


@pytest.fixture
def busy_hall(issue: Any, clock: Any, make_staff: Any) -> dict[str, Any]:
    """Center A at work: its officer at W01 parked the first ticket and serves the second; a
    third waits with a priority class to confirm. For the cross-center tests."""
    from bianmin.core.permissions import Role
    from bianmin.hall.services import ticket_call_next, ticket_park, window_sign_in

    officer = make_staff(Role.OFFICER)
    parked = issue("HZ02")
    clock.shift(60)
    called = issue("HZ02")
    clock.shift(60)
    waiting = issue("JG01", priority="disabled")
    window_sign_in(actor=officer, window_code="W01")
    assert ticket_call_next(actor=officer, window_code="W01").pk == parked.pk
    ticket_park(actor=officer, ticket_id=parked.pk)
    assert ticket_call_next(actor=officer, window_code="W01").pk == called.pk
    return {"officer": officer, "parked": parked, "called": called, "waiting": waiting}


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Throttle counters and cached medians live in the cache (Redis in the PostgreSQL run)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
