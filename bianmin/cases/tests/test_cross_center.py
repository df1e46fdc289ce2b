"""Cross-center matrix: every cases write endpoint and form, called by a center-B actor on
center-A objects, is refused as "not found" and changes nothing.

API operations (cases/api.py): case_create (POST /cases with A's ticket), case_arrival_batch
(POST /cases/arrivals), arrival_list_preview (POST /sms/batches), arrival_list_send
(POST /sms/batches/{id}/send), case_accept, case_confirm, case_transition, case_send_back,
case_claim, case_release, case_arrival, case_pickup (POST /cases/{number}/…).
Forms (cases/urls.py): cases:window_action (every action), cases:inquiry_action,
cases:queue_action (every action), cases:arrival, cases:arrival_list, cases:arrival_batch_send.
"""

import json
from typing import Any

import pytest

from bianmin.cases import services
from bianmin.cases.models import Case, CaseEvent, Inquiry
from bianmin.core.permissions import Role
from bianmin.notifications.models import Batch, Message
from tests.support.case_builders import ADULT_ID, ADULT_NAME, PHONE

pytestmark = pytest.mark.usefixtures("templates")


@pytest.fixture
def a_objects(pinned, waiting_cases, new_case, back_office, setup) -> dict[str, Any]:
    """Center A: a case waiting for arrival (claimed by A's back office), a case in
    pre-review, a called-for ticket and a draft arrival list."""
    from bianmin.hall.enums import IssueChannel
    from bianmin.hall.services import ticket_issue

    (waiting,) = waiting_cases(1)
    services.case_claim(actor=back_office, case=waiting)
    fresh = new_case("HZ02", confirm=False)
    ticket = ticket_issue(actor=None, center=setup, item_codes=["HZ02"], channel=IssueChannel.KIOSK)
    batch_id = services.arrival_list_preview(actor=back_office, text=waiting.number)
    return {"waiting": waiting, "fresh": fresh, "ticket": ticket, "batch_id": batch_id}


@pytest.fixture
def b_staff(make_staff, other_center) -> dict[str, Any]:
    return {
        role: make_staff(role, username=f"b-{role}", center_=other_center)
        for role in (Role.OFFICER, Role.BACK_OFFICE, Role.SHIFT_LEADER)
    }


def _snapshot() -> list[Any]:
    return [
        list(
            Case.objects.order_by("pk").values_list(
                "pk", "status", "stage", "next_stage", "locked_by", "arrived_at", "updated_at"
            )
        ),
        CaseEvent.objects.count(),
        Message.objects.count(),
        list(Batch.objects.order_by("pk").values_list("pk", "status", "messages_total")),
        Inquiry.objects.count(),
    ]


API_CASE_OPERATIONS = [
    ("case_accept", "accept", {}),
    (
        "case_confirm",
        "confirmations",
        {
            "stage": "window",
            "name": ADULT_NAME,
            "gender": "male",
            "id_type": "resident_id",
            "id_number": ADULT_ID,
        },
    ),
    ("case_transition", "transitions", {"to_stage": "review"}),
    ("case_send_back", "send-back", {"reason": "照片不合格"}),
    ("case_claim", "claim", {}),
    ("case_release", "release", {}),
    ("case_arrival", "arrival", {}),
    ("case_pickup", "pickup", {"method": "id_card"}),
]


@pytest.mark.parametrize(("operation", "path", "body"), API_CASE_OPERATIONS)
@pytest.mark.parametrize("which", ["waiting", "fresh"])
def test_api_case_writes_across_centers(
    a_objects, b_staff, api_client_for, operation, path, body, which
):
    client = api_client_for(b_staff[Role.SHIFT_LEADER])
    before = _snapshot()
    response = client.post(
        f"/api/v1/cases/{a_objects[which].number}/{path}",
        data=json.dumps(body),
        content_type="application/json",
    )
    assert response.status_code in (403, 404), operation
    assert _snapshot() == before


def test_api_create_with_another_centers_ticket(a_objects, b_staff, api_client_for):
    client = api_client_for(b_staff[Role.OFFICER])
    before = _snapshot()
    response = client.post(
        "/api/v1/cases",
        data=json.dumps(
            {
                "item_code": "HZ02",
                "applicant": {
                    "name": ADULT_NAME,
                    "id_number": ADULT_ID,
                    "gender": "male",
                    "phone": PHONE,
                },
                "materials": {"old_id_card": "provided"},
                "ticket_id": a_objects["ticket"].pk,
            }
        ),
        content_type="application/json",
    )
    assert (response.status_code, response.json()["code"]) == (404, "ticket_not_found")
    assert _snapshot() == before


def test_api_arrival_lists_across_centers(a_objects, b_staff, api_client_for):
    client = api_client_for(b_staff[Role.BACK_OFFICE])
    number = a_objects["waiting"].number
    before = _snapshot()
    arrivals = client.post(
        "/api/v1/cases/arrivals",
        data=json.dumps({"values": [number], "notify": True}),
        content_type="application/json",
    )
    assert [r["ok"] for r in arrivals.json()] == [False]
    send = client.post(f"/api/v1/sms/batches/{a_objects['batch_id']}/send")
    assert send.status_code == 404
    assert _snapshot() == before
    preview = client.post("/api/v1/sms/batches", {"kind": "arrival_list", "lines": number})
    assert preview.json()["rows_matched"] == 0  # B's own draft: A's case is not matched


WINDOW_ACTIONS = [
    "confirm",
    "review",
    "notice",
    "accept",
    "facts",
    "supplement",
    "arrival",
    "pickup",
    "close",
]


@pytest.mark.parametrize("action", WINDOW_ACTIONS)
@pytest.mark.parametrize("which", ["waiting", "fresh"])
def test_window_forms_across_centers(a_objects, b_staff, login_client_for, action, which):
    client = login_client_for(b_staff[Role.OFFICER])
    before = _snapshot()
    html = client.post(
        f"/cases/window/{action}/",
        {"case": a_objects[which].number, "notify": "on", "method": "id_card"},
    ).content.decode()
    assert "没有找到" in html
    assert _snapshot() == before


def test_window_panel_and_inquiry_with_another_centers_ticket(a_objects, b_staff, login_client_for):
    client = login_client_for(b_staff[Role.OFFICER])
    ticket = a_objects["ticket"]
    panel = client.get("/cases/window/panel/", {"ticket": ticket.pk}).content.decode()
    assert ticket.number not in panel
    before = _snapshot()
    html = client.post(
        "/cases/window/inquiry/answer/", {"ticket_id": ticket.pk, "answer": "需本人到场"}
    ).content.decode()
    assert "没有找到这张号票" in html
    assert _snapshot() == before


@pytest.mark.parametrize("action", ["claim", "release", "advance", "arrival", "send_back"])
def test_queue_forms_across_centers(a_objects, b_staff, login_client_for, action):
    client = login_client_for(b_staff[Role.SHIFT_LEADER])
    before = _snapshot()
    html = client.post(
        "/cases/queue/action/",
        {
            "case": a_objects["waiting"].number,
            "stage": "arrival",
            "action": action,
            "reason": "跨中心",
            "notify": "on",
        },
    ).content.decode()
    assert "没有找到" in html
    assert _snapshot() == before


def test_arrival_forms_across_centers(a_objects, b_staff, login_client_for):
    client = login_client_for(b_staff[Role.BACK_OFFICE])
    number = a_objects["waiting"].number
    before = _snapshot()
    html = client.post("/cases/arrival/", {"values": number, "notify": "on"}).content.decode()
    assert "没有找到待到证的办件" in html
    send = client.post(f"/sms/batches/{a_objects['batch_id']}/send/")
    assert send.status_code == 404
    assert _snapshot() == before
    client.post("/cases/arrival/list/", {"kind": "arrival_list", "lines": number})
    assert Batch.objects.exclude(pk=a_objects["batch_id"]).get().rows_matched == 0
