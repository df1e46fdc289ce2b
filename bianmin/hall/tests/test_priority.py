"""Self-declared priority (kiosk, phone, public API) does not jump the queue until the guide
desk confirms it; the decision is audited and shown on the guide desk."""

import pytest
from django.test import Client

from bianmin.audit.enums import AuditAction
from bianmin.audit.models import AuditEntry
from bianmin.core.errors import Conflict, NotFound
from bianmin.hall.enums import EventKind, IssueChannel, Priority
from bianmin.hall.models import TicketEvent
from bianmin.hall.services import ticket_call_next, ticket_priority_decide, window_sign_in

pytestmark = pytest.mark.django_db


def test_a_self_declared_priority_waits_its_turn_until_confirmed(
    officer, guide, issue, clock
) -> None:
    first = issue("HZ02")
    clock.shift(60)
    claimed = issue("HZ02", priority="disabled", channel=IssueChannel.PHONE)
    assert (claimed.priority, claimed.priority_claim, claimed.priority_weight) == (
        Priority.NORMAL,
        Priority.DISABLED,
        0,
    )
    window_sign_in(actor=officer, window_code="W01")

    assert ticket_call_next(actor=officer, window_code="W01").pk == first.pk


def test_the_guide_confirms_a_claim_and_it_then_goes_first(officer, guide, issue, clock) -> None:
    issue("HZ02")
    clock.shift(60)
    claimed = issue("HZ02", priority="military", channel=IssueChannel.KIOSK)

    confirmed = ticket_priority_decide(actor=guide, ticket_id=claimed.pk, confirm=True)

    assert (confirmed.priority, confirmed.priority_claim) == (Priority.MILITARY, "")
    assert confirmed.priority_weight == 20
    window_sign_in(actor=officer, window_code="W01")
    assert ticket_call_next(actor=officer, window_code="W01").pk == claimed.pk
    event = TicketEvent.objects.get(ticket=claimed, kind=EventKind.PRIORITY_CONFIRM)
    assert event.officer_id == guide.pk
    assert event.data == {"claimed": "military"}


def test_a_denied_claim_stays_normal_and_both_decisions_are_audited(guide, issue, clock) -> None:
    claimed = issue("HZ02", priority="disabled")

    denied = ticket_priority_decide(actor=guide, ticket_id=claimed.pk, confirm=False)

    assert (denied.priority, denied.priority_claim, denied.priority_weight) == ("normal", "", 0)
    entries = AuditEntry.objects.filter(action=AuditAction.TICKET_CHANGED, target_id=claimed.pk)
    assert entries.count() == 1
    with pytest.raises(Conflict) as err:  # nothing left to decide
        ticket_priority_decide(actor=guide, ticket_id=claimed.pk, confirm=True)
    assert err.value.code == "no_priority_claim"


def test_a_guide_of_another_center_cannot_decide(make_staff, other_center, issue, clock) -> None:
    from bianmin.core.permissions import Role

    claimed = issue("HZ02", priority="military")
    foreign = make_staff(Role.GUIDE, center_=other_center)
    with pytest.raises(NotFound):
        ticket_priority_decide(actor=foreign, ticket_id=claimed.pk, confirm=True)
    claimed.refresh_from_db()
    assert claimed.priority_claim == "military"


def test_the_guide_desk_lists_claims_and_confirms_them(guide, issue, clock, login_client_for):
    claimed = issue("HZ02", priority="elderly", channel=IssueChannel.PHONE)
    client = login_client_for(guide)

    page = client.get("/hall/guide/").content.decode()
    assert "待确认优先" in page
    assert claimed.number in page
    assert "确认优先" in page

    client.post("/hall/guide/priority/", {"ticket": claimed.pk, "decision": "confirm"})
    claimed.refresh_from_db()
    assert (claimed.priority, claimed.priority_claim) == ("elderly", "")


def test_the_public_api_cannot_choose_a_weight(hall, clock) -> None:
    response = Client().post(
        "/api/v1/tickets",
        {"item_code": "HZ02", "center_code": "TG", "priority": "military"},
        content_type="application/json",
    )
    assert response.status_code == 200
    from bianmin.hall.models import Ticket

    ticket = Ticket.objects.get()
    assert (ticket.priority_weight, ticket.priority_claim) == (0, "military")


@pytest.mark.parametrize("channel", [IssueChannel.KIOSK, IssueChannel.PHONE, IssueChannel.API])
def test_appointment_priority_cannot_be_self_declared(hall, clock, issue, channel) -> None:
    from bianmin.core.errors import DomainError
    from bianmin.hall.models import Ticket

    with pytest.raises(DomainError) as err:
        issue("HZ02", priority="appointment", channel=channel)
    assert err.value.code == "invalid_priority"
    assert not Ticket.objects.exists()


def test_appointment_priority_is_not_offered_on_the_public_pages(hall, clock) -> None:
    from bianmin.hall.views import GUIDE_PRIORITIES, PUBLIC_PRIORITIES

    assert Priority.APPOINTMENT not in PUBLIC_PRIORITIES
    assert "appointment" not in dict(GUIDE_PRIORITIES)


def test_a_verified_class_counts_at_once_for_the_appointment_check_in(hall, clock) -> None:
    from bianmin.hall.services import ticket_issue

    ticket = ticket_issue(
        actor=None,
        center=hall,
        item_codes=["HZ02"],
        channel=IssueChannel.KIOSK,
        priority="appointment",
        priority_verified=True,
    )
    assert (ticket.priority, ticket.priority_claim, ticket.priority_weight) == (
        "appointment",
        "",
        30,
    )
