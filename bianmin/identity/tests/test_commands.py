"""`face_demo`: consent then a check of an image folder, printing the result and audit id."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from bianmin.audit.enums import AuditAction
from bianmin.identity.models import FaceCheck, FaceConsent
from bianmin.identity.tests import faces

pytestmark = pytest.mark.django_db


def test_face_demo_runs_consent_and_verify_on_an_image_folder(
    officer, make_person, tmp_path, pinned
) -> None:
    make_person(photo="obama_b.jpg")
    for i, frame in enumerate(faces.still_burst(n=5)):
        (tmp_path / f"frame{i:02d}.jpg").write_bytes(frame)
    out = io.StringIO()

    call_command("face_demo", faces.ADULT_ID, str(tmp_path), stdout=out)

    text = out.getvalue()
    check = FaceCheck.objects.get()
    entry = faces.audit_entries().get(action=AuditAction.FACE_VERIFIED)
    assert FaceConsent.objects.get().used_at is not None
    assert f"check {check.pk}: decision=no_match" in text
    assert "liveness=failed (liveness_static)" in text
    assert f"audit entry {entry.pk} (face_verified)" in text


def test_face_demo_reports_domain_errors(officer, tmp_path) -> None:
    (tmp_path / "a.jpg").write_bytes(faces.photo("obama_a.jpg"))

    with pytest.raises(CommandError, match="person_not_found: 登记库中没有此人"):
        call_command("face_demo", faces.ADULT_ID, str(tmp_path))
