"""Reads of the identity (刷脸办) context, scoped to the user's center."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import QuerySet

from bianmin.core import clock
from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.errors import NotFound
from bianmin.identity.enums import (
    Decision,
    EnrollmentStatus,
    Liveness,
    OfficerDecision,
)
from bianmin.identity.errors import IdentityError
from bianmin.identity.models import FaceCheck, FaceConsent, FaceEnrollment
from bianmin.identity.services import check_valid_minutes, model_identity
from bianmin.people.services import id_number_index


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value).strip())
    except (ValueError, AttributeError):
        return None


def face_check_confirmed(*, check_id: str, id_number: str) -> bool:
    """True when the check is for the person with this ID number, was matched by the engine
    or accepted by the officer (and not rejected), passed liveness, and is recent
    (`FACE_CHECK_VALID_MINUTES`, default 30). Used by the pickup step (领证)."""
    key = _uuid(check_id)
    if key is None or not id_number:
        return False
    check = FaceCheck.objects.select_related("person").filter(pk=key).first()
    if check is None:
        return False
    if check.person.id_number_index != id_number_index(id_number):
        return False
    if check.liveness != Liveness.PASSED:
        return False
    if check.officer_decision == OfficerDecision.REJECTED:
        return False
    if check.decision != Decision.MATCH and check.officer_decision != OfficerDecision.ACCEPTED:
        return False
    return clock.now() - check.created_at <= timedelta(minutes=check_valid_minutes())


def face_check_get(*, user: StaffActor, check_id: str) -> FaceCheck:
    key = _uuid(check_id)
    check = (
        FaceCheck.objects.select_related("person", "consent", "officer", "decided_by")
        .filter(pk=key, center_id=home_center_id(user))
        .first()
        if key
        else None
    )
    if check is None:
        raise NotFound("没有找到该核验记录", code=IdentityError.CHECK_NOT_FOUND)
    return check


def face_consent_get(*, user: StaffActor, consent_id: str) -> FaceConsent:
    """A consent of the user's center (for the capture step of the page)."""
    key = _uuid(consent_id)
    consent = (
        FaceConsent.objects.select_related("person", "officer")
        .filter(pk=key, center_id=home_center_id(user))
        .first()
        if key
        else None
    )
    if consent is None:
        raise NotFound("没有找到该同意记录，请重新登记同意", code=IdentityError.CONSENT_MISSING)
    return consent


def face_checks_recent(*, user: StaffActor, limit: int = 20) -> QuerySet[FaceCheck]:
    return (
        FaceCheck.objects.filter(center_id=home_center_id(user))
        .select_related("person", "officer")
        .order_by("-created_at")[:limit]
    )


@dataclass(frozen=True)
class EnrollmentState:
    """What the person page and the check page say about a person's face template."""

    state: str  # "none" (no photo), "pending", "enrolled", "failed", "outdated"
    label: str
    reason: str = ""
    model_version: str = ""


def face_enrollment_state(*, person: Any) -> EnrollmentState:
    if not person.has_photo:
        return EnrollmentState("none", "未登记照片，不能刷脸核验")
    enrollment = FaceEnrollment.objects.filter(person=person).first()
    if enrollment is None or enrollment.photo_sha256 != person.photo_sha256:
        return EnrollmentState("pending", "照片已登记，人脸模板生成中")
    if enrollment.model_version != model_identity()[1]:
        return EnrollmentState(
            "outdated", "人脸模板版本较旧，核验时将自动更新", model_version=enrollment.model_version
        )
    if enrollment.status == EnrollmentStatus.FAILED:
        return EnrollmentState(
            "failed",
            "登记照片无法用于刷脸核验",
            reason=enrollment.reason,
            model_version=enrollment.model_version,
        )
    return EnrollmentState("enrolled", "人脸模板已登记", model_version=enrollment.model_version)


def face_check_for_consent(*, user: StaffActor, consent_id: str) -> FaceCheck | None:
    """The check made on this consent at the user's center, once there is one (a panel that
    started the check waits for it: cases' pickup)."""
    key = _uuid(consent_id)
    if key is None:
        return None
    return (
        FaceCheck.objects.select_related("person")
        .filter(consent_id=key, center_id=home_center_id(user))
        .first()
    )
