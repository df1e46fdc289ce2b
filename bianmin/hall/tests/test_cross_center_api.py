"""The hall API, endpoint by endpoint: a center-B staff member with a bearer token acting on
center A's tickets and window codes gets 404 with a JSON {"code", "message"} and nothing of
center A changes (tickets, ticket events, window sessions, audit entries)."""

import json
from typing import Any

import pytest
from django.test import Client

from bianmin.accounts.models import Center
from bianmin.audit.models import AuditEntry
from bianmin.core.permissions import Role
from bianmin.hall.enums import TicketStatus
from bianmin.hall.models import Ticket, TicketEvent, WindowSession
from bianmin.hall.services import window_sign_in
from bianmin.hall.tests.factories import WindowFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def world(hall, busy_hall, other_center, make_staff) -> dict[str, Any]:
    """Center A (TG, windows W01–W12) as `busy_hall` leaves it: a parked ticket, a called one at
    W01 and a waiting one with a priority claim. Center B (HY) has only W01, with a B officer
    signed in there."""
    WindowFactory(center=other_center, code="W01")
    b_officer = make_staff(Role.OFFICER, center_=other_center)
    b_guide = make_staff(Role.GUIDE, center_=other_center)
    window_sign_in(actor=b_officer, window_code="W01")
    return {
        "a": hall,
        "b": other_center,
        "a_officer": busy_hall["officer"],
        "parked": busy_hall["parked"],
        "called": busy_hall["called"],
        "waiting": busy_hall["waiting"],
        "b_officer": b_officer,
        "b_guide": b_guide,
    }


def _center_state(center: Center) -> dict[str, Any]:
    """Everything the hall API could change for one center, re-read from the database."""
    return {
        "tickets": list(
            Ticket.objects.filter(center=center)
            .order_by("pk")
            .values_list(
                "pk",
                "status",
                "officer_id",
                "window_id",
                "priority",
                "priority_claim",
                "item_id",
                "recall_count",
                "updated_at",
            )
        ),
        "events": TicketEvent.objects.filter(center=center).count(),
        "sessions": list(
            WindowSession.objects.filter(center=center)
            .order_by("pk")
            .values_list("pk", "window_id", "officer_id", "paused_at", "ended_at")
        ),
        "audit": AuditEntry.objects.filter(center=center).count(),
    }


def _post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"{API}{path}", json.dumps(body or {}), content_type="application/json")


def _refused(response: Any, code: str) -> None:
    assert response.status_code == 404, response.content
    payload = response.json()
    assert payload["code"] == code
    assert payload["message"]


@pytest.mark.parametrize(
    ("path", "which", "body"),
    [
        ("/tickets/{ticket_id}/finish", "called", None),
        ("/tickets/{ticket_id}/recall", "called", None),
        ("/tickets/{ticket_id}/no-show", "called", None),
        ("/tickets/{ticket_id}/park", "called", None),
        ("/tickets/{ticket_id}/transfer", "called", {"item_code": "JG01"}),
        ("/tickets/{ticket_id}/unpark", "parked", {"window_code": "W01"}),
        ("/tickets/{ticket_id}/unpark", "parked", {"to_queue": True}),
    ],
)
def test_officer_of_b_cannot_work_a_ticket_of_a(world, api_client_for, path, which, body) -> None:
    """POST /api/v1/tickets/{ticket_id}/finish, POST /api/v1/tickets/{ticket_id}/recall,
    POST /api/v1/tickets/{ticket_id}/no-show, POST /api/v1/tickets/{ticket_id}/park,
    POST /api/v1/tickets/{ticket_id}/transfer, POST /api/v1/tickets/{ticket_id}/unpark:
    B's officer, signed in at B's W01, names A's called or parked ticket."""
    before = _center_state(world["a"])
    client = api_client_for(world["b_officer"])
    response = _post(client, path.format(ticket_id=world[which].pk), body)
    _refused(response, "unknown_ticket")
    assert _center_state(world["a"]) == before
    status = Ticket.objects.get(pk=world[which].pk).status
    assert status == (TicketStatus.CALLED if which == "called" else TicketStatus.PARKED)


def test_the_same_calls_by_a_work_so_the_refusals_above_mean_something(
    world, api_client_for
) -> None:
    """POST /api/v1/tickets/{ticket_id}/recall by A's own officer succeeds (control)."""
    client = api_client_for(world["a_officer"])
    response = _post(client, f"/tickets/{world['called'].pk}/recall")
    assert response.status_code == 200
    assert Ticket.objects.get(pk=world["called"].pk).recall_count == 1


@pytest.mark.parametrize("confirm", [True, False])
def test_guide_of_b_cannot_decide_the_priority_of_a_ticket_of_a(
    world, api_client_for, confirm
) -> None:
    """POST /api/v1/tickets/{ticket_id}/priority (bianmin_hall_api_ticket_priority)."""
    before = _center_state(world["a"])
    response = _post(
        api_client_for(world["b_guide"]),
        f"/tickets/{world['waiting'].pk}/priority",
        {"confirm": confirm},
    )
    _refused(response, "unknown_ticket")
    assert _center_state(world["a"]) == before
    assert Ticket.objects.get(pk=world["waiting"].pk).priority_claim == "disabled"


@pytest.mark.parametrize(
    "path",
    [
        "/windows/{window_code}/sign-in",
        "/windows/{window_code}/sign-out",
        "/windows/{window_code}/pause",
        "/windows/{window_code}/resume",
        "/windows/{window_code}/call-next",
    ],
)
def test_officer_of_b_cannot_use_a_window_code_only_a_has(world, api_client_for, path) -> None:
    """POST /api/v1/windows/{window_code}/sign-in, POST /api/v1/windows/{window_code}/sign-out,
    POST /api/v1/windows/{window_code}/pause, POST /api/v1/windows/{window_code}/resume,
    POST /api/v1/windows/{window_code}/call-next with W05, a window of A that B does not have."""
    client = api_client_for(world["b_officer"])
    before_a, before_b = _center_state(world["a"]), _center_state(world["b"])
    response = _post(client, path.format(window_code="W05"))
    _refused(response, "unknown_window")
    assert _center_state(world["a"]) == before_a
    assert _center_state(world["b"]) == before_b


def test_a_window_code_both_centers_have_means_b_own_window(world, api_client_for) -> None:
    """POST /api/v1/windows/{window_code}/pause, /resume, /call-next and /sign-out on "W01":
    A's officer is signed in at A's W01 with a called ticket; B's calls act on B's W01 only
    and never call one of A's waiting tickets."""
    client = api_client_for(world["b_officer"])
    a_session = WindowSession.objects.get(officer=world["a_officer"], ended_at__isnull=True)
    before = _center_state(world["a"])

    assert _post(client, "/windows/W01/pause").json()["paused"] is True
    assert _post(client, "/windows/W01/resume").json()["paused"] is False
    assert _post(client, "/windows/W01/call-next").status_code == 204  # B's pool is empty
    assert _post(client, "/windows/W01/sign-out").status_code == 200

    assert _center_state(world["a"]) == before
    a_session.refresh_from_db()
    assert a_session.ended_at is None
    assert a_session.paused_at is None
    b_session = WindowSession.objects.get(officer=world["b_officer"])
    assert b_session.center_id == world["b"].pk
    assert b_session.ended_at is not None
    assert TicketEvent.objects.filter(center=world["b"]).count() >= 4


def test_sign_in_at_w01_takes_b_window_even_while_a_w01_is_taken(world, api_client_for) -> None:
    """POST /api/v1/windows/{window_code}/sign-in on "W01": A's W01 is taken by A's officer;
    a second B officer signing in at W01 is told B's own W01 is taken, never A's."""
    before = _center_state(world["a"])
    other = api_client_for(world["b_officer"])
    assert _post(other, "/windows/W01/sign-out").status_code == 200
    response = _post(other, "/windows/W01/sign-in")
    assert response.status_code == 200
    session = WindowSession.objects.get(officer=world["b_officer"], ended_at__isnull=True)
    assert session.window.center_id == world["b"].pk
    assert _center_state(world["a"]) == before


def test_ticket_create_by_b_issues_in_b_whatever_the_body_names(world, api_client_for) -> None:
    """POST /api/v1/tickets (bianmin_hall_api_ticket_create) by B's guide with A's center code:
    the ticket is B's, numbered in B's sequence; A's tickets and counters are unchanged."""
    before = _center_state(world["a"])
    response = _post(
        api_client_for(world["b_guide"]),
        "/tickets",
        {"item_code": "HZ02", "center_code": "TG"},
    )
    assert response.status_code == 200, response.content
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert ticket.center_id == world["b"].pk
    assert ticket.item.code == "HZ02"
    assert _center_state(world["a"]) == before
    assert Ticket.objects.filter(center=world["b"]).count() == 1


@pytest.mark.parametrize("action", ["pause", "resume", "sign-out", "call-next"])
def test_an_own_window_one_is_not_signed_in_at_is_still_a_conflict(
    world, api_client_for, action
) -> None:
    """POST /api/v1/windows/{window_code}/pause (and resume, sign-out, call-next) at W02 of B's
    own center while signed in at W01: 409 not_signed_in, as before; only codes B lacks are 404."""
    WindowFactory(center=world["b"], code="W02")
    client = api_client_for(world["b_officer"])
    response = _post(client, f"/windows/W02/{action}")
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "not_signed_in"
