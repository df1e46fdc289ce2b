"""Enrollment: a registry photo added or changed through the registry is enrolled by the
PHOTO_CHANGED hook (Huey runs inline in tests); templates are encrypted and versioned; a photo
without exactly one usable face is reported, not enrolled."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from bianmin.audit.enums import AuditAction
from bianmin.core.errors import DomainError
from bianmin.identity import engine, services
from bianmin.identity.enums import EnrollmentStatus
from bianmin.identity.models import FaceConsent, FaceEnrollment
from bianmin.identity.selectors import face_enrollment_state
from bianmin.identity.services import enrollment as enrollment_module
from bianmin.identity.tests import faces
from bianmin.people.services import PersonInput, person_upsert

pytestmark = pytest.mark.django_db


def test_photo_added_through_the_registry_is_enrolled_encrypted(make_person) -> None:
    person = make_person(photo="obama_b.jpg")

    enrollment = FaceEnrollment.objects.get(person=person)
    assert enrollment.status == EnrollmentStatus.ENROLLED
    assert enrollment.photo_sha256 == person.photo_sha256
    assert (enrollment.model_name, enrollment.model_version) == services.model_identity()
    template = engine.Template.from_bytes(bytes(enrollment.template))
    assert template.vector.shape == (128,)
    assert template.model_version == engine.ThresholdConfig.load().model_version
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT template FROM identity_faceenrollment WHERE id = %s", [enrollment.pk]
        )
        raw = bytes(cursor.fetchone()[0])
    assert b"BMFT" not in raw
    assert b"dlib" not in raw
    entry = faces.audit_entries().get(action=AuditAction.FACE_ENROLLED)
    assert entry.actor is None
    assert entry.after["status"] == "enrolled"
    assert entry.after["photo_sha256"] == person.photo_sha256
    assert face_enrollment_state(person=person).state == "enrolled"


def test_group_photo_is_reported_not_enrolled(make_person, consent_for) -> None:
    person = make_person(photo="group_two.jpg")

    enrollment = FaceEnrollment.objects.get(person=person)
    assert enrollment.status == EnrollmentStatus.FAILED
    assert enrollment.template is None
    assert enrollment.reason_code == "multiple_faces"
    assert enrollment.reason == "画面中有多张人脸，请确保画面中只有本人"
    state = face_enrollment_state(person=person)
    assert (state.state, state.reason) == ("failed", "画面中有多张人脸，请确保画面中只有本人")
    with pytest.raises(DomainError) as info:
        consent_for()
    assert info.value.code == "registry_photo_unusable"
    assert "画面中有多张人脸" in info.value.message
    assert FaceConsent.objects.count() == 0


def test_changed_photo_is_enrolled_again_and_unchanged_photo_is_not(
    officer, make_person, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    person = make_person(photo="group_two.jpg")
    calls: list[int] = []
    real = enrollment_module._engine_enroll

    def counting(photo: bytes) -> engine.Template:
        calls.append(1)
        return real(photo)

    monkeypatch.setattr(enrollment_module, "_engine_enroll", counting)

    with django_capture_on_commit_callbacks(execute=True):
        person_upsert(
            actor=officer,
            data=PersonInput("王建国", faces.ADULT_ID, "male", photo=faces.photo("obama_b.jpg")),
        )
    with django_capture_on_commit_callbacks(execute=True):  # same photo again: no hook
        person_upsert(
            actor=officer,
            data=PersonInput("王建国", faces.ADULT_ID, "male", photo=faces.photo("obama_b.jpg")),
        )
    services.face_enroll_person(person_id=person.pk)  # idempotent

    enrollment = FaceEnrollment.objects.get(person=person)
    assert enrollment.status == EnrollmentStatus.ENROLLED
    assert calls == [1]
    assert FaceEnrollment.objects.count() == 1


def test_reenroll_command_updates_templates_of_an_older_model_version(make_person) -> None:
    person = make_person(photo="obama_b.jpg")
    FaceEnrollment.objects.filter(person=person).update(model_version="0+old")
    assert face_enrollment_state(person=person).state == "outdated"

    call_command("face_reenroll", verbosity=0)

    enrollment = FaceEnrollment.objects.get(person=person)
    assert enrollment.model_version == services.model_identity()[1]
    assert enrollment.status == EnrollmentStatus.ENROLLED
    assert faces.audit_entries().filter(action=AuditAction.FACE_ENROLLED).count() == 2


def test_hook_is_registered_once() -> None:
    from bianmin.identity.apps import schedule_enrollment
    from bianmin.people import hooks

    assert hooks.PHOTO_CHANGED.count(schedule_enrollment) == 1
