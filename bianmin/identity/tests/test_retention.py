"""Shortest retention: frames are kept only when a case needs them (encrypted, linked to the
case) and deleted once that case is closed; a backstop age deletes the rest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection

from bianmin.audit.enums import AuditAction
from bianmin.cases.services import ApplicantInput, case_create, case_terminate
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Role
from bianmin.identity.models import FaceCheck, FaceFrame
from bianmin.identity.services import face_frames_purge, face_verify
from bianmin.identity.tests import faces

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_case(catalogue, windows, officer, make_person):
    make_person(photo="obama_b.jpg")
    return case_create(
        actor=officer,
        item_code="HZ02",
        applicant=ApplicantInput(
            name="王建国", id_number=faces.ADULT_ID, gender="male", phone="13912345678"
        ),
    )


def _verify_keeping(officer, consent, number):
    return face_verify(
        actor=officer,
        id_number=faces.ADULT_ID,
        consent_id=str(consent.pk),
        frames=list(faces.still_burst(n=5)),
        keep_for_case=number,
    )


def test_kept_frames_are_encrypted_and_deleted_when_the_case_closes(
    officer, make_staff, open_case, consent_for, pinned
) -> None:
    check = _verify_keeping(officer, consent_for(), open_case.number).check

    frames = list(FaceFrame.objects.filter(face_check=check))
    assert check.case_number == open_case.number
    assert [f.seq for f in frames] == [0, 1, 2, 3, 4]
    assert frames[0].image == faces.still_burst(n=5)[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT image FROM identity_faceframe")
        assert all(b"JFIF" not in bytes(row[0]) for row in cursor.fetchall())

    assert face_frames_purge() == 0  # the case is still open
    assert FaceFrame.objects.count() == 5

    leader = make_staff(Role.SHIFT_LEADER)
    case_terminate(actor=leader, case=open_case, reason="申请人撤回")
    assert face_frames_purge() == 5

    assert FaceFrame.objects.count() == 0
    assert FaceCheck.objects.count() == 1  # the check (score, decision, hash) stays
    entry = faces.audit_entries().get(action=AuditAction.FACE_FRAMES_DELETED)
    assert entry.target_id == open_case.number
    assert entry.after == {"frames": 5, "reason": "case_closed"}


def test_backstop_age_deletes_frames_of_a_case_that_never_closes(
    officer, open_case, consent_for, pinned
) -> None:
    _verify_keeping(officer, consent_for(), open_case.number)

    pinned.shift(timedelta(days=91))
    assert face_frames_purge() == 5

    assert FaceFrame.objects.count() == 0
    assert faces.audit_entries().get(action=AuditAction.FACE_FRAMES_DELETED).after["reason"] == (
        "max_age"
    )


def test_keeping_frames_for_an_unknown_case_is_refused(
    officer, open_case, consent_for, pinned
) -> None:
    consent = consent_for()

    with pytest.raises(DomainError) as info:
        _verify_keeping(officer, consent, "NOPE-1")

    assert info.value.code == "case_not_found"
    assert FaceCheck.objects.count() == 0
    assert FaceFrame.objects.count() == 0
