"""Cross-center authorization of every identity write (API operation and form), with a
center-B officer against center-A objects: refused exactly as an unknown object would be, and
nothing changes.

Covered, by URL name / API operation:
- API ``consent_create`` (POST /api/v1/face/consents) and form ``identity:check`` (POST)
- API ``verify`` (POST /api/v1/face/verify) and form ``identity:verify``
- form ``identity:quality`` (POST, live guidance; reads a consent)
- form ``identity:decide`` (POST)
- ``identity:person_face`` (GET fragment of another center's person)
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bianmin.core.permissions import Role
from bianmin.identity.models import FaceCheck, FaceConsent
from bianmin.identity.tests import faces
from bianmin.identity.tests.factories import FaceCheckFactory
from bianmin.people.idnumber import make_id_number

pytestmark = pytest.mark.django_db

CONSENTS = "/api/v1/face/consents"
VERIFY = "/api/v1/face/verify"
UNKNOWN_ID = make_id_number("610522", date(1990, 1, 1), 123)  # valid, nobody registered


@pytest.fixture
def officer_b(make_staff: Any, other_center: Any) -> Any:
    return make_staff(Role.OFFICER, username="hyofficer", center_=other_center)


def _consent_answer(client: Any, id_number: str) -> tuple[int, dict[str, Any]]:
    response = client.post(
        CONSENTS,
        {"id_number": id_number, "purpose": "领证身份核验"},
        content_type="application/json",
    )
    return response.status_code, response.json()


@pytest.mark.parametrize("photo", ["obama_b.jpg", None], ids=["with_photo", "without_photo"])
def test_consent_api_answers_a_center_a_resident_exactly_as_an_unknown_number(
    photo, make_person, officer_b, api_client_for
) -> None:
    make_person(photo=photo)  # a resident of center A
    client = api_client_for(officer_b)

    unknown = _consent_answer(client, UNKNOWN_ID)
    resident_of_a = _consent_answer(client, faces.ADULT_ID)

    assert unknown == (404, {"code": "person_not_found", "message": unknown[1]["message"]})
    assert resident_of_a == unknown
    assert FaceConsent.objects.count() == 0


def test_consent_form_answers_a_center_a_resident_exactly_as_an_unknown_number(
    make_person, officer_b, login_client_for
) -> None:
    make_person(photo=None)  # in center A without a photo: used to say "no registry photo"
    client = login_client_for(officer_b)
    url = reverse("identity:check")

    unknown = client.post(url, {"id_number": UNKNOWN_ID, "purpose": "领证身份核验"})
    resident_of_a = client.post(url, {"id_number": faces.ADULT_ID, "purpose": "领证身份核验"})

    assert unknown.status_code == resident_of_a.status_code == 404
    assert "登记库中没有此人" in resident_of_a.content.decode()
    assert "照片" not in resident_of_a.context["error"].split("，")[0]
    assert resident_of_a.context["error"] == unknown.context["error"]
    assert FaceConsent.objects.count() == 0


def test_the_own_center_still_learns_that_the_photo_is_missing(
    make_person, officer, api_client_for
) -> None:
    make_person(photo=None)

    status, body = _consent_answer(api_client_for(officer), faces.ADULT_ID)

    assert (status, body["code"]) == (400, "no_registry_photo")


@pytest.fixture
def consent_a(make_person: Any, consent_for: Any) -> Any:
    make_person(photo="obama_b.jpg")
    return consent_for()  # recorded by the center-A officer


def test_verify_api_with_center_a_consent_is_refused_and_the_consent_stays_usable(
    consent_a, officer_b, api_client_for
) -> None:
    frames = [SimpleUploadedFile(f"f{i}.jpg", f) for i, f in enumerate(faces.still_burst(n=2))]

    response = api_client_for(officer_b).post(
        VERIFY,
        {"id_number": faces.ADULT_ID, "consent_id": str(consent_a.pk), "frames": frames},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "consent_missing"
    consent_a.refresh_from_db()
    assert consent_a.used_at is None
    assert FaceCheck.objects.count() == 0


def test_verify_and_quality_forms_with_center_a_consent_are_not_found(
    consent_a, officer_b, login_client_for
) -> None:
    client = login_client_for(officer_b)
    frame = faces.still_burst(n=1)[0]

    verify = client.post(
        reverse("identity:verify", args=[consent_a.pk]),
        {"frames": [SimpleUploadedFile("f.jpg", frame)]},
    )
    quality = client.post(
        reverse("identity:quality", args=[consent_a.pk]),
        {"frame": SimpleUploadedFile("f.jpg", frame)},
    )

    assert verify.status_code == 404
    assert quality.status_code == 404
    consent_a.refresh_from_db()
    assert consent_a.used_at is None
    assert FaceCheck.objects.count() == 0


def test_decide_form_on_a_center_a_check_is_not_found_and_changes_nothing(
    make_person, officer, officer_b, login_client_for
) -> None:
    check = FaceCheckFactory.create(person=make_person(photo=None), officer=officer)

    response = login_client_for(officer_b).post(
        reverse("identity:decide", args=[check.pk]), {"decision": "accepted", "reason": "已核对"}
    )

    assert response.status_code == 404
    check.refresh_from_db()
    assert check.officer_decision == ""
    assert check.decided_by_id is None


def test_person_face_fragment_of_a_center_a_person_is_not_found(
    make_person, officer_b, login_client_for
) -> None:
    person = make_person(photo="obama_b.jpg")

    response = login_client_for(officer_b).get(reverse("identity:person_face", args=[person.pk]))

    assert response.status_code == 404
