"""Enrollment: the template of each registry photo, computed outside any transaction."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core.errors import DomainError
from bianmin.identity import engine
from bianmin.identity.enums import EnrollmentStatus
from bianmin.identity.errors import IdentityError
from bianmin.identity.models import FaceEnrollment
from bianmin.identity.services.common import engine_error, model_identity
from bianmin.people.selectors import (
    person_for_enrollment,
    person_photo_digests,
)

log = logging.getLogger("bianmin.identity.services")


def _engine_enroll(photo: bytes) -> engine.Template:
    return engine.enroll(photo)


def face_enroll_person(*, person_id: int, force: bool = False) -> FaceEnrollment | None:
    """Compute the template of the person's current registry photo (idempotent).

    A photo without exactly one usable face is recorded as failed with the Chinese reason,
    not enrolled. Nothing is done when the current photo is already enrolled with the
    current model version (unless `force`). Returns None when the person has no photo.
    The model runs outside any transaction (seconds of CPU must not hold the write lock).
    """
    person = person_for_enrollment(person_id=person_id)
    if person is None or not person.has_photo:
        FaceEnrollment.objects.filter(person_id=person_id).delete()
        return None
    name, version = model_identity()
    existing = FaceEnrollment.objects.filter(person=person).first()
    if (
        existing is not None
        and not force
        and existing.photo_sha256 == person.photo_sha256
        and existing.model_version == version
    ):
        return existing
    photo_sha256 = person.photo_sha256
    failure: engine.FaceEngineError | None = None
    template: engine.Template | None = None
    try:
        template = _engine_enroll(bytes(person.photo or b""))
    except engine.FaceEngineError as exc:
        failure = exc
    with transaction.atomic():
        locked = person_for_enrollment(person_id=person_id, lock=True)
        if locked is None or locked.photo_sha256 != photo_sha256:
            return None  # the photo changed meanwhile; its own task enrolls the new one
        enrollment = FaceEnrollment.objects.filter(person=locked).first() or FaceEnrollment(
            person=locked
        )
        enrollment.photo_sha256 = photo_sha256
        if template is None:
            assert failure is not None
            enrollment.status = EnrollmentStatus.FAILED
            enrollment.template = None
            enrollment.model_name, enrollment.model_version = name, version
            enrollment.reason_code = failure.code
            enrollment.reason = failure.message[:200]
        else:
            enrollment.status = EnrollmentStatus.ENROLLED
            enrollment.template = template.to_bytes()
            enrollment.model_name = template.model_name
            enrollment.model_version = template.model_version
            enrollment.reason_code = enrollment.reason = ""
        enrollment.save()
        audit_record(
            actor=None,
            action=AuditAction.FACE_ENROLLED,
            target=enrollment,
            center_id=locked.center_id,
            after={
                "person": locked.id_number_masked,
                "status": enrollment.status,
                "model": f"{enrollment.model_name}/{enrollment.model_version}",
                "photo_sha256": enrollment.photo_sha256,
                "reason": enrollment.reason_code,
            },
        )
    return enrollment


def face_enroll_outdated(*, force: bool = False) -> dict[str, int]:
    """Re-enroll every person whose template is missing, for an older photo or made by another
    model version (after the engine changed). Each person in its own transaction."""
    _, version = model_identity()
    persons = person_photo_digests()
    current = {
        e["person_id"]: (e["photo_sha256"], e["model_version"])
        for e in FaceEnrollment.objects.values("person_id", "photo_sha256", "model_version")
    }
    counts = {"checked": 0, "enrolled": 0, "failed": 0, "unchanged": 0}
    for pk, sha in persons.iterator():
        counts["checked"] += 1
        if not force and current.get(pk) == (sha, version):
            counts["unchanged"] += 1
            continue
        enrollment = face_enroll_person(person_id=pk, force=force)
        if enrollment is not None:
            counts[str(enrollment.status)] += 1
    return counts


def current_template(person: Any) -> engine.Template:
    """The person's template for the current photo and model; enrolls on the spot if the
    background task has not run yet (e.g. no worker)."""
    _name, version = model_identity()
    enrollment = FaceEnrollment.objects.filter(person=person).first()
    if (
        enrollment is None
        or enrollment.photo_sha256 != person.photo_sha256
        or enrollment.model_version != version
    ):
        enrollment = face_enroll_person(person_id=person.pk)
    if enrollment is None:
        raise DomainError(
            _("登记库中没有此人的照片，无法刷脸核验，请改用户口簿、其他证件或网证核验"),
            code=IdentityError.NO_REGISTRY_PHOTO,
        )
    if enrollment.status != EnrollmentStatus.ENROLLED or enrollment.template is None:
        raise DomainError(
            _("登记照片无法用于刷脸核验（%(r)s），请改用户口簿、其他证件或网证核验")
            % {"r": enrollment.reason},
            code=IdentityError.REGISTRY_PHOTO_UNUSABLE,
        )
    try:
        return engine.Template.from_bytes(bytes(enrollment.template))
    except engine.FaceEngineError as exc:
        raise engine_error(exc) from exc
