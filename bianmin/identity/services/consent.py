"""单独同意: the citizen's separate consent to one face check, for one purpose."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.actors import StaffActor
from bianmin.core.errors import DomainError, NotFound
from bianmin.core.permissions import Perm
from bianmin.identity.enums import EnrollmentStatus
from bianmin.identity.errors import IdentityError
from bianmin.identity.models import FaceConsent, FaceEnrollment
from bianmin.identity.services.common import (
    ADULT_AGE,
    GUARDIAN_AGE,
    clean_id_number,
    consent_minutes,
    model_identity,
    need_perm,
)
from bianmin.people.idnumber import age_on, check_id_number, mask_id_number
from bianmin.people.selectors import person_find_by_id_number
from bianmin.people.services import PersonError, clean_name

log = logging.getLogger("bianmin.identity.services")


def _clean_guardian(name: str, id_number: str, person_id_number: str) -> tuple[str, str]:
    if not (name or "").strip() or not (id_number or "").strip():
        raise DomainError(
            _("核验对象未满十四周岁，须由监护人同意：请填写监护人姓名和身份证号码"),
            code=IdentityError.GUARDIAN_REQUIRED,
        )
    try:
        name = clean_name(name)
    except PersonError as exc:
        raise DomainError(
            _("监护人姓名有误：%(e)s") % {"e": exc.message}, code=IdentityError.INVALID_GUARDIAN
        ) from exc
    check = check_id_number(id_number[:40], today=clock.today())
    if not check.valid:
        raise DomainError(
            _("监护人身份证号码有误：%(e)s") % {"e": check.error},
            code=IdentityError.INVALID_GUARDIAN,
        )
    if check.normalized == person_id_number:
        raise DomainError(_("监护人不能是核验对象本人"), code=IdentityError.INVALID_GUARDIAN)
    if age_on(check.normalized, clock.today()) < ADULT_AGE:
        raise DomainError(_("监护人须年满十八周岁"), code=IdentityError.INVALID_GUARDIAN)
    return name, check.normalized


def _usable_photo_or_raise(person: Any) -> None:
    if not person.has_photo:
        raise DomainError(
            _("登记库中没有此人的照片，无法刷脸核验，请改用户口簿、其他证件或网证核验"),
            code=IdentityError.NO_REGISTRY_PHOTO,
        )
    enrollment = FaceEnrollment.objects.filter(person=person).first()
    if (
        enrollment is not None
        and enrollment.status == EnrollmentStatus.FAILED
        and enrollment.photo_sha256 == person.photo_sha256
        and enrollment.model_version == model_identity()[1]
    ):
        raise DomainError(
            _("登记照片无法用于刷脸核验（%(r)s），请改用户口簿、其他证件或网证核验")
            % {"r": enrollment.reason},
            code=IdentityError.REGISTRY_PHOTO_UNUSABLE,
        )


@transaction.atomic
def face_consent_record(
    *,
    actor: StaffActor,
    id_number: str,
    purpose: str,
    guardian_name: str = "",
    guardian_id_number: str = "",
) -> FaceConsent:
    """单独同意: record the citizen's consent to one face check for one purpose.

    Under-14s (by the ID number's birth date) need their guardian's name and ID number.
    Refused, with nothing stored, when the person is not in the registry of the actor's
    center (another center's resident is answered exactly as an unknown number) or has no
    usable registry photo: the officer then uses another method.
    """
    need_perm(actor, Perm.FACE_VERIFY)
    number = clean_id_number(id_number)
    purpose = (purpose or "").strip()
    if not 2 <= len(purpose) <= 100:
        raise DomainError(
            _("请说明本次刷脸核验的用途（2至100字）"), code=IdentityError.INVALID_PURPOSE
        )
    is_minor = age_on(number, clock.today()) < GUARDIAN_AGE
    guardian: tuple[str, str] | None = None
    if is_minor:
        guardian = _clean_guardian(guardian_name, guardian_id_number, number)
    person = person_find_by_id_number(actor=actor, id_number=number)
    # Another center's resident gets exactly the answer of an unknown number: the reply (and
    # whether the photo is usable) must not tell center B who is registered in center A.
    if person is None or person.center_id != actor.center_id:
        raise NotFound(
            _("登记库中没有此人，无法刷脸核验，请改用户口簿、其他证件或网证核验"),
            code=IdentityError.PERSON_NOT_FOUND,
        )
    _usable_photo_or_raise(person)
    now = clock.now()
    consent = FaceConsent.objects.create(
        center_id=actor.center_id,
        person=person,
        officer_id=actor.pk,
        purpose=purpose,
        is_minor=is_minor,
        guardian_name=guardian[0] if guardian else None,
        guardian_id_number=guardian[1] if guardian else None,
        guardian_id_number_masked=mask_id_number(guardian[1]) if guardian else "",
        expires_at=now + timedelta(minutes=consent_minutes()),
    )
    audit_record(
        actor=actor,
        action=AuditAction.FACE_CONSENT,
        target=consent,
        after={
            "person": person.id_number_masked,
            "purpose": purpose,
            "minor": is_minor,
            "guardian": consent.guardian_id_number_masked,
            "expires_at": consent.expires_at.isoformat(),
        },
    )
    return consent
