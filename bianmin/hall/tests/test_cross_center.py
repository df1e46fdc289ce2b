"""Two centers side by side: a center-B actor against center-A objects, on every hall write.

Every write endpoint and form of the hall is listed here by its URL name or API operation:

* API (`/api/v1`): ticket_create, window_sign_in, window_sign_out, window_pause, window_resume,
  window_call_next, ticket_finish, ticket_recall, ticket_no_show, ticket_park, ticket_unpark,
  ticket_transfer, ticket_priority
* Forms: hall:workspace_action (sign_in, sign_out, pause, resume, call_next, recall, no_show,
  park, unpark, unpark_queue, transfer, finish), hall:guide, hall:guide_priority, hall:settings
* Reads a B actor might use to see A: hall:workspace (the window panel), hall:board,
  selectors.ticket_summary (the cases window panel), selectors.display_state

The public pages (hall:kiosk, hall:phone, hall:position, the public ticket API) are addressed
by the center's code or the ticket's unguessable id, not by an actor, and are covered in
test_views / test_api.
"""

import json
from typing import Any

import pytest

from bianmin.core.permissions import Role
from bianmin.hall.enums import TicketStatus
from bianmin.hall.models import HallSettings, Ticket
from bianmin.hall.selectors import display_state, ticket_summary
from bianmin.hall.services import window_sign_in
from bianmin.hall.tests.factories import WindowFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def world(busy_hall, other_center, make_staff) -> dict[str, Any]:
    """Center A (TG) with a called ticket, a parked one and a waiting one with a priority claim;
    center B with its own window and staff of every hall role, signed in."""
    WindowFactory(center=other_center, code="W01")
    b = {
        role: make_staff(role, center_=other_center)
        for role in (Role.OFFICER, Role.GUIDE, Role.SHIFT_LEADER, Role.DIRECTOR)
    }
    window_sign_in(actor=b[Role.OFFICER], window_code="W01")
    return {
        "parked": busy_hall["parked"],
        "called": busy_hall["called"],
        "waiting": busy_hall["waiting"],
        "b": b,
    }


def _snapshot() -> list[tuple]:
    return list(
        Ticket.objects.order_by("pk").values_list(
            "pk", "status", "officer_id", "window_id", "priority", "priority_claim", "item_id"
        )
    )


def _post(client, path, body=None):
    return client.post(f"{API}{path}", json.dumps(body or {}), content_type="application/json")


def test_api_writes_of_center_b_never_touch_center_a(world, api_client_for) -> None:
    before = _snapshot()
    officer = api_client_for(world["b"][Role.OFFICER])
    guide = api_client_for(world["b"][Role.GUIDE])
    called, parked, waiting = world["called"].pk, world["parked"].pk, world["waiting"].pk

    for operation, client, path, body in [
        ("ticket_finish", officer, f"/tickets/{called}/finish", None),
        ("ticket_recall", officer, f"/tickets/{called}/recall", None),
        ("ticket_no_show", officer, f"/tickets/{called}/no-show", None),
        ("ticket_park", officer, f"/tickets/{called}/park", None),
        ("ticket_unpark", officer, f"/tickets/{parked}/unpark", {"window_code": "W01"}),
        ("ticket_transfer", officer, f"/tickets/{called}/transfer", {"item_code": "JG01"}),
        ("ticket_priority", guide, f"/tickets/{waiting}/priority", {"confirm": True}),
    ]:
        response = _post(client, path, body)
        assert response.status_code == 404, operation
        assert response.json()["code"] == "unknown_ticket", operation

    # window_sign_in: A's second window is unknown to B
    assert _post(officer, "/windows/W02/sign-in").json()["code"] == "unknown_window"
    # window_pause / window_resume / window_sign_out act on B's own session only
    assert _post(officer, "/windows/W01/pause").status_code == 200
    assert _post(officer, "/windows/W01/resume").status_code == 200
    # window_call_next: B's pool holds none of A's waiting tickets
    assert _post(officer, "/windows/W01/call-next").status_code == 204
    assert _post(officer, "/windows/W01/sign-out").status_code == 200
    # ticket_create: a B guide naming A's code still issues in B
    response = _post(guide, "/tickets", {"item_code": "HZ02", "center_code": "TG"})
    assert response.status_code == 200
    assert (
        Ticket.objects.get(pk=response.json()["id"]).center_id == world["b"][Role.GUIDE].center_id
    )

    assert [row for row in _snapshot() if row[0] != response.json()["id"]] == before


def test_form_writes_of_center_b_never_touch_center_a(world, login_client_for) -> None:
    before = _snapshot()
    officer = login_client_for(world["b"][Role.OFFICER])
    called, parked = world["called"].pk, world["parked"].pk

    # hall:workspace_action, every action, with A's ticket ids
    for action, ticket in [
        ("recall", called),
        ("no_show", called),
        ("park", called),
        ("transfer", called),
        ("finish", called),
        ("unpark", parked),
        ("unpark_queue", parked),
    ]:
        officer.post(
            "/hall/workspace/action/", {"action": action, "ticket": ticket, "item": "JG01"}
        )
    officer.post("/hall/workspace/action/", {"action": "sign_in", "window": "W02"})
    for action in ("pause", "resume", "call_next", "sign_out"):
        officer.post("/hall/workspace/action/", {"action": action})
    assert _snapshot() == before

    # hall:guide_priority with A's waiting ticket
    guide = login_client_for(world["b"][Role.GUIDE])
    guide.post("/hall/guide/priority/", {"ticket": world["waiting"].pk, "decision": "confirm"})
    assert _snapshot() == before

    # hall:guide issues in the guide's own center
    guide.post("/hall/guide/", {"items": ["HZ02"], "request_key": "b-1"})
    assert Ticket.objects.get(request_key="b-1").center_id == world["b"][Role.GUIDE].center_id

    # hall:settings changes B's settings only
    director = login_client_for(world["b"][Role.DIRECTOR])
    director.post("/hall/settings/", {**_settings_form(), "recall_limit": 5})
    assert not HallSettings.objects.filter(center=world["called"].center_id).exists()
    assert HallSettings.objects.get(center=world["b"][Role.DIRECTOR].center_id).recall_limit == 5


def _settings_form() -> dict[str, Any]:
    from bianmin.hall.views import HallSettingsForm

    defaults = HallSettings()
    return {field: getattr(defaults, field) for field in HallSettingsForm.Meta.fields}


def test_center_b_screens_and_selectors_never_show_a_center_a_ticket(
    world, login_client_for
) -> None:
    called = world["called"]
    b_officer = world["b"][Role.OFFICER]
    # the L7 leak: B's window panel asked for A's ticket
    assert ticket_summary(ticket_id=called.pk, center_id=b_officer.center_id) is None
    assert ticket_summary(ticket_id=called.pk, center_id=called.center_id) is not None

    panel = login_client_for(b_officer).get(f"/hall/workspace/?ticket={called.pk}")
    assert called.pk not in panel.content.decode()
    board = login_client_for(world["b"][Role.SHIFT_LEADER]).get("/hall/board/").content.decode()
    assert called.number not in board
    assert "JG01" not in board

    state = display_state(center_id=b_officer.center_id)
    assert state["recent"] == []
    assert all(w["ticket"] is None for w in state["windows"])
    assert Ticket.objects.get(pk=called.pk).status == TicketStatus.CALLED
