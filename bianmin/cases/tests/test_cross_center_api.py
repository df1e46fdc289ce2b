"""The cases API, endpoint by endpoint: a center-B officer with a bearer token names center A's
cases, tickets and arrival batches. Every call on an A object answers 404 with a JSON
{"code", "message"} and nothing of center A changes (cases, events, confirmations, messages,
batches, audit entries). Creating a case from B creates it in B, never in A."""

import json
from typing import Any

import pytest
from django.test import Client

from bianmin.accounts.models import Center
from bianmin.audit.models import AuditEntry
from bianmin.cases import services
from bianmin.cases.models import Case, CaseConfirmation, CaseEvent
from bianmin.cases.tests.factories import ApplicantFactory
from bianmin.core.permissions import Role
from bianmin.notifications.models import Batch, Message
from tests.support.case_builders import ADULT_ID, ADULT_NAME, PHONE, all_provided

pytestmark = pytest.mark.usefixtures("templates")


@pytest.fixture
def a_cases(pinned, new_case, accepted_case, waiting_cases, officer, back_office, setup) -> Any:
    """Center A's cases at every point of the pipeline, an arrival batch and a kiosk ticket."""
    from bianmin.hall.enums import IssueChannel
    from bianmin.hall.services import ticket_issue

    fresh = new_case("HZ02", confirm=False)  # pre-review, not yet confirmed
    reviewed = new_case("HZ02", who=ApplicantFactory())
    services.case_pre_review(actor=officer, case=reviewed, results=all_provided(reviewed))
    in_review = accepted_case("HZ02", who=ApplicantFactory())  # accepted, next stage: review
    approving = services.case_advance(
        actor=back_office, case=accepted_case("HZ02", who=ApplicantFactory()), to_stage="review"
    )  # reviewed, next stage: approve
    waiting, arrived = waiting_cases(2)  # in production, next: arrival
    services.case_claim(actor=back_office, case=waiting)
    arrived = services.case_register_arrival(actor=back_office, case=arrived)
    return {
        "fresh": fresh,
        "reviewed": reviewed,
        "in_review": in_review,
        "approving": approving,
        "waiting": waiting,
        "arrived": arrived,
        "ticket": ticket_issue(
            actor=None, center=setup, item_codes=["HZ02"], channel=IssueChannel.KIOSK
        ),
        "batch_id": services.arrival_list_preview(actor=back_office, text=waiting.number),
    }


@pytest.fixture
def b_officer(make_staff, other_center) -> Any:
    """Center B's window officer: every case right an API call below needs."""
    return make_staff(Role.OFFICER, username="b-officer", center_=other_center)


def _center_state(center: Center) -> dict[str, Any]:
    cases = Case.objects.filter(center=center)
    return {
        "cases": list(
            cases.order_by("pk").values_list(
                "pk",
                "status",
                "stage",
                "next_stage",
                "locked_by",
                "accepted_at",
                "arrived_at",
                "updated_at",
            )
        ),
        "events": CaseEvent.objects.filter(case__in=cases).count(),
        "confirmations": CaseConfirmation.objects.filter(case__in=cases).count(),
        "messages": Message.objects.filter(center=center).count(),
        "batches": list(
            Batch.objects.filter(center=center)
            .order_by("pk")
            .values_list("pk", "status", "messages_total")
        ),
        "audit": AuditEntry.objects.filter(center=center).count(),
    }


def _post(client: Client, path: str, body: Any = None) -> Any:
    return client.post(
        f"/api/v1{path}", json.dumps({} if body is None else body), content_type="application/json"
    )


def _not_found(response: Any) -> dict[str, Any]:
    assert response.status_code == 404, response.content
    payload = response.json()
    assert payload["code"]
    assert payload["message"]
    return payload


CONFIRMATION = {
    "stage": "window",
    "name": ADULT_NAME,
    "gender": "male",
    "id_type": "resident_id",
    "id_number": ADULT_ID,
}
APPLICANT = {"name": ADULT_NAME, "id_number": ADULT_ID, "gender": "male", "phone": PHONE}

# (path, the A case it names, body, who in A may make this call on that case)
CASE_CALLS = [
    ("/cases/{number}/accept", "reviewed", {}, "officer"),
    ("/cases/{number}/confirmations", "fresh", CONFIRMATION, "officer"),
    ("/cases/{number}/transitions", "in_review", {"to_stage": "review"}, "officer"),
    ("/cases/{number}/send-back", "approving", {"reason": "照片不合格"}, "back_office"),
    ("/cases/{number}/claim", "in_review", {}, "officer"),
    ("/cases/{number}/release", "waiting", {}, "back_office"),
    ("/cases/{number}/arrival", "waiting", {}, "back_office"),
    ("/cases/{number}/arrival?notify=true", "waiting", {}, "back_office"),
    ("/cases/{number}/pickup", "arrived", {"method": "id_card"}, "officer"),
]


@pytest.mark.parametrize(("path", "which", "body", "a_actor"), CASE_CALLS)
def test_officer_of_b_cannot_act_on_a_case_of_a(
    a_cases, b_officer, api_client_for, path, which, body, a_actor
) -> None:
    """POST /api/v1/cases/{number}/accept, POST /api/v1/cases/{number}/confirmations,
    POST /api/v1/cases/{number}/transitions, POST /api/v1/cases/{number}/send-back,
    POST /api/v1/cases/{number}/claim, POST /api/v1/cases/{number}/release,
    POST /api/v1/cases/{number}/arrival, POST /api/v1/cases/{number}/pickup."""
    client = api_client_for(b_officer)
    before = _center_state(a_cases[which].center)
    response = _post(client, path.format(number=a_cases[which].number), body)
    assert _not_found(response)["code"] == "case_not_found"
    assert _center_state(a_cases[which].center) == before


@pytest.mark.parametrize(("path", "which", "body", "a_actor"), CASE_CALLS)
def test_the_same_calls_succeed_for_a_own_staff(
    a_cases, request, api_client_for, path, which, body, a_actor
) -> None:
    """Control for the refusals above: POST /api/v1/cases/{number}/... by A's own officer or
    back office is accepted, so a 404 for B comes from the center, not a wrong body or state."""
    client = api_client_for(request.getfixturevalue(a_actor))
    response = _post(client, path.format(number=a_cases[which].number), body)
    assert response.status_code in (200, 204), response.content


def test_case_create_by_b_creates_in_b_only(a_cases, b_officer, api_client_for) -> None:
    """POST /api/v1/cases (bianmin_cases_api_case_create): B's officer registers a case for the
    same item and applicant as A's open case; it is B's case, and A's cases are unchanged. The
    applicant is in the province's registry, registered by A (ADR 0007): B may touch only the
    contact fields, audited in A's chain; the registry keeps A's center and A's name."""
    client = api_client_for(b_officer)
    a_center = a_cases["fresh"].center
    person = a_cases["fresh"].applicant
    before = _center_state(a_center)
    last_audit = AuditEntry.objects.order_by("pk").last()
    response = _post(
        client,
        "/cases",
        {"item_code": "HZ02", "applicant": APPLICANT, "materials": {"old_id_card": "provided"}},
    )
    assert response.status_code == 200, response.content
    case = Case.objects.get(number=response.json()["number"])
    assert case.center_id == b_officer.center_id
    assert case.created_by_id == b_officer.pk
    assert case.applicant_id == person.pk
    after = _center_state(a_center)
    assert after.pop("audit") >= before.pop("audit")
    assert after == before
    assert set(
        AuditEntry.objects.filter(center=a_center, pk__gt=last_audit.pk).values_list(
            "target_type", flat=True
        )
    ) <= {"people.person"}
    person.refresh_from_db()
    assert (person.center_id, person.name) == (a_center.pk, ADULT_NAME)


def test_case_create_by_b_naming_a_ticket_of_a_is_refused(
    a_cases, b_officer, api_client_for
) -> None:
    """POST /api/v1/cases with A's ticket id: 404 ticket_not_found; no case anywhere."""
    client = api_client_for(b_officer)
    a_center = a_cases["fresh"].center
    before, b_cases = _center_state(a_center), Case.objects.filter(center=b_officer.center).count()
    response = _post(
        client,
        "/cases",
        {
            "item_code": "HZ02",
            "applicant": APPLICANT,
            "materials": {"old_id_card": "provided"},
            "ticket_id": a_cases["ticket"].pk,
        },
    )
    assert _not_found(response)["code"] == "ticket_not_found"
    assert _center_state(a_center) == before
    assert Case.objects.filter(center=b_officer.center).count() == b_cases


def test_arrival_batch_by_b_matches_none_of_a_cases(a_cases, b_officer, api_client_for) -> None:
    """POST /api/v1/cases/arrivals (bianmin_cases_api_case_arrival_batch) with A's case number
    and A's applicant's ID number: every row is refused as not found, A is unchanged."""
    client = api_client_for(b_officer)
    waiting = a_cases["waiting"]
    before = _center_state(waiting.center)
    response = _post(
        client,
        "/cases/arrivals",
        {"values": [waiting.number, waiting.id_number_plain], "notify": True},
    )
    assert response.status_code == 200, response.content
    assert [row["ok"] for row in response.json()] == [False, False]
    assert _center_state(waiting.center) == before
    assert Case.objects.get(pk=waiting.pk).arrived_at is None


def test_sending_a_batch_of_a_from_b_is_not_found(a_cases, b_officer, api_client_for) -> None:
    """POST /api/v1/sms/batches/{batch_id}/send (bianmin_cases_api_arrival_list_send) with A's
    draft arrival batch: 404 with a code and message; the batch stays a draft, no SMS."""
    client = api_client_for(b_officer)
    center = a_cases["waiting"].center
    before = _center_state(center)
    _not_found(_post(client, f"/sms/batches/{a_cases['batch_id']}/send"))
    assert _center_state(center) == before
    assert Batch.objects.get(pk=a_cases["batch_id"]).messages_total == 0


def test_id_check_page_of_b_reads_nothing_of_a(a_cases, b_officer, login_client_for) -> None:
    """cases:id_check (/cases/window/id-check/): B's officer types the ID number of A's
    applicant; the check is about the number's form only: no name of A's applicant, nothing
    written."""
    center = a_cases["fresh"].center
    before = _center_state(center)
    html = (
        login_client_for(b_officer)
        .post("/cases/window/id-check/", {"id_number": ADULT_ID})
        .content.decode()
    )
    assert ADULT_NAME not in html
    assert a_cases["fresh"].number not in html
    assert _center_state(center) == before
