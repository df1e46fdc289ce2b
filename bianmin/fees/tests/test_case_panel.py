"""The fee panel with real cases (cases' case_fee_facts and case_confirmation_record)."""

import pytest
from django.urls import reverse

from bianmin.cases import services as cases_services
from bianmin.fees.models import Payment


@pytest.fixture
def case(policies, pinned, officer, id_of_age):
    return cases_services.case_create(
        actor=officer,
        item_code="HZ02",
        groups=["dibao"],
        applicant=cases_services.ApplicantInput(
            name="王小明", id_number=id_of_age(40), gender="male", phone="13912345678"
        ),
    )


def body(case, officer_typed_id, **extra):
    return {
        "case": case.number,
        "idempotency_key": "z" * 32,
        "name": "王小明",
        "gender": "male",
        "id_type": "resident_id",
        "id_number": officer_typed_id,
        "method": "cash",
        "stage": "acceptance",
        "groups": ["dibao"],
        "evidence_dibao": "低保证 0012",
        "collect": "1",
        **extra,
    }


def test_a_real_case_is_charged_with_its_groups_and_linked(
    case, officer, login_client_for, id_of_age
):
    client = login_client_for(officer)

    page = client.get(reverse("fees:case_panel"), {"case": case.number}, HTTP_HX_REQUEST="true")
    response = client.post(
        reverse("fees:case_panel"), body(case, id_of_age(40)), HTTP_HX_REQUEST="true"
    )

    assert "全免 20 元：特困群体减免" in page.content.decode()
    payment = Payment.objects.get()
    assert (payment.case_id, payment.case_number, payment.payable_fen) == (case.pk, case.number, 0)
    assert "免费" in response.content.decode()


def test_a_real_mismatch_is_refused_by_the_cases_confirmation(
    case, officer, login_client_for, id_of_age
):
    response = login_client_for(officer).post(
        reverse("fees:case_panel"), body(case, id_of_age(41)), HTTP_HX_REQUEST="true"
    )

    assert "申请人确认的证件号码与登记信息不一致" in response.content.decode()
    assert Payment.objects.count() == 0
    # the refusal is recorded on the case for the registering officer, after the collection's
    # transaction rolled back; nothing was confirmed
    from bianmin.cases.models import CaseConfirmation, CaseEvent

    events = CaseEvent.objects.filter(case=case, type="confirm_mismatch")
    assert [(e.actor_id, e.data["stage"], e.data["fields"]) for e in events] == [
        (officer.pk, "payment", ["证件号码"])
    ]
    assert not CaseConfirmation.objects.filter(case=case, stage="payment").exists()
