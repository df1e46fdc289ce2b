"""The contract of contracts.md: exact shapes, error bodies, the authorization matrix, and
per-device throttling of anonymous issuing."""

import json

import pytest
from django.test import Client

from bianmin.core.permissions import Role
from bianmin.hall.models import Ticket, TicketEvent, WindowSession

pytestmark = pytest.mark.django_db

TICKET_KEYS = {"id", "number", "status", "position", "estimated_wait_minutes"}
STAFF_TICKET_KEYS = TICKET_KEYS | {
    "item_code",
    "item_codes",
    "priority",
    "window_code",
    "officer_id",
    "recall_count",
    "arrived_at",
    "called_at",
}


def _post(client: Client, path: str, body: dict | None = None, **headers):
    return client.post(
        f"/api/v1{path}", data=json.dumps(body or {}), content_type="application/json", **headers
    )


@pytest.fixture
def signed_in(officer, api_client_for, hall):
    client = api_client_for(officer)
    assert _post(client, "/windows/W01/sign-in").status_code == 200
    return client


def test_public_issue_and_read_have_the_contract_shape(hall, clock) -> None:
    client = Client()

    first = _post(client, "/tickets", {"item_code": "HZ02"})
    second = _post(client, "/tickets", {"item_code": "HZ02", "priority": "normal"})

    assert first.status_code == 200
    body = second.json()
    assert set(body) == TICKET_KEYS
    assert (body["number"], body["status"], body["position"], body["estimated_wait_minutes"]) == (
        "A002",
        "waiting",
        1,
        8,
    )
    read = client.get(f"/api/v1/tickets/{body['id']}")
    assert read.status_code == 200
    assert read.json() == body


def test_a_waiting_ticket_is_read_from_its_centers_line_without_the_database(
    signed_in, issue, clock, django_assert_num_queries
) -> None:
    first, second = issue("HZ02"), issue("HZ02")
    phone = Client()
    before = phone.get(f"/api/v1/tickets/{second.pk}").json()  # from its row, once
    assert (before["number"], before["status"], before["position"]) == ("A002", "waiting", 1)
    with django_assert_num_queries(0):
        again = phone.get(f"/api/v1/tickets/{second.pk}")
    assert again.json() == before

    # the line moves: the next reads see it at once
    assert _post(signed_in, "/windows/W01/call-next").json()["id"] == first.pk
    after = phone.get(f"/api/v1/tickets/{second.pk}").json()
    assert (after["status"], after["position"], after["estimated_wait_minutes"]) == (
        "waiting",
        0,
        0,
    )
    assert phone.get(f"/api/v1/tickets/{first.pk}").json()["status"] == "called"
    assert phone.get("/api/v1/tickets/no-such-ticket").status_code == 404


def test_several_items_and_a_center_code(hall, clock) -> None:
    response = _post(Client(), "/tickets", {"item_codes": ["JG01", "HZ02"], "center_code": "TG"})
    assert response.status_code == 200
    assert response.json()["number"] == "B001"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"item_code": "XX99"}, 404, "unknown_item"),
        ({}, 400, "unknown_item"),
        ({"item_code": "HZ02", "priority": "vip"}, 400, "invalid_priority"),
        ({"item_code": "HZ02", "center_code": "NOPE"}, 404, "unknown_center"),
        ({"item_code": 12}, 400, "invalid_request"),
    ],
)
def test_bad_issue_requests_get_chinese_errors_and_change_nothing(
    hall, clock, body, status, code
) -> None:
    response = _post(Client(), "/tickets", body)

    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert Ticket.objects.count() == 0


def test_malformed_json_is_a_400_not_a_500(hall, clock) -> None:
    response = Client().post("/api/v1/tickets", data="{oops", content_type="application/json")
    assert response.status_code == 400


def test_unknown_ticket_is_404(hall) -> None:
    response = Client().get("/api/v1/tickets/not-a-real-id")
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_ticket"


def test_closed_center_is_409_with_the_opening_hours(hall, clock) -> None:
    clock.shift(60 * 60 * 9)  # 19:00
    response = _post(Client(), "/tickets", {"item_code": "HZ02"})
    assert response.status_code == 409
    assert response.json()["code"] == "center_closed"
    assert "08:30–17:30" in response.json()["message"]


def test_anonymous_issuing_is_throttled_per_device_but_staff_is_not(
    hall, clock, make_staff, api_client_for
) -> None:
    phone = Client()
    phone.cookies["bm_device"] = "device-aaaaaaaaaaaaaaaa"
    statuses = [_post(phone, "/tickets", {"item_code": "HZ02"}).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert _post(phone, "/tickets", {"item_code": "HZ02"}).json()["code"] == "throttled"

    guide = api_client_for(make_staff(Role.GUIDE))
    assert [_post(guide, "/tickets", {"item_code": "HZ02"}).status_code for _ in range(8)] == [
        200
    ] * 8
    assert Ticket.objects.filter(channel="guide").count() == 8


def test_double_submit_with_an_idempotency_key_gives_one_ticket(hall, clock) -> None:
    client = Client()
    a = _post(client, "/tickets", {"item_code": "HZ02"}, HTTP_IDEMPOTENCY_KEY="tap-1").json()
    b = _post(client, "/tickets", {"item_code": "HZ02"}, HTTP_IDEMPOTENCY_KEY="tap-1").json()
    assert a["id"] == b["id"]
    assert Ticket.objects.count() == 1


# --- windows ---------------------------------------------------------------------------------


def test_sign_in_shape_and_one_window_at_a_time(officer, api_client_for, hall, clock) -> None:
    client = api_client_for(officer)

    response = _post(client, "/windows/W01/sign-in")
    assert response.json() == {"window_code": "W01", "officer": "officer01", "paused": False}
    assert _post(client, "/windows/W02/sign-in").status_code == 200
    assert list(
        WindowSession.objects.filter(ended_at__isnull=True).values_list("window__code", flat=True)
    ) == ["W02"]
    assert _post(client, "/windows/W99/sign-in").json()["code"] == "unknown_window"


def test_call_next_returns_the_ticket_then_204(signed_in, issue, clock) -> None:
    ticket = issue("HZ02")

    response = _post(signed_in, "/windows/W01/call-next")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == STAFF_TICKET_KEYS
    assert (body["id"], body["number"], body["status"], body["window_code"]) == (
        ticket.pk,
        "A001",
        "called",
        "W01",
    )

    # a double click: the current ticket must be finished first
    again = _post(signed_in, "/windows/W01/call-next")
    assert (again.status_code, again.json()["code"]) == (409, "current_ticket")

    finished = _post(signed_in, f"/tickets/{ticket.pk}/finish")
    assert finished.json()["status"] == "finished"
    empty = _post(signed_in, "/windows/W01/call-next")
    assert (empty.status_code, empty.content) == (204, b"")


def test_call_next_at_a_window_one_is_not_signed_in_to(signed_in, issue, clock) -> None:
    issue("HZ02")
    response = _post(signed_in, "/windows/W02/call-next")
    assert response.status_code == 409
    assert response.json() == {
        "code": "not_signed_in",
        "message": "您没有在 W02 窗口签到，请先签到",
    }
    assert Ticket.objects.get().status == "waiting"


def test_recall_no_show_park_unpark_transfer_endpoints(signed_in, issue, hall, clock) -> None:
    a = issue("HZ02")
    clock.shift(30)
    b = issue("HZ02")
    _post(signed_in, "/windows/W01/call-next")
    assert _post(signed_in, f"/tickets/{a.pk}/recall").json()["recall_count"] == 1
    early = _post(signed_in, f"/tickets/{a.pk}/no-show")
    assert (early.status_code, early.json()["code"]) == (409, "recalls_pending")
    _post(signed_in, f"/tickets/{a.pk}/recall")
    moved = _post(signed_in, f"/tickets/{a.pk}/no-show").json()
    assert (moved["status"], moved["position"]) == ("waiting", 1)

    called = _post(signed_in, "/windows/W01/call-next").json()
    assert called["id"] == b.pk
    parked = _post(signed_in, f"/tickets/{b.pk}/park").json()
    assert parked["status"] == "parked"
    back = _post(signed_in, f"/tickets/{b.pk}/unpark", {"window_code": "W01"}).json()
    assert (back["status"], back["window_code"]) == ("called", "W01")
    moved = _post(signed_in, f"/tickets/{b.pk}/transfer", {"item_code": "JG01"}).json()
    assert (moved["status"], moved["item_code"], moved["item_codes"]) == (
        "waiting",
        "JG01",
        ["HZ02", "JG01"],
    )
    missing = _post(signed_in, f"/tickets/{b.pk}/transfer", {})
    assert missing.status_code == 400


def test_only_the_calling_officer_may_finish(
    signed_in, issue, make_staff, api_client_for, clock
) -> None:
    ticket = issue("HZ02")
    _post(signed_in, "/windows/W01/call-next")
    other = api_client_for(make_staff(Role.OFFICER))

    response = _post(other, f"/tickets/{ticket.pk}/finish")

    assert (response.status_code, response.json()["code"]) == (403, "not_your_ticket")
    assert Ticket.objects.get().status == "called"


def test_pause_and_resume(signed_in, issue, clock) -> None:
    issue("HZ02")
    assert _post(signed_in, "/windows/W01/pause").json()["paused"] is True
    assert _post(signed_in, "/windows/W01/call-next").json()["code"] == "window_paused"
    assert _post(signed_in, "/windows/W01/resume").json()["paused"] is False
    assert _post(signed_in, "/windows/W01/call-next").status_code == 200


# --- authorization matrix --------------------------------------------------------------------

CALLERS = {Role.OFFICER, Role.SHIFT_LEADER}
ISSUERS = {Role.GUIDE, Role.OFFICER, Role.SHIFT_LEADER}


@pytest.mark.parametrize("role", list(Role))
def test_sign_in_and_call_next_matrix(role, staff_by_role, api_client_for, issue, clock) -> None:
    issue("HZ02")
    client = api_client_for(staff_by_role[role])
    events_before = TicketEvent.objects.count()

    sign_in = _post(client, "/windows/W03/sign-in")
    call = _post(client, "/windows/W03/call-next")

    if role in CALLERS:
        assert (sign_in.status_code, call.status_code) == (200, 200)
    else:
        assert (sign_in.status_code, call.status_code) == (403, 403)
        assert sign_in.json()["code"] == "permission_denied"
        assert WindowSession.objects.count() == 0
        assert Ticket.objects.get().status == "waiting"
        assert TicketEvent.objects.count() == events_before


@pytest.mark.parametrize("role", list(Role))
def test_staff_issue_matrix(role, staff_by_role, api_client_for, hall, clock) -> None:
    response = _post(api_client_for(staff_by_role[role]), "/tickets", {"item_code": "HZ02"})

    if role in ISSUERS:
        assert response.status_code == 200
        assert Ticket.objects.get().channel == "guide"
    else:
        assert response.status_code == 403
        assert Ticket.objects.count() == 0


def test_staff_endpoints_need_a_token(hall, clock) -> None:
    for path in ("/windows/W01/sign-in", "/windows/W01/call-next", "/tickets/x/finish"):
        response = _post(Client(), path)
        assert response.status_code == 401
        assert response.json()["code"] == "unauthorized"
