"""The face check started from the pickup panel: the applicant's consent is recorded there,
the check page receives it (and so the person), and the result comes back to the panel by
itself; the pickup then carries the check without anyone copying an id."""

import re

import pytest
from django.test import Client

from bianmin.cases import services
from bianmin.cases.models import Case
from bianmin.identity.models import FaceConsent
from bianmin.identity.tests import faces
from bianmin.identity.tests.factories import FaceCheckFactory
from bianmin.people.services import PersonInput, person_upsert
from tests.support.case_builders import ADULT_ID, ADULT_NAME

pytestmark = pytest.mark.django_db


@pytest.fixture
def pickup_case(pinned, accepted_case, officer, back_office, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the registry photo is enrolled
        person_upsert(
            actor=officer,
            data=PersonInput(ADULT_NAME, ADULT_ID, "male", photo=faces.photo("obama_b.jpg")),
        )
    case = accepted_case("HZ02")
    for stage in ("review", "approve", "production"):
        case = services.case_advance(actor=back_office, case=case, to_stage=stage)
    case = services.case_register_arrival(actor=officer, case=case, notify=False)
    assert case.next_stage == "pickup"
    return case


def test_face_check_result_returns_to_the_pickup_panel(pickup_case, officer) -> None:
    client = Client()
    client.force_login(officer)
    number = pickup_case.number
    refused = client.post("/cases/window/face_start/", {"case": number}).content.decode()
    assert "单独同意" in refused
    assert not FaceConsent.objects.exists()

    panel = client.post(
        "/cases/window/face_start/", {"case": number, "face_consent": "on"}
    ).content.decode()
    consent = FaceConsent.objects.get()
    assert consent.person_id == pickup_case.applicant_id
    assert f"/face/check/?consent={consent.pk}" in panel
    assert ADULT_ID not in panel
    poll = re.search(r'hx-get="([^"]*face-status[^"]*)"', panel).group(1).replace("&amp;", "&")
    assert "等待刷脸核验结果" in client.get(poll).content.decode()

    check = FaceCheckFactory(
        consent=consent, person=pickup_case.applicant, officer=officer, center=officer.center
    )
    done = client.get(poll).content.decode()
    assert "刷脸核验通过" in done
    assert f'name="face_check_id" value="{check.pk}"' in done
    assert "hx-trigger" not in done  # polling stops

    client.post(
        "/cases/window/pickup/",
        {"case": number, "method": "face", "face_check_id": str(check.pk)},
    )
    assert Case.objects.get(pk=pickup_case.pk).status == "closed"


def test_another_cases_consent_never_fills_this_panel(pickup_case, officer, new_case) -> None:
    client = Client()
    client.force_login(officer)
    consent = FaceConsent.objects.create(
        center=officer.center,
        person=new_case("HZ03").applicant,
        officer=officer,
        purpose="领证身份核验",
        expires_at=pickup_case.accepted_at,
    )
    answer = client.get(
        f"/cases/window/face-status/?case={pickup_case.number}&consent={consent.pk}"
    ).content.decode()
    assert "face_check_id" not in answer
