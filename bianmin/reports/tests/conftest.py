"""A center with a known Monday (2026-04-20) and the Monday a week before (2026-04-13)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
import time_machine

from bianmin.cases.models import Case, MissingNotice
from bianmin.core.permissions import Role
from bianmin.family_desk.models import DeskRequest
from bianmin.lost_found.tests.factories import FoundItemFactory
from bianmin.notifications.enums import MessageStatus
from bianmin.notifications.tests.factories import MessageFactory
from bianmin.people.idnumber import make_id_number
from bianmin.reports.tests.factories import at, payment, ticket, window_session
from tests.support.case_builders import applicant

TUESDAY = date(2026, 4, 21)  # a working day; its briefing covers Monday 2026-04-20
MONDAY = date(2026, 4, 20)
LAST_MONDAY = date(2026, 4, 13)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """The big screen caches the day's forecast per center; ids repeat from test to test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def on_tuesday() -> Iterator[None]:
    with time_machine.travel(at(TUESDAY, 9), tick=False):
        yield


@pytest.fixture
def leader(make_staff: Callable[..., Any]) -> Any:
    return make_staff(Role.SHIFT_LEADER, username="leader01")


@pytest.fixture
def history(
    on_tuesday: None,
    center: Any,
    catalogue: None,
    windows: list[Any],
    officer: Any,
    make_staff: Callable[..., Any],
    accepted_case: Callable[..., Any],
    templates: None,
) -> dict[str, Any]:
    """Monday: 5 tickets (3 户政, 2 交管), one no-show, waits 1/2/3/10 minutes, 2 officers
    at windows; a week before: 2 tickets, wait 4 minutes, 1 officer. Cases, fees, SMS, lost
    and found and desk requests on both days."""
    second = make_staff(Role.OFFICER, username="officer02")
    for wait in (60, 120, 180, 600):
        ticket(
            center, day=MONDAY, wait_seconds=wait, category="household" if wait < 600 else "traffic"
        )
    ticket(center, day=MONDAY, category="traffic", status="no_show")
    ticket(center, day=LAST_MONDAY, wait_seconds=240)
    ticket(center, day=LAST_MONDAY, category="traffic", status="cancelled")
    ticket(center, day=TUESDAY, wait_seconds=30, hour=8)  # today: outside both periods
    window_session(center, window=windows[0], officer=officer, day=MONDAY)
    window_session(center, window=windows[1], officer=second, day=MONDAY)
    window_session(center, window=windows[0], officer=officer, day=LAST_MONDAY)

    cases = [
        accepted_case(
            who=applicant(id_number=make_id_number("610522", date(1980, 1, 1 + n), 101 + 2 * n))
        )
        for n in range(4)
    ]
    Case.objects.filter(pk=cases[0].pk).update(accepted_at=at(MONDAY, 10))
    Case.objects.filter(pk=cases[1].pk).update(
        accepted_at=at(MONDAY, 11), accepted_with_gaps=True, gaps_open=True
    )
    Case.objects.filter(pk=cases[2].pk).update(
        accepted_at=at(LAST_MONDAY, 10), closed_at=at(MONDAY, 15), status="closed"
    )
    Case.objects.filter(pk=cases[3].pk).update(
        accepted_at=at(date(2026, 3, 2), 10), overdue_at=at(MONDAY, 1)
    )
    MissingNotice.objects.create(case=cases[0], seq=9, entries=[], issued_by=officer)
    MissingNotice.objects.filter(seq=9).update(created_at=at(MONDAY, 9))

    payment(center, staff=officer, day=MONDAY, payable_fen=2000, waived_fen=0, key="p1")
    payment(center, staff=officer, day=MONDAY, payable_fen=0, waived_fen=2000, key="p2")
    payment(center, staff=officer, day=LAST_MONDAY, payable_fen=1000, waived_fen=0, key="p3")

    MessageFactory(
        center=center,
        status=MessageStatus.DELIVERED,
        sent_at=at(MONDAY, 10),
        delivered_at=at(MONDAY, 10, 1),
    )
    MessageFactory(center=center, status=MessageStatus.SENT, sent_at=at(MONDAY, 11))
    MessageFactory(center=center, status=MessageStatus.FAILED, failed_at=at(MONDAY, 12))

    FoundItemFactory(center=center, found_at=at(MONDAY, 8), registered_by=officer)
    FoundItemFactory(center=center, found_at=at(LAST_MONDAY, 8), registered_by=officer)
    FoundItemFactory(center=center, found_at=at(LAST_MONDAY, 9), registered_by=officer)

    for n, day in enumerate((MONDAY, MONDAY, LAST_MONDAY)):
        DeskRequest.objects.create(
            center=center,
            number=f"HM-{n}",
            type="consult" if n else "assisted",
            question="咨询",
            status="pending",
            requester_staff=officer,
            created_on=day,
            due_on=day,
        )
    return {"cases": cases}
