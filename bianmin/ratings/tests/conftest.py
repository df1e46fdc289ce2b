"""Ratings fixtures: an open hall on a pinned working morning, a finished visit at W01 (through
the hall's real services, so the ratings subscriber records it), and helpers."""

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bianmin.core.permissions import Role
from bianmin.hall.enums import IssueChannel
from bianmin.hall.selectors import session_current
from bianmin.hall.services import ticket_call_next, ticket_finish, ticket_issue, window_sign_in
from bianmin.ratings.enums import EventKind
from bianmin.ratings.models import ServiceEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Tuesday, mid-morning: a working day, outside the SMS quiet hours.
MORNING = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Throttle counters live in the cache: every test starts clean."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(MORNING, tick=True) as traveller:
        yield traveller


@pytest.fixture
def rating_templates(templates: Any) -> None:
    """The ratings templates the 0002 migration seeds (a transactional test's flush elsewhere
    in the run removes migration data, so they are put back here when missing)."""
    from django.utils import timezone

    from bianmin.notifications.models import SmsTemplate
    from bianmin.notifications.pipeline import placeholders
    from bianmin.ratings.wording import TEMPLATES

    for code, name, body, purpose in TEMPLATES:
        SmsTemplate.objects.get_or_create(
            code=code,
            version=1,
            defaults={
                "name": name,
                "purpose": purpose,
                "body": body,
                "variables": placeholders(body),
                "max_segments": 2,
                "status": "approved",
                "approved_at": timezone.now(),
            },
        )


@pytest.fixture
def hall(center: Any, windows: Any, catalogue: Any, rating_templates: Any) -> Any:
    return center


@pytest.fixture
def leader(make_staff: Callable[..., Any]) -> Any:
    return make_staff(Role.SHIFT_LEADER, username="leader01")


@pytest.fixture
def finish_visit(hall: Any) -> Callable[..., ServiceEvent]:
    """A citizen served and finished at `window` by `officer`: the hall publishes
    TicketFinished; returns the service event ratings recorded."""

    def make(officer: Any, *, window: str = "W01", phone: str = "", code: str = "HZ02") -> Any:
        ticket = ticket_issue(
            actor=None,
            center=hall,
            item_codes=[code],
            channel=IssueChannel.KIOSK,
            phone=phone,
        )
        if session_current(officer_id=officer.pk, center_id=officer.center_id) is None:
            window_sign_in(actor=officer, window_code=window)
        called = ticket_call_next(actor=officer, window_code=window)
        assert called is not None
        assert called.pk == ticket.pk
        ticket_finish(actor=officer, ticket_id=ticket.pk)
        return ServiceEvent.objects.get(kind=EventKind.TICKET, reference=ticket.pk)

    return make


@pytest.fixture
def visit(clock: Any, officer: Any, finish_visit: Callable[..., Any]) -> Any:
    return finish_visit(officer)
