"""The waiting tally (`WaitingTally`) is the line summed, kept by the database's triggers
whatever writes the tickets: after every step of a busy morning in two centers it equals the
line counted again, and the people ahead it gives equal those of the whole line computed."""

import random
from datetime import timedelta

import pytest
from django.db.models import Count, Q

from bianmin.core import clock as hall_clock
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Role
from bianmin.hall.enums import IssueChannel, TicketStatus
from bianmin.hall.models import Ticket, WaitingTally, Window
from bianmin.hall.selectors import hall_settings_get
from bianmin.hall.selectors.line import _line_compute
from bianmin.hall.selectors.pool import ahead_and_estimate
from bianmin.hall.services import (
    ticket_call_next,
    ticket_finish,
    ticket_issue,
    ticket_no_show,
    ticket_park,
    ticket_priority_decide,
    ticket_recall,
    ticket_transfer,
    ticket_unpark,
    window_sign_in,
)
from bianmin.hall.tasks import waiting_tally_prune_task

pytestmark = pytest.mark.django_db

ITEMS = ["HZ02", "HZ05", "JG01", "CR01"]


def _tally() -> dict[tuple, int]:
    return {
        (t.center_id, t.service_day, t.item_id, t.priority_weight, t.targeted): t.n
        for t in WaitingTally.objects.all()
        if t.n
    }


def _counted() -> dict[tuple, int]:
    rows = (
        Ticket.objects.filter(status=TicketStatus.WAITING)
        .values_list("center_id", "service_day", "item_id", "priority_weight")
        .annotate(targeted=Q(target_officer__isnull=False), n=Count("pk"))
        .order_by()
    )
    return {(c, d, i, w, bool(t)): n for c, d, i, w, t, n in rows}


def _people_ahead_agree(center_id: int) -> int:
    """Every waiting ticket's people ahead and estimate from the tally equal the whole line's."""
    now = hall_clock.now()
    settings = hall_settings_get(center_id=center_id)
    day = hall_clock.local(now).date()
    line = _line_compute(center_id=center_id, day=day, now=now, settings=settings)
    checked = 0
    for ticket in Ticket.objects.filter(center_id=center_id, status=TicketStatus.WAITING):
        assert ahead_and_estimate(ticket, now=now, settings=settings) == line.spots[ticket.pk]
        checked += 1
    return checked


@pytest.fixture
def two_halls(hall, other_center, catalogue, make_staff):
    """Both centers open, each with a guide and three officers signed in."""
    from bianmin.accounts.models import Staff

    for i in range(1, 4):
        Window.objects.create(center=other_center, code=f"W{i:02d}", name=f"{i}号窗口")
    staff = {}
    for center in (hall, other_center):
        guide = Staff.objects.create(
            username=f"guide_{center.code}", full_name="导办", role=Role.GUIDE, center=center
        )
        officers = []
        for i in range(1, 4):
            officer = Staff.objects.create(
                username=f"officer_{center.code}_{i}",
                full_name=f"民警{i}",
                role=Role.OFFICER,
                center=center,
                is_all_round=True,
            )
            window_sign_in(actor=officer, window_code=f"W{i:02d}")
            officers.append(officer)
        staff[center.pk] = {"center": center, "guide": guide, "officers": officers}
    return staff


def test_the_tally_follows_every_step_of_a_morning_in_two_centers(two_halls, clock) -> None:
    rng = random.Random(20261203)
    held: dict[int, str] = {}  # officer -> called ticket
    parked: list[tuple[object, str, str]] = []  # (officer, window, ticket)
    done: set[str] = set()
    for step in range(1, 141):
        hall = two_halls[rng.choice(list(two_halls))]
        center, guide, officers = hall["center"], hall["guide"], hall["officers"]
        officer = rng.choice(officers)
        roll = rng.random()
        try:
            if roll < 0.35:
                by_guide = rng.random() < 0.5
                ticket_issue(
                    actor=guide if by_guide else None,
                    center=center,
                    item_codes=[rng.choice(ITEMS)],
                    channel=IssueChannel.GUIDE if by_guide else IssueChannel.KIOSK,
                    priority=rng.choice(["normal", "normal", "elderly", "disabled"]),
                )
                done.add("issue")
            elif officer.pk not in held and roll < 0.6:
                called = ticket_call_next(actor=officer, window_code=_window(officer, officers))
                if called is not None:
                    held[officer.pk] = called.pk
                    done.add("call")
            elif officer.pk in held:
                ticket_id = held.pop(officer.pk)
                action = rng.choice(["finish", "park", "item", "officer", "no_show"])
                if action == "finish":
                    ticket_finish(actor=officer, ticket_id=ticket_id)
                elif action == "park":
                    ticket_park(actor=officer, ticket_id=ticket_id)
                    parked.append((officer, _window(officer, officers), ticket_id))
                elif action == "item":
                    ticket_transfer(actor=officer, ticket_id=ticket_id, item_code=rng.choice(ITEMS))
                elif action == "officer":
                    colleague = rng.choice([o for o in officers if o.pk != officer.pk])
                    ticket_transfer(actor=officer, ticket_id=ticket_id, officer_id=colleague.pk)
                else:
                    settings = hall_settings_get(center_id=center.pk)
                    for _ in range(settings.recall_limit):
                        ticket_recall(actor=officer, ticket_id=ticket_id)
                    ticket_no_show(actor=officer, ticket_id=ticket_id)
                done.add(action)
            elif parked and roll < 0.75:
                owner, window, ticket_id = parked.pop(rng.randrange(len(parked)))
                ticket_unpark(actor=owner, ticket_id=ticket_id, window_code=window, to_queue=True)
                done.add("unpark")
            else:
                claim = (
                    Ticket.objects.filter(center=center, status=TicketStatus.WAITING)
                    .exclude(priority_claim="")
                    .first()
                )
                if claim is not None:
                    ticket_priority_decide(
                        actor=guide, ticket_id=claim.pk, confirm=rng.random() < 0.5
                    )
                    done.add("decide")
        except DomainError:
            pass  # a refused step (a transfer to one's own item, …) changes nothing
        clock.shift(rng.choice([0, 0, 20, 90]))  # equal instants too: the number decides
        assert _tally() == _counted(), f"after step {step}"
    assert done == {
        "issue",
        "call",
        "finish",
        "park",
        "item",
        "officer",
        "no_show",
        "unpark",
        "decide",
    }
    assert sum(_counted().values()) > 10
    checked = sum(_people_ahead_agree(center_id) for center_id in two_halls)
    assert checked == sum(_counted().values())


def _window(officer, officers) -> str:
    return f"W{officers.index(officer) + 1:02d}"


def test_writes_outside_the_services_move_the_tally_too(issue, hall, clock) -> None:
    """A bulk update, a deletion, demo data written straight: the triggers see them all."""
    tickets = [issue(code) for code in ("HZ02", "HZ02", "JG01", "HZ05")]
    assert _tally() == _counted()
    assert sum(_counted().values()) == 4
    Ticket.objects.filter(pk=tickets[0].pk).update(priority_weight=7)
    Ticket.objects.filter(pk=tickets[1].pk).update(status=TicketStatus.FINISHED)
    Ticket.objects.filter(pk=tickets[2].pk).delete()
    Ticket.objects.filter(pk=tickets[3].pk).update(phone=None, has_phone=False)  # same bucket
    assert _tally() == _counted()
    assert sum(_counted().values()) == 2
    Ticket.objects.filter(pk=tickets[1].pk).update(status=TicketStatus.WAITING)
    assert _tally() == _counted()
    assert sum(_counted().values()) == 3


def test_a_priority_ticket_counts_the_overdue_of_lower_classes(issue, guide, clock) -> None:
    """Past the waiting limit a plain ticket goes before every class; within it an elderly
    ticket goes before plain ones. The tally's answer and the line's agree, and with numbers."""
    settings = hall_settings_get(center_id=guide.center_id)
    early = issue("HZ02")
    clock.shift((settings.wait_limit_minutes + 1) * 60)
    plain = [issue("HZ02") for _ in range(3)]
    elderly = issue("JG01", priority="elderly", actor=guide)
    now = hall_clock.now()
    assert ahead_and_estimate(elderly, now=now, settings=settings)[0] == 1  # only the overdue one
    assert ahead_and_estimate(plain[0], now=now, settings=settings)[0] == 2  # overdue + elderly
    assert ahead_and_estimate(early, now=now, settings=settings)[0] == 0
    assert _people_ahead_agree(guide.center_id) == 5
    clock.shift(timedelta(minutes=1).total_seconds())
    assert _people_ahead_agree(guide.center_id) == 5


def test_the_nightly_prune_keeps_today_and_yesterday(issue, clock) -> None:
    issue("HZ02")
    clock.shift(timedelta(days=1).total_seconds())
    issue("HZ02")
    clock.shift(timedelta(days=1).total_seconds())
    issue("HZ02")
    days = sorted({t.service_day for t in WaitingTally.objects.all()})
    assert len(days) == 3
    assert waiting_tally_prune_task.call_local() == 1
    assert sorted({t.service_day for t in WaitingTally.objects.all()}) == days[1:]
