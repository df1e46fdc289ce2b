"""零差错: a confirmation refused for a mismatch is recorded once (against the registering officer,
fields by label, never values) and confirms nothing, through the window page and the API."""

import json

import pytest

from bianmin.cases import selectors, services
from bianmin.cases.enums import CaseEventType
from bianmin.cases.models import CaseConfirmation, CaseEvent
from bianmin.cases.tests.conftest import at
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Role
from tests.support.case_builders import ADULT_ID, ADULT_NAME, applicant

HX = {"HTTP_HX_REQUEST": "true"}
WRONG_NAME = "王建华"


@pytest.fixture
def checker(make_staff):
    """The officer at whose window the applicant confirms (not the one who registered)."""
    return make_staff(Role.OFFICER, username="officer02")


def mismatches(case):
    return list(CaseEvent.objects.filter(case=case, type=CaseEventType.CONFIRMATION_MISMATCH))


def window_confirmations(case):
    return CaseConfirmation.objects.filter(case=case, stage="window").count()


pytestmark = pytest.mark.django_db


def test_a_mismatch_on_the_window_page_is_recorded_once_and_confirms_nothing(
    pinned, new_case, officer, checker, login_client_for
):
    case = new_case(confirm=False)
    events_before = CaseEvent.objects.filter(case=case).count()
    client = login_client_for(checker)

    html = client.post(
        "/cases/window/confirm/",
        {
            "case": case.number,
            "name": WRONG_NAME,
            "gender": "female",
            "id_type": "resident_id",
            "id_number": ADULT_ID,
        },
        **HX,
    ).content.decode()

    assert "申请人确认的姓名、性别与登记信息不一致" in html
    [event] = mismatches(case)
    assert event.actor_id == officer.pk  # the registering officer erred, not the checker
    assert event.data == {
        "stage": "window",
        "method": "typed",
        "fields": ["姓名", "性别"],
        "checked_by": checker.pk,
    }
    assert event.reason == "窗口核对环节申请人确认的姓名、性别与登记信息不一致，未予确认"
    stored = json.dumps(event.data, ensure_ascii=False) + event.reason
    for value in (ADULT_NAME, WRONG_NAME, ADULT_ID, ADULT_ID[-4:]):
        assert value not in stored
    assert window_confirmations(case) == 0
    assert CaseEvent.objects.filter(case=case).count() == events_before + 1
    assert not CaseEvent.objects.filter(case=case, type=CaseEventType.CONFIRMED).exists()

    # the case page's timeline shows it in Chinese
    page = login_client_for(officer).get(f"/cases/{case.number}/").content.decode()
    assert "确认信息不一致" in page
    assert "窗口核对环节申请人确认的姓名、性别与登记信息不一致" in page


def test_a_mismatch_through_the_api_is_recorded_and_listed_in_the_case_events(
    pinned, new_case, officer, api_client_for
):
    case = new_case(confirm=False)
    client = api_client_for(officer)

    response = client.post(
        f"/api/v1/cases/{case.number}/confirmations",
        {
            "stage": "window",
            "name": ADULT_NAME,
            "gender": "male",
            "id_type": "resident_id",
            "id_number": ADULT_ID[:-1] + ("0" if ADULT_ID[-1] != "0" else "1"),
        },
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "confirmation_mismatch"
    assert response.json()["fields"] == ["证件号码"]
    [event] = mismatches(case)
    assert (event.actor_id, event.data["fields"]) == (officer.pk, ["证件号码"])
    assert window_confirmations(case) == 0
    listed = client.get(f"/api/v1/cases/{case.number}").json()["events"]
    assert [e["type"] for e in listed].count("confirm_mismatch") == 1

    # the right data then confirms; the recorded mismatch stays
    ok = client.post(
        f"/api/v1/cases/{case.number}/confirmations",
        {
            "stage": "window",
            "name": ADULT_NAME,
            "gender": "male",
            "id_type": "resident_id",
            "id_number": ADULT_ID,
        },
        content_type="application/json",
    )
    assert ok.status_code == 204
    assert window_confirmations(case) == 1
    assert len(mismatches(case)) == 1


def test_a_refusal_inside_a_callers_transaction_is_kept_once_after_its_rollback(
    pinned, new_case, officer
):
    """A caller wrapping the confirmation in its own transaction (as the fee collection does)
    loses the event with its rollback and keeps it afterwards; keeping twice writes it once."""
    from django.db import transaction

    case = new_case(confirm=False)
    with pytest.raises(services.ConfirmationMismatch) as caught, transaction.atomic():
        services.case_confirmation_record(
            actor=officer,
            case_number=case.number,
            stage="payment",
            name=ADULT_NAME,
            gender="female",
            id_type="resident_id",
            id_number=ADULT_ID,
        )
    assert mismatches(case) == []  # rolled back with the caller's block

    services.case_confirmation_mismatch_keep(caught.value)
    services.case_confirmation_mismatch_keep(caught.value)

    [event] = mismatches(case)
    assert (event.data["stage"], event.data["fields"]) == ("payment", ["性别"])


def test_other_refusals_record_no_mismatch(pinned, new_case, officer, make_staff, other_center):
    case = new_case(confirm=False)
    stranger = make_staff(Role.OFFICER, username="hy_officer", center_=other_center)
    with pytest.raises(DomainError):
        services.case_confirmation_record(
            actor=stranger,
            case_number=case.number,
            stage="window",
            name=WRONG_NAME,
            gender="male",
            id_type="resident_id",
            id_number=ADULT_ID,
        )
    with pytest.raises(DomainError) as bad_stage:
        services.case_confirmation_record(
            actor=officer,
            case_number=case.number,
            stage="nowhere",
            name=WRONG_NAME,
            gender="male",
            id_type="resident_id",
            id_number=ADULT_ID,
        )
    assert bad_stage.value.code == "invalid_stage"
    assert mismatches(case) == []


def test_the_officer_facts_count_mismatches_on_cases_the_officer_registered(
    pinned, new_case, officer, checker
):
    mine = new_case(confirm=False)
    theirs = new_case(confirm=False, actor=checker, who=applicant())
    for case in (mine, mine, theirs):
        with pytest.raises(DomainError):
            services.case_confirmation_record(
                actor=checker,
                case_number=case.number,
                stage="window",
                name=WRONG_NAME,
                gender="male",
                id_type="resident_id",
                id_number=ADULT_ID,
            )
    day = at(2026, 9, 29).date()
    window = {"start": day, "end": day.replace(day=30)}

    facts = selectors.officer_case_facts(center_id=mine.center_id, officer_id=officer.pk, **window)
    other = selectors.officer_case_facts(center_id=mine.center_id, officer_id=checker.pk, **window)
    before = selectors.officer_case_facts(
        center_id=mine.center_id, officer_id=officer.pk, start=day.replace(day=1), end=day
    )

    assert (facts.mismatches, other.mismatches, before.mismatches) == (2, 1, 0)


@pytest.mark.django_db(transaction=True)
def test_the_recorded_mismatch_is_committed_not_only_kept_in_the_request(
    pinned, setup, officer, api_client_for
):
    """No wrapping test transaction here: what the API request left behind was committed."""
    from django.db import connection

    case = services.case_create(actor=officer, item_code="HZ02", applicant=applicant())

    response = api_client_for(officer).post(
        f"/api/v1/cases/{case.number}/confirmations",
        {
            "stage": "window",
            "name": WRONG_NAME,
            "gender": "male",
            "id_type": "resident_id",
            "id_number": ADULT_ID,
        },
        content_type="application/json",
    )

    assert response.status_code == 400
    assert not connection.in_atomic_block
    assert len(mismatches(case)) == 1
    assert window_confirmations(case) == 0
