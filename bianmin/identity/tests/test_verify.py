"""1:1 verification at the service level: same person vs different person, liveness (a still
photo never matches), the officer's decision, the pickup selector, and bad input (nothing
stored). Model-heavy: each test embeds a few frames (dlib, ~0.1-0.3 s per frame)."""

from __future__ import annotations

import io
from datetime import timedelta

import numpy as np
import pytest
from django.test import override_settings
from PIL import Image

from bianmin.audit.enums import AuditAction
from bianmin.core.errors import DomainError
from bianmin.identity import engine
from bianmin.identity.enums import Decision, Liveness, OfficerDecision
from bianmin.identity.models import FaceCheck, FaceFrame
from bianmin.identity.selectors import face_check_confirmed
from bianmin.identity.services import (
    face_check_decide,
    face_verify,
    frames_digest,
    model_identity,
)
from bianmin.identity.tests import faces

pytestmark = pytest.mark.django_db


def _verify(officer, consent, frames, id_number=faces.ADULT_ID, **kwargs):
    return face_verify(
        actor=officer,
        id_number=id_number,
        consent_id=str(consent.pk),
        frames=list(frames),
        **kwargs,
    )


def test_still_photo_of_the_right_person_scores_high_but_fails_liveness(
    officer, make_person, consent_for, pinned
) -> None:
    make_person(photo="obama_b.jpg")
    consent = consent_for()
    frames = faces.still_burst()

    result = _verify(officer, consent, frames)

    check = result.check
    assert check.score >= check.threshold  # the right face ...
    assert check.liveness == Liveness.FAILED  # ... but not a live one
    assert check.liveness_code == "liveness_static"
    assert check.liveness_challenge == "turn"
    assert check.decision == Decision.NO_MATCH
    assert check.frame_count == 8
    assert check.frames_sha256 == frames_digest(list(frames))
    calibration = engine.ThresholdConfig.load()
    assert (check.threshold, check.reject_threshold) == (calibration.accept, calibration.reject)
    consent.refresh_from_db()
    assert consent.used_at is not None
    assert FaceFrame.objects.count() == 0
    assert result.probe_preview[:3] == b"\xff\xd8\xff"  # for the response only
    entry = faces.audit_entries().get(action=AuditAction.FACE_VERIFIED)
    assert entry.target_id == str(check.pk)
    assert entry.after["score"] == check.score
    assert entry.after["decision"] == "no_match"
    assert entry.after["liveness"] == "failed"
    assert entry.after["frames_sha256"] == check.frames_sha256
    assert entry.after["model"] == "/".join(model_identity())
    assert not face_check_confirmed(check_id=str(check.pk), id_number=faces.ADULT_ID)


@override_settings(FACE_LIVENESS_BLINK_ENABLED=True)
def test_live_blinking_person_matches_and_confirms_pickup(
    officer, make_person, consent_for, pinned
) -> None:
    make_person(photo="obama_b.jpg")
    consent = consent_for()

    check = _verify(officer, consent, faces.blink_burst()).check

    assert check.decision == Decision.MATCH
    assert check.liveness == Liveness.PASSED
    assert check.liveness_challenge == "blink"
    assert face_check_confirmed(check_id=str(check.pk), id_number=faces.ADULT_ID)
    assert face_check_confirmed(check_id=str(check.pk), id_number=faces.ADULT_ID.lower())
    assert not face_check_confirmed(check_id=str(check.pk), id_number=faces.OTHER_ID)
    assert not face_check_confirmed(check_id="not-a-uuid", id_number=faces.ADULT_ID)
    pinned.shift(timedelta(minutes=31))
    assert not face_check_confirmed(check_id=str(check.pk), id_number=faces.ADULT_ID)


def test_different_person_does_not_match(officer, make_person, consent_for, pinned) -> None:
    make_person(photo="obama_b.jpg")
    consent = consent_for()

    check = _verify(officer, consent, faces.still_burst("biden.jpg", n=5)).check

    assert check.decision == Decision.NO_MATCH
    assert check.score < check.reject_threshold


def test_single_uploaded_photo_is_compared_without_liveness(
    officer, make_person, consent_for, pinned
) -> None:
    make_person(photo="obama_b.jpg")
    consent = consent_for()

    check = _verify(officer, consent, [faces.photo("obama_a.jpg")]).check

    assert check.liveness == Liveness.NOT_CHECKED
    assert check.decision == Decision.MATCH
    # Usable only with a passed liveness check (the officer may still accept it on the page).
    assert not face_check_confirmed(check_id=str(check.pk), id_number=faces.ADULT_ID)


def test_officer_confirms_or_overrides_with_a_reason(
    officer, make_person, consent_for, pinned
) -> None:
    make_person(photo="obama_b.jpg")
    check = _verify(officer, consent_for(), faces.still_burst("biden.jpg", n=5)).check

    with pytest.raises(DomainError) as info:
        face_check_decide(actor=officer, check=check, decision=OfficerDecision.ACCEPTED)
    assert info.value.code == "reason_required"
    check.refresh_from_db()
    assert check.officer_decision == ""

    check = face_check_decide(
        actor=officer, check=check, decision=OfficerDecision.REJECTED, reason=""
    )
    assert check.officer_decision == OfficerDecision.REJECTED
    assert check.is_override is False
    assert check.decided_by == officer
    entry = faces.audit_entries().get(action=AuditAction.FACE_DECISION)
    assert entry.after == {
        "decision": "no_match",
        "officer_decision": "rejected",
        "override": False,
        "reason": "",
    }
    with pytest.raises(DomainError) as again:
        face_check_decide(actor=officer, check=check, decision=OfficerDecision.ACCEPTED, reason="x")
    assert again.value.code == "already_decided"


def _jpeg(image: np.ndarray) -> bytes:
    return faces.jpeg(image)


def _huge_png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (5000, 3000), (128, 128, 128)).save(buf, format="PNG")
    return buf.getvalue()


BAD_FRAMES = {
    "no_face": ([faces.grey_frame()] * 5, "未检测到人脸，请正对摄像头并露出完整面部"),
    "multiple_faces": ([faces.photo("group_two.jpg")], "画面中有多张人脸，请确保画面中只有本人"),
    "not_an_image": ([b"%PDF-1.4 not an image"], "文件不是可识别的图片，请上传 JPEG 或 PNG 照片"),
    "truncated": (
        [faces.photo("obama_a.jpg")[:4000]],
        "图片文件不完整（可能上传中断），请重新上传",
    ),
    "huge": ([_huge_png()], "图片分辨率过高（超过 1200 万像素），请缩小后重新上传"),
    "second_of_two_broken": (
        [faces.photo("obama_a.jpg"), b"garbage"],
        "第2张画面：文件不是可识别的图片，请上传 JPEG 或 PNG 照片",
    ),
    "none": ([], "请拍摄或上传至少一张照片"),
    "too_many": ([faces.grey_frame()] * 17, "一次最多提交16张画面"),
}


@pytest.mark.parametrize("case", list(BAD_FRAMES))
def test_bad_frames_are_refused_and_nothing_stored(
    officer, make_person, consent_for, pinned, case
) -> None:
    make_person(photo="obama_b.jpg")
    consent = consent_for()
    frames, message = BAD_FRAMES[case]

    with pytest.raises(DomainError) as info:
        _verify(officer, consent, frames)

    assert info.value.message == message
    assert FaceCheck.objects.count() == 0
    assert FaceFrame.objects.count() == 0
    assert not faces.audit_entries().filter(action=AuditAction.FACE_VERIFIED).exists()
    consent.refresh_from_db()
    assert consent.used_at is None  # the officer may try again


def test_consent_problems_are_refused_and_nothing_stored(
    officer, make_person, make_staff, consent_for, pinned, other_center
) -> None:
    from bianmin.core.permissions import Role

    make_person(photo="obama_b.jpg")
    make_person(faces.OTHER_ID, name="李卫东", photo="obama_b.jpg")
    frames = [faces.photo("obama_a.jpg")]
    consent = consent_for()

    def code_of(**kwargs) -> str:
        data = {"actor": officer, "id_number": faces.ADULT_ID, "consent_id": str(consent.pk)}
        data.update(kwargs)
        with pytest.raises(DomainError) as info:
            face_verify(frames=frames, **data)
        return info.value.code

    assert code_of(consent_id="") == "consent_missing"
    assert code_of(consent_id="0f0e0d0c-0000-4000-8000-000000000000") == "consent_missing"
    assert code_of(id_number=faces.OTHER_ID) == "consent_mismatch"
    elsewhere = make_staff(Role.OFFICER, center_=other_center)
    assert code_of(actor=elsewhere) == "consent_missing"
    pinned.shift(timedelta(minutes=31))
    assert code_of() == "consent_expired"
    assert FaceCheck.objects.count() == 0


def test_a_consent_serves_one_check_only(officer, make_person, consent_for, pinned) -> None:
    make_person(photo="obama_b.jpg")
    consent = consent_for()
    _verify(officer, consent, [faces.photo("obama_a.jpg")])

    with pytest.raises(DomainError) as info:
        _verify(officer, consent, [faces.photo("obama_a.jpg")])

    assert info.value.code == "consent_used"
    assert FaceCheck.objects.count() == 1


def test_no_image_bytes_anywhere_but_the_registry_photo(
    officer, make_person, consent_for, pinned
) -> None:
    """Audit entries carry the score and a frames hash; no table holds a JPEG in the clear."""
    from django.db import connection

    make_person(photo="obama_b.jpg")
    _verify(officer, consent_for(), faces.still_burst(n=5))

    for entry in faces.audit_entries().all():
        text = str(entry.before) + str(entry.after)
        assert "/9j/" not in text  # base64 of a JPEG start
        assert "\\xff\\xd8" not in text
    magic = (b"\xff\xd8\xff\xe0\x00\x10JFIF", b"\x89PNG\r\n\x1a\n")
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from Django
            for row in cursor.fetchall():
                for value in row:
                    raw = (
                        bytes(value)
                        if isinstance(value, bytes | memoryview)
                        else str(value).encode("utf-8", "replace")
                    )
                    assert not any(m in raw for m in magic), table
