"""Writes of the identity (刷脸办) context: consent, enrollment, 1:1 verification, the officer's
decision and the retention of kept frames. Every write is audited in its own transaction.

The face engine (`bianmin.identity.engine`, pure Python) does the image work; this module is
the thin adapter that applies the domain rules around it (domain-rules §8): a separate consent
before any capture, an alternative method always offered, the shortest retention (frames live
in memory for one request unless a case needs them), guardian consent for under-14s.
"""

from __future__ import annotations

import hashlib
import io
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from bianmin.core.permissions import Perm, has_perm
from bianmin.identity import engine
from bianmin.identity.enums import (
    EnrollmentStatus,
    FaceErrorCode,
    Liveness,
    OfficerDecision,
)
from bianmin.identity.models import FaceCheck, FaceConsent, FaceEnrollment, FaceFrame
from bianmin.people.idnumber import age_on, check_id_number, mask_id_number
from bianmin.people.selectors import person_find_by_id_number
from bianmin.people.services import PersonError, clean_name, id_number_index

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

GUARDIAN_AGE = 14  # 人脸识别技术应用安全管理办法: guardian consent below this age
ADULT_AGE = 18


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def consent_minutes() -> int:
    return int(_setting("FACE_CONSENT_MINUTES", 30))


def check_valid_minutes() -> int:
    """How long a confirmed check may be used afterwards (e.g. by the pickup step)."""
    return int(_setting("FACE_CHECK_VALID_MINUTES", 30))


def max_frames() -> int:
    return int(_setting("FACE_MAX_FRAMES", 16))


def kept_frames_max_days() -> int:
    """Backstop for kept frames whose case never closes (or cannot be found)."""
    return int(_setting("FACE_KEPT_FRAMES_MAX_DAYS", 90))


# --- engine adapter -------------------------------------------------------------------------------


def liveness_config() -> engine.LivenessConfig:
    """The configured challenge: head turn (licence-clean, default) or blink.

    Blink needs dlib's 68-point model, trained on iBUG 300-W whose terms exclude commercial
    use (ADR 0005); the bureau enables it with `FACE_LIVENESS_BLINK_ENABLED = True`.
    """
    if _setting("FACE_LIVENESS_BLINK_ENABLED", False):
        return engine.LivenessConfig(challenge="blink", allow_noncommercial_eye_model=True)
    return engine.LivenessConfig(challenge="turn")


def liveness_prompt() -> str:
    if liveness_config().challenge == "blink":
        return _("请眨眼")
    return _("请先正视镜头，再缓慢向左或向右转头")


def model_identity() -> tuple[str, str]:
    """(model name, pipeline version) of the production model, without loading its files."""
    from bianmin.identity.engine.dlib_model import MODEL_NAME

    return MODEL_NAME, engine.DlibPipeline().version


def _engine_enroll(photo: bytes) -> engine.Template:
    return engine.enroll(photo)


def _engine_verify(
    template: engine.Template, frames: list[np.ndarray], *, require_liveness: bool
) -> engine.Verification:
    return engine.verify(
        template,
        frames,
        threshold_config=engine.ThresholdConfig.load(),
        liveness_config=liveness_config(),
        require_liveness=require_liveness,
    )


def _engine_error(exc: engine.FaceEngineError, *, prefix: str = "") -> DomainError:
    return DomainError(prefix + exc.message, code=exc.code)


def frame_problems(frame: bytes) -> list[str]:
    """Chinese quality guidance for one live frame (exactly one face, size, sharpness, pose,
    light). An undecodable frame gives its decoding message."""
    try:
        report = engine.check_frame(frame)
    except engine.FaceEngineError as exc:
        return [exc.message]
    return report.messages


def preview_jpeg(image: np.ndarray, *, width: int = 240) -> bytes:
    """A small JPEG of a frame, for the officer's side-by-side view in one response only."""
    img = Image.fromarray(image)
    if img.width > width:
        img = img.resize((width, max(1, round(img.height * width / img.width))))
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=80)
    return buf.getvalue()


# --- consent --------------------------------------------------------------------------------------


def _need(actor: Any, perm: Perm) -> None:
    if not has_perm(actor, perm):
        raise PermissionDenied(_("您没有刷脸核验的权限"))


def _clean_id_number(id_number: str) -> str:
    check = check_id_number((id_number or "")[:40], today=clock.today())
    if not check.valid:
        raise DomainError(
            _("身份证号码有误：%(e)s") % {"e": check.error},
            code=FaceErrorCode.INVALID_ID_NUMBER,
        )
    return check.normalized


def _clean_guardian(name: str, id_number: str, person_id_number: str) -> tuple[str, str]:
    if not (name or "").strip() or not (id_number or "").strip():
        raise DomainError(
            _("核验对象未满十四周岁，须由监护人同意：请填写监护人姓名和身份证号码"),
            code=FaceErrorCode.GUARDIAN_REQUIRED,
        )
    try:
        name = clean_name(name)
    except PersonError as exc:
        raise DomainError(
            _("监护人姓名有误：%(e)s") % {"e": exc.message}, code=FaceErrorCode.INVALID_GUARDIAN
        ) from exc
    check = check_id_number(id_number[:40], today=clock.today())
    if not check.valid:
        raise DomainError(
            _("监护人身份证号码有误：%(e)s") % {"e": check.error},
            code=FaceErrorCode.INVALID_GUARDIAN,
        )
    if check.normalized == person_id_number:
        raise DomainError(_("监护人不能是核验对象本人"), code=FaceErrorCode.INVALID_GUARDIAN)
    if age_on(check.normalized, clock.today()) < ADULT_AGE:
        raise DomainError(_("监护人须年满十八周岁"), code=FaceErrorCode.INVALID_GUARDIAN)
    return name, check.normalized


def _usable_photo_or_raise(person: Any) -> None:
    if not person.has_photo:
        raise DomainError(
            _("登记库中没有此人的照片，无法刷脸核验，请改用户口簿、其他证件或网证核验"),
            code=FaceErrorCode.NO_REGISTRY_PHOTO,
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
            code=FaceErrorCode.REGISTRY_PHOTO_UNUSABLE,
        )


@transaction.atomic
def face_consent_record(
    *,
    actor: Any,
    id_number: str,
    purpose: str,
    guardian_name: str = "",
    guardian_id_number: str = "",
) -> FaceConsent:
    """单独同意: record the citizen's consent to one face check for one purpose.

    Under-14s (by the ID number's birth date) need their guardian's name and ID number.
    Refused, with nothing stored, when the person is not in the registry or has no usable
    registry photo: the officer then uses another method.
    """
    _need(actor, Perm.FACE_VERIFY)
    number = _clean_id_number(id_number)
    purpose = (purpose or "").strip()
    if not 2 <= len(purpose) <= 100:
        raise DomainError(
            _("请说明本次刷脸核验的用途（2至100字）"), code=FaceErrorCode.INVALID_PURPOSE
        )
    is_minor = age_on(number, clock.today()) < GUARDIAN_AGE
    guardian: tuple[str, str] | None = None
    if is_minor:
        guardian = _clean_guardian(guardian_name, guardian_id_number, number)
    person = person_find_by_id_number(actor=actor, id_number=number)
    if person is None:
        raise NotFound(
            _("登记库中没有此人，无法刷脸核验，请改用户口簿、其他证件或网证核验"),
            code=FaceErrorCode.PERSON_NOT_FOUND,
        )
    _usable_photo_or_raise(person)
    now = clock.now()
    consent = FaceConsent.objects.create(
        center_id=actor.center_id,
        person=person,
        officer=actor,
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


# --- enrollment -----------------------------------------------------------------------------------


def _person_model() -> Any:
    # The registry's Person, reached through our own relation (no import of people.models).
    return FaceEnrollment._meta.get_field("person").related_model


def face_enroll_person(*, person_id: int, force: bool = False) -> FaceEnrollment | None:
    """Compute the template of the person's current registry photo (idempotent).

    A photo without exactly one usable face is recorded as failed with the Chinese reason,
    not enrolled. Nothing is done when the current photo is already enrolled with the
    current model version (unless `force`). Returns None when the person has no photo.
    The model runs outside any transaction (seconds of CPU must not hold the write lock).
    """
    person = _person_model().objects.filter(pk=person_id).first()
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
        template = _engine_enroll(bytes(person.photo))
    except engine.FaceEngineError as exc:
        failure = exc
    with transaction.atomic():
        locked = _person_model().objects.select_for_update().filter(pk=person_id).first()
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
    persons = _person_model().objects.exclude(photo_sha256="").values_list("pk", "photo_sha256")
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


def _current_template(person: Any) -> engine.Template:
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
            code=FaceErrorCode.NO_REGISTRY_PHOTO,
        )
    if enrollment.status != EnrollmentStatus.ENROLLED or enrollment.template is None:
        raise DomainError(
            _("登记照片无法用于刷脸核验（%(r)s），请改用户口簿、其他证件或网证核验")
            % {"r": enrollment.reason},
            code=FaceErrorCode.REGISTRY_PHOTO_UNUSABLE,
        )
    try:
        return engine.Template.from_bytes(bytes(enrollment.template))
    except engine.FaceEngineError as exc:
        raise _engine_error(exc) from exc


# --- verification ---------------------------------------------------------------------------------


def _consent_for(*, actor: Any, consent_id: str, id_number: str, lock: bool = False) -> FaceConsent:
    try:
        key = uuid.UUID(str(consent_id).strip())
    except ValueError:
        key = None
    consent = None
    if key is not None:
        qs = FaceConsent.objects.select_related("person")
        if lock:
            qs = qs.select_for_update()
        consent = qs.filter(pk=key, center_id=actor.center_id).first()
    if consent is None:
        raise DomainError(
            _("没有找到本人的刷脸核验同意记录，请先登记同意"), code=FaceErrorCode.CONSENT_MISSING
        )
    if consent.person.id_number_index != id_number_index(id_number):
        raise DomainError(
            _("同意记录与核验对象的身份证号码不符，请为本人重新登记同意"),
            code=FaceErrorCode.CONSENT_MISMATCH,
        )
    if consent.used_at is not None:
        raise Conflict(
            _("该同意记录已用于一次核验，请重新登记同意"), code=FaceErrorCode.CONSENT_USED
        )
    if consent.expires_at <= clock.now():
        raise DomainError(
            _("同意记录已过期（有效期%(m)d分钟），请重新登记同意") % {"m": consent_minutes()},
            code=FaceErrorCode.CONSENT_EXPIRED,
        )
    return consent


def _decode_frames(frames: list[bytes]) -> list[np.ndarray]:
    images = []
    for i, frame in enumerate(frames, start=1):
        try:
            images.append(engine.decode_image(frame))
        except engine.FaceEngineError as exc:
            prefix = _("第%(n)d张画面：") % {"n": i} if len(frames) > 1 else ""
            raise _engine_error(exc, prefix=prefix) from exc
    return images


def frames_digest(frames: list[bytes]) -> str:
    """SHA-256 over the per-frame SHA-256s, in capture order (what the audit keeps)."""
    outer = hashlib.sha256()
    for frame in frames:
        outer.update(hashlib.sha256(frame).digest())
    return outer.hexdigest()


@dataclass(frozen=True)
class VerifyResult:
    check: FaceCheck
    # One captured frame, downscaled; for the officer's side-by-side view in this response
    # only. Never stored.
    probe_preview: bytes
    audit_entry_id: int


def _case_number_or_raise(actor: Any, case_number: str) -> str:
    from bianmin.cases.selectors import case_get

    try:
        case = case_get(user=actor, number=case_number)
    except NotFound as exc:
        raise DomainError(
            _("没有找到办件 %(n)s，无法留存画面") % {"n": case_number[:30]},
            code=FaceErrorCode.CASE_NOT_FOUND,
        ) from exc
    return str(case.number)


def face_verify(
    *,
    actor: Any,
    id_number: str,
    consent_id: str,
    frames: list[bytes],
    keep_for_case: str = "",
) -> VerifyResult:
    """1:1 verification of a burst of live frames against the claimed person's registry
    template. Uses up the consent. Frames are discarded after this call unless
    `keep_for_case` names a case that needs them (then stored encrypted until it closes).

    Bad input (no/undecodable frames, no usable face, a missing, expired or mismatched
    consent, no usable registry photo) raises DomainError and stores nothing. The model runs
    outside the transaction; the consent is checked again under a lock before it is used.
    """
    _need(actor, Perm.FACE_VERIFY)
    if not frames:
        raise DomainError(_("请拍摄或上传至少一张照片"), code=FaceErrorCode.NO_FRAMES)
    if len(frames) > max_frames():
        raise DomainError(
            _("一次最多提交%(n)d张画面") % {"n": max_frames()},
            code=FaceErrorCode.TOO_MANY_FRAMES,
        )
    number = _clean_id_number(id_number)
    consent = _consent_for(actor=actor, consent_id=consent_id, id_number=number)
    case_number = _case_number_or_raise(actor, keep_for_case.strip()) if keep_for_case else ""
    person = consent.person
    template = _current_template(person)
    images = _decode_frames(frames)
    require_liveness = len(images) >= liveness_config().min_frames
    try:
        result = _engine_verify(template, images, require_liveness=require_liveness)
    except engine.FaceEngineError as exc:
        if exc.code == "no_usable_frame":
            # Say what is wrong with the frames (no face / several faces), not just "unusable".
            problems = frame_problems(frames[0])
            if problems:
                raise DomainError(problems[0], code=exc.code) from exc
        raise _engine_error(exc) from exc
    if result.liveness is None:
        liveness, challenge, liveness_code = Liveness.NOT_CHECKED, "", ""
    else:
        liveness = Liveness.PASSED if result.liveness.passed else Liveness.FAILED
        challenge, liveness_code = result.liveness.challenge, result.liveness.code
    digest = frames_digest(frames)
    with transaction.atomic():
        consent = _consent_for(actor=actor, consent_id=str(consent.pk), id_number=number, lock=True)
        check = FaceCheck.objects.create(
            center_id=actor.center_id,
            person=person,
            consent=consent,
            officer=actor,
            score=round(result.score, 4),
            threshold=result.threshold,
            reject_threshold=result.reject_threshold,
            decision=result.decision,
            liveness=liveness,
            liveness_challenge=challenge,
            liveness_code=liveness_code,
            model_name=template.model_name,
            model_version=result.model_version,
            frame_count=len(frames),
            frames_sha256=digest,
            case_number=case_number,
        )
        consent.used_at = clock.now()
        consent.save(update_fields=["used_at", "updated_at"])
        if case_number:
            FaceFrame.objects.bulk_create(
                FaceFrame(
                    face_check=check,
                    center_id=actor.center_id,
                    case_number=case_number,
                    seq=i,
                    image=frame,
                    sha256=hashlib.sha256(frame).hexdigest(),
                )
                for i, frame in enumerate(frames)
            )
        entry = audit_record(
            actor=actor,
            action=AuditAction.FACE_VERIFIED,
            target=check,
            after={
                "person": person.id_number_masked,
                "purpose": consent.purpose,
                "score": check.score,
                "threshold": check.threshold,
                "reject_threshold": check.reject_threshold,
                "decision": check.decision,
                "liveness": check.liveness,
                "liveness_code": liveness_code,
                "model": f"{check.model_name}/{check.model_version}",
                "frames": len(frames),
                "frames_sha256": digest,
                "kept_for_case": case_number,
            },
        )
    best = result.frames_used[0] if result.frames_used else 0
    return VerifyResult(
        check=check, probe_preview=preview_jpeg(images[best]), audit_entry_id=entry.pk
    )


@transaction.atomic
def face_check_decide(
    *, actor: Any, check: FaceCheck, decision: str, reason: str = ""
) -> FaceCheck:
    """The officer's conclusion: confirm the engine or override it (a reason is required when
    accepting a non-match, including an uncertain result, or rejecting a match)."""
    _need(actor, Perm.FACE_VERIFY)
    check = FaceCheck.objects.select_for_update().get(pk=check.pk)
    if check.center_id != actor.center_id:
        raise NotFound(_("没有找到该核验记录"), code=FaceErrorCode.CHECK_NOT_FOUND)
    if check.officer_decision:
        raise Conflict(_("该核验已作出认定"), code=FaceErrorCode.ALREADY_DECIDED)
    if decision not in OfficerDecision.values:
        raise DomainError(_("请选择认定结果"), code="invalid_decision")
    check.officer_decision = decision
    check.officer_reason = (reason or "").strip()[:300]
    if check.is_override and len(check.officer_reason) < 2:
        raise DomainError(
            _("与比对结论不一致的认定须说明理由（例如已核对户口簿）"),
            code=FaceErrorCode.REASON_REQUIRED,
        )
    check.decided_by = actor
    check.decided_at = clock.now()
    check.save()
    audit_record(
        actor=actor,
        action=AuditAction.FACE_DECISION,
        target=check,
        after={
            "decision": check.decision,
            "officer_decision": check.officer_decision,
            "override": check.is_override,
            "reason": check.officer_reason,
        },
    )
    return check


# --- retention ------------------------------------------------------------------------------------


def _case_closed(number: str, center_id: int) -> bool:
    """Ask the cases context; a case that cannot be found counts as closed (nothing needs
    the frames any more)."""
    from bianmin.cases.enums import FINAL_STATUSES
    from bianmin.cases.selectors import case_get

    try:
        case = case_get(user=SimpleNamespace(center_id=center_id), number=number)
    except NotFound:
        return True
    return case.status in FINAL_STATUSES


def face_frames_purge() -> int:
    """Delete kept frames whose case has closed (or that exceed the backstop age). Returns the
    number of frames deleted; one audit entry per case."""
    cutoff = clock.now() - timedelta(days=kept_frames_max_days())
    groups = FaceFrame.objects.values_list("case_number", "center_id").distinct().order_by()
    deleted = 0
    for number, center_id in list(groups):
        closed = _case_closed(number, center_id)
        with transaction.atomic():
            qs = FaceFrame.objects.filter(case_number=number, center_id=center_id)
            if not closed:
                qs = qs.filter(created_at__lt=cutoff)
            count = qs.count()
            if not count:
                continue
            qs.delete()
            deleted += count
            audit_record(
                actor=None,
                action=AuditAction.FACE_FRAMES_DELETED,
                target_type="cases.case",
                target_id=number,
                center_id=center_id,
                after={"frames": count, "reason": "case_closed" if closed else "max_age"},
            )
    return deleted
