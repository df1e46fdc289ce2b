"""Real threads against the real database (SQLite file or PostgreSQL): twenty officers press
"call next" at the same moment; many kiosks issue at once. Each ticket is called exactly once,
none is lost, numbers are unique and gapless."""

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import close_old_connections, connection

from bianmin.core.permissions import Role
from bianmin.hall.enums import EventKind, IssueChannel, TicketStatus
from bianmin.hall.models import Ticket, TicketEvent
from bianmin.hall.services import (
    ticket_call_next,
    ticket_finish,
    ticket_issue,
    ticket_notify_near,
    window_sign_in,
)
from bianmin.hall.tests.factories import HallSettingsFactory, WindowFactory
from bianmin.notifications.selectors import message_list
from bianmin.notifications.services import notifications_load_reference

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

OFFICERS = 20
TICKETS = 120


def _run_threads(n: int, target: Callable[[int], Any]) -> list[BaseException]:
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            target(i)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    close_old_connections()
    return errors


@pytest.fixture
def twenty_officers(make_staff, center, windows, catalogue) -> list[Any]:
    extra = [f"W{i:02d}" for i in range(13, OFFICERS + 1)]

    for code in extra:
        WindowFactory(center=center, code=code)
    return [make_staff(Role.OFFICER) for _ in range(OFFICERS)]


def test_twenty_officers_never_get_the_same_ticket(twenty_officers, center, ticking_clock):
    # given 200 waiting tickets and 20 officers signed in at 20 windows
    codes = ["HZ02", "JG01", "CR01", "ZA04"]
    tickets = [
        ticket_issue(
            actor=None,
            center=center,
            item_codes=[codes[i % 4]],
            channel=IssueChannel.KIOSK,
            priority="elderly" if i % 9 == 0 else "normal",
        )
        for i in range(TICKETS)
    ]
    for i, officer in enumerate(twenty_officers):
        window_sign_in(actor=officer, window_code=f"W{i + 1:02d}")
    served: dict[int, list[str]] = {i: [] for i in range(OFFICERS)}

    # when all of them call next and finish, as fast as they can, at the same moment
    def work(i: int) -> None:
        officer = twenty_officers[i]
        while True:
            ticket = ticket_call_next(actor=officer, window_code=f"W{i + 1:02d}")
            if ticket is None:
                return
            served[i].append(ticket.pk)
            ticket_finish(actor=officer, ticket_id=ticket.pk)

    errors = _run_threads(OFFICERS, work)

    # then every ticket was called exactly once, by one officer, and none is left or lost
    assert errors == []
    all_served = [pk for pks in served.values() for pk in pks]
    assert len(all_served) == TICKETS
    assert set(all_served) == {t.pk for t in tickets}
    calls = Counter(
        TicketEvent.objects.filter(kind=EventKind.CALL).values_list("ticket_id", flat=True)
    )
    assert set(calls.values()) == {1}
    assert len(calls) == TICKETS
    assert Ticket.objects.filter(status=TicketStatus.FINISHED).count() == TICKETS
    assert sum(1 for pks in served.values() if pks) > 1  # the work really was shared


def test_one_officer_clicking_call_next_at_once_holds_one_ticket(
    officer, center, catalogue, windows, ticking_clock
):
    """Eight clicks of one officer's "call next" at the same moment, each on its own
    connection: one calls, seven are told to finish the current ticket first, and no second
    ticket leaves the line (the claim checks the officer's held ticket in its own statement,
    after the window session's lock)."""
    from bianmin.core.errors import Conflict

    for _ in range(20):
        ticket_issue(actor=None, center=center, item_codes=["HZ02"], channel=IssueChannel.KIOSK)
    window_sign_in(actor=officer, window_code="W01")
    called: list[str] = []
    refused: list[str] = []

    def click(_i: int) -> None:
        try:
            ticket = ticket_call_next(actor=officer, window_code="W01")
        except Conflict as exc:
            refused.append(exc.code)
            return
        assert ticket is not None
        called.append(ticket.pk)

    errors = _run_threads(8, click)

    assert errors == []
    assert len(called) == 1
    assert refused == ["current_ticket"] * 7
    assert Ticket.objects.filter(status=TicketStatus.CALLED).count() == 1
    assert TicketEvent.objects.filter(kind=EventKind.CALL).count() == 1


def test_simultaneous_issuing_gives_unique_gapless_numbers(
    center, windows, catalogue, ticking_clock
) -> None:
    per_thread = 10
    numbers: list[str] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        for _ in range(per_thread):
            ticket = ticket_issue(
                actor=None, center=center, item_codes=["HZ02"], channel=IssueChannel.KIOSK
            )
            with lock:
                numbers.append(ticket.number)

    errors = _run_threads(OFFICERS, work)

    assert errors == []
    assert sorted(numbers) == [f"A{n:03d}" for n in range(1, OFFICERS * per_thread + 1)]


def test_issuing_and_calling_at_once_in_one_center_never_deadlock(
    twenty_officers, center, ticking_clock
) -> None:
    """Kiosks issue while officers call and finish, one item, one center: an issue enters the
    waiting tally's row and a call leaves it, and both extend the center's audit chain. Every
    write locks them in the same order (the tally, then the chain's head), so none waits on
    another that waits on it (PostgreSQL would abort one as a deadlock)."""
    for _ in range(OFFICERS):
        ticket_issue(actor=None, center=center, item_codes=["HZ02"], channel=IssueChannel.KIOSK)
    callers = twenty_officers[: OFFICERS // 2]
    for i, officer in enumerate(callers):
        window_sign_in(actor=officer, window_code=f"W{i + 1:02d}")
    called: list[str] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        for _ in range(6):
            if i % 2:
                ticket_issue(
                    actor=None, center=center, item_codes=["HZ02"], channel=IssueChannel.KIOSK
                )
                continue
            officer = callers[i // 2]
            ticket = ticket_call_next(actor=officer, window_code=f"W{i // 2 + 1:02d}")
            if ticket is not None:
                with lock:
                    called.append(ticket.pk)
                ticket_finish(actor=officer, ticket_id=ticket.pk)

    errors = _run_threads(OFFICERS, work)

    assert errors == []
    assert len(called) == len(set(called)) > 0
    issued = OFFICERS + (OFFICERS // 2) * 6
    assert Ticket.objects.filter(center=center).count() == issued
    assert Ticket.objects.filter(status=TicketStatus.WAITING).count() == issued - len(called)


def test_near_turn_sms_is_exactly_once_under_concurrent_calls(
    twenty_officers, center, ticking_clock
):
    notifications_load_reference()
    HallSettingsFactory(center=center, near_position=5)
    tickets = [
        ticket_issue(
            actor=None,
            center=center,
            item_codes=["HZ02"],
            channel=IssueChannel.PHONE,
            phone="13800000000",
        )
        for _ in range(40)
    ]
    for i, officer in enumerate(twenty_officers):
        window_sign_in(actor=officer, window_code=f"W{i + 1:02d}")

    def work(i: int) -> None:
        officer = twenty_officers[i]
        while ticket := ticket_call_next(actor=officer, window_code=f"W{i + 1:02d}"):
            ticket_notify_near(center_id=center.pk)  # as on_commit does, racing the others
            ticket_finish(actor=officer, ticket_id=ticket.pk)

    errors = _run_threads(OFFICERS, work)

    assert errors == []
    sent = list(
        message_list(user=twenty_officers[0], template_code="ticket_near").values_list(
            "params__number", flat=True
        )
    )
    assert len(sent) == len(set(sent))
    # everyone but the first few (called before anyone was "near") got exactly one SMS
    assert len(sent) >= len(tickets) - OFFICERS - 6
