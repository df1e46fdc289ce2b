"""The two endpoints of contracts.md: `POST /api/v1/face/consents` and `POST /api/v1/face/verify`,
with the page's rules; errors are `{"code", "message"}`; denied requests change nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bianmin.audit.enums import AuditAction
from bianmin.core.permissions import Role
from bianmin.identity.models import FaceCheck, FaceConsent
from bianmin.identity.tests import faces

pytestmark = pytest.mark.django_db

CONSENTS = "/api/v1/face/consents"
VERIFY = "/api/v1/face/verify"
ALLOWED = {Role.OFFICER, Role.SHIFT_LEADER}


def _person_with_photo_registered(make_person):
    person = make_person(photo=None)
    person.photo_sha256 = "x"  # consent needs a registered photo, not its template
    person.save(update_fields=["photo_sha256"])
    return person


@pytest.mark.parametrize("role", list(Role))
def test_consent_authorization_matrix(role, staff_by_role, api_client_for, make_person) -> None:
    _person_with_photo_registered(make_person)
    client = api_client_for(staff_by_role[role])

    response = client.post(
        CONSENTS,
        {"id_number": faces.ADULT_ID, "purpose": "领证身份核验"},
        content_type="application/json",
    )

    if role in ALLOWED:
        assert response.status_code == 200
        assert list(response.json()) == ["consent_id"]
        assert FaceConsent.objects.get().pk.hex == response.json()["consent_id"].replace("-", "")
    else:
        assert response.status_code == 403
        assert response.json() == {
            "code": "permission_denied",
            "message": "您没有执行此操作的权限",
        }
        assert FaceConsent.objects.count() == 0
        assert not faces.audit_entries().filter(action=AuditAction.FACE_CONSENT).exists()


def test_anonymous_requests_are_401(client) -> None:
    assert client.post(CONSENTS, {}, content_type="application/json").status_code == 401
    assert client.post(VERIFY, {}).status_code == 401


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"id_number": faces.OTHER_ID, "purpose": "领证身份核验"}, 404, "person_not_found"),
        ({"id_number": faces.ADULT_ID, "purpose": ""}, 400, "invalid_purpose"),
        ({"id_number": faces.ADULT_ID}, 400, "invalid_request"),
    ],
)
def test_consent_errors(officer, api_client_for, make_person, payload, status, code) -> None:
    _person_with_photo_registered(make_person)

    response = api_client_for(officer).post(CONSENTS, payload, content_type="application/json")

    assert response.status_code == status
    assert response.json()["code"] == code
    assert set(response.json()) == {"code", "message"}
    assert FaceConsent.objects.count() == 0


def test_consent_for_under_14_needs_guardian_fields(
    officer, api_client_for, make_person, pinned
) -> None:
    child = make_person(faces.CHILD_ID, name="王小明", photo=None)
    child.photo_sha256 = "x"
    child.save(update_fields=["photo_sha256"])
    client = api_client_for(officer)

    refused = client.post(
        CONSENTS,
        {"id_number": faces.CHILD_ID, "purpose": "领证身份核验"},
        content_type="application/json",
    )
    accepted = client.post(
        CONSENTS,
        {
            "id_number": faces.CHILD_ID,
            "purpose": "领证身份核验",
            "guardian_name": "李秀英",
            "guardian_id_number": faces.GUARDIAN_ID,
        },
        content_type="application/json",
    )

    assert refused.status_code == 400
    assert refused.json()["code"] == "guardian_consent_required"
    assert accepted.status_code == 200
    assert FaceConsent.objects.get().is_minor is True


def _frames(*blobs: bytes) -> list[SimpleUploadedFile]:
    return [
        SimpleUploadedFile(f"f{i}.jpg", blob, content_type="image/jpeg")
        for i, blob in enumerate(blobs)
    ]


def test_verify_contract(officer, api_client_for, make_person, pinned) -> None:
    make_person(photo="obama_b.jpg")
    client = api_client_for(officer)
    consent_id = client.post(
        CONSENTS,
        {"id_number": faces.ADULT_ID, "purpose": "领证身份核验"},
        content_type="application/json",
    ).json()["consent_id"]

    response = client.post(
        VERIFY,
        {
            "id_number": faces.ADULT_ID,
            "consent_id": consent_id,
            "frames": _frames(*faces.still_burst(n=5)),
        },
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"match", "score", "threshold", "liveness", "check_id"}
    check = FaceCheck.objects.get()
    assert body == {
        "match": False,  # a still photo never matches
        "score": check.score,
        "threshold": check.threshold,
        "liveness": "failed",
        "check_id": str(check.pk),
    }
    assert check.frame_count == 5

    again = client.post(
        VERIFY,
        {"id_number": faces.ADULT_ID, "consent_id": consent_id, "frames": _frames(b"x")},
    )
    assert again.status_code == 409
    assert again.json()["code"] == "consent_used"


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        (
            {"consent_id": "nope", "frames": _frames(faces.photo("obama_a.jpg"))},
            400,
            "consent_missing",
        ),
        ({"frames": _frames(b"not an image")}, 400, "not_an_image"),
        ({"frames": _frames(faces.photo("obama_a.jpg")[:3000])}, 400, "truncated_image"),
        ({"frames": _frames(faces.photo("group_two.jpg"))}, 400, "no_usable_frame"),
        ({}, 400, "invalid_request"),
    ],
)
def test_verify_errors_store_nothing(
    officer, api_client_for, make_person, consent_for, pinned, fields, status, code
) -> None:
    make_person(photo="obama_b.jpg")
    consent = consent_for()
    data = {"id_number": faces.ADULT_ID, "consent_id": str(consent.pk), **fields}

    response = api_client_for(officer).post(VERIFY, data)

    assert response.status_code == status
    assert response.json()["code"] == code
    assert set(response.json()) == {"code", "message"}
    assert FaceCheck.objects.count() == 0
    consent.refresh_from_db()
    assert consent.used_at is None


@pytest.mark.parametrize("role", sorted(set(Role) - ALLOWED))
def test_verify_denied_roles_change_nothing(
    role, staff_by_role, api_client_for, make_person, consent_for
) -> None:
    make_person(photo="obama_b.jpg")
    consent = consent_for()

    response = api_client_for(staff_by_role[role]).post(
        VERIFY,
        {
            "id_number": faces.ADULT_ID,
            "consent_id": str(consent.pk),
            "frames": _frames(faces.photo("obama_a.jpg")),
        },
    )

    assert response.status_code == 403
    assert FaceCheck.objects.count() == 0
    consent.refresh_from_db()
    assert consent.used_at is None
