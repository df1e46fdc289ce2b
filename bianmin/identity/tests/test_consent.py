"""Consent first (domain-rules §8): separate, per use, for a stated purpose; guardian for
under-14s; refused (nothing stored) when face verification cannot work for this person."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection

from bianmin.audit.enums import AuditAction
from bianmin.core.errors import DomainError
from bianmin.identity.models import FaceConsent
from bianmin.identity.tests import faces

pytestmark = pytest.mark.django_db


def test_consent_records_person_purpose_officer_and_short_expiry(
    officer, make_person, consent_for, pinned
) -> None:
    person = make_person(photo=None)
    person.photo_sha256 = "x"  # a photo is registered (its template is not needed to consent)
    person.save(update_fields=["photo_sha256"])

    consent = consent_for()

    assert consent.person == person
    assert consent.officer == officer
    assert consent.center == officer.center
    assert consent.purpose == "领证身份核验"
    assert consent.is_minor is False
    assert consent.expires_at - consent.created_at == timedelta(minutes=30)
    assert consent.used_at is None
    entry = faces.audit_entries().get(action=AuditAction.FACE_CONSENT)
    assert entry.actor == officer
    assert entry.target_id == str(consent.pk)
    assert entry.after["purpose"] == "领证身份核验"
    assert entry.after["person"] == person.id_number_masked
    assert faces.ADULT_ID not in str(entry.after)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        (
            {"id_number": faces.ADULT_ID[:-1] + ("1" if faces.ADULT_ID[-1] != "1" else "2")},
            "invalid_id_number",
        ),
        ({"purpose": ""}, "invalid_purpose"),
        ({"purpose": "x" * 101}, "invalid_purpose"),
    ],
)
def test_invalid_input_is_refused_and_nothing_stored(officer, kwargs, code) -> None:
    from bianmin.identity.services import face_consent_record

    data = {"id_number": faces.ADULT_ID, "purpose": "领证身份核验", **kwargs}
    with pytest.raises(DomainError) as info:
        face_consent_record(actor=officer, **data)

    assert info.value.code == code
    assert FaceConsent.objects.count() == 0


def test_unknown_person_is_refused_with_the_alternative_named(consent_for) -> None:
    with pytest.raises(DomainError) as info:
        consent_for()

    assert info.value.code == "person_not_found"
    assert "户口簿" in info.value.message
    assert "网证" in info.value.message
    assert FaceConsent.objects.count() == 0
    assert not faces.audit_entries().filter(action=AuditAction.FACE_CONSENT).exists()


def test_person_without_registry_photo_is_refused(make_person, consent_for) -> None:
    make_person(photo=None)

    with pytest.raises(DomainError) as info:
        consent_for()

    assert info.value.code == "no_registry_photo"
    assert info.value.message == (
        "登记库中没有此人的照片，无法刷脸核验，请改用户口簿、其他证件或网证核验"
    )
    assert FaceConsent.objects.count() == 0


def _child_with_photo(make_person):
    person = make_person(faces.CHILD_ID, name="王小明", photo=None)
    person.photo_sha256 = "x"
    person.save(update_fields=["photo_sha256"])
    return person


@pytest.mark.parametrize(
    ("guardian", "code"),
    [
        ({}, "guardian_consent_required"),
        ({"guardian_name": "李秀英"}, "guardian_consent_required"),
        ({"guardian_name": "李秀英", "guardian_id_number": "123"}, "invalid_guardian"),
        ({"guardian_name": "李秀英", "guardian_id_number": faces.CHILD_ID}, "invalid_guardian"),
        (  # a guardian must be an adult
            {
                "guardian_name": "王大明",
                "guardian_id_number": "610522201001010018",
            },
            "invalid_guardian",
        ),
    ],
)
def test_under_14_needs_an_adult_guardians_consent(
    make_person, consent_for, pinned, guardian, code
) -> None:
    _child_with_photo(make_person)

    with pytest.raises(DomainError) as info:
        consent_for(faces.CHILD_ID, **guardian)

    assert info.value.code == code
    assert FaceConsent.objects.count() == 0


def test_under_14_with_guardian_stores_the_guardian_encrypted(
    make_person, consent_for, pinned
) -> None:
    _child_with_photo(make_person)

    consent = consent_for(
        faces.CHILD_ID, guardian_name="李秀英", guardian_id_number=faces.GUARDIAN_ID
    )

    consent.refresh_from_db()
    assert consent.is_minor is True
    assert consent.guardian_name == "李秀英"
    assert consent.guardian_id_number == faces.GUARDIAN_ID
    assert (
        consent.guardian_id_number_masked
        == faces.GUARDIAN_ID[:6] + "********" + (faces.GUARDIAN_ID[-4:])
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT guardian_id_number, guardian_name FROM identity_faceconsent WHERE id = %s",
            [consent.pk.hex if connection.vendor == "sqlite" else consent.pk],
        )
        raw_id, raw_name = (bytes(v) for v in cursor.fetchone())
    assert faces.GUARDIAN_ID.encode() not in raw_id
    assert "李秀英".encode() not in raw_name
    entry = faces.audit_entries().get(action=AuditAction.FACE_CONSENT)
    assert entry.after["minor"] is True
    assert faces.GUARDIAN_ID not in str(entry.after)


def test_a_14_year_old_consents_alone(make_person, consent_for, pinned) -> None:
    from datetime import date

    from bianmin.people.idnumber import make_id_number

    teen = make_id_number("610522", date(2012, 6, 15), 31)  # 14 today
    person = make_person(teen, name="王小刚", photo=None)
    person.photo_sha256 = "x"
    person.save(update_fields=["photo_sha256"])

    consent = consent_for(teen)

    assert consent.is_minor is False
    assert consent.guardian_name is None
