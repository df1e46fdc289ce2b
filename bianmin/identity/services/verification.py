"""1:1 verification of live frames against the registry template, and the officer's
decision."""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.errors import Conflict, DomainError, NotFound
from bianmin.core.permissions import Perm
from bianmin.identity import engine
from bianmin.identity.case_links import case_ref
from bianmin.identity.enums import Liveness, OfficerDecision
from bianmin.identity.errors import IdentityError
from bianmin.identity.models import FaceCheck, FaceConsent, FaceFrame
from bianmin.identity.services.common import (
    clean_id_number,
    consent_minutes,
    engine_error,
    engine_verify,
    frame_problems,
    liveness_config,
    max_frames,
    need_perm,
    preview_jpeg,
)
from bianmin.identity.services.enrollment import current_template
from bianmin.people.services import id_number_index

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger("bianmin.identity.services")


def _consent_for(
    *, actor: StaffActor, consent_id: str, id_number: str, lock: bool = False
) -> FaceConsent:
    try:
        key = uuid.UUID(str(consent_id).strip())
    except ValueError:
        key = None
    consent = None
    if key is not None:
        # The registry photo is not needed here (the template is enrolled): never load it.
        qs = FaceConsent.objects.select_related("person").defer("person__photo")
        if lock:
            qs = qs.select_for_update()
        consent = qs.filter(pk=key, center_id=home_center_id(actor)).first()
    if consent is None:
        raise DomainError(
            _("没有找到本人的刷脸核验同意记录，请先登记同意"), code=IdentityError.CONSENT_MISSING
        )
    if consent.person.id_number_index != id_number_index(id_number):
        raise DomainError(
            _("同意记录与核验对象的身份证号码不符，请为本人重新登记同意"),
            code=IdentityError.CONSENT_MISMATCH,
        )
    if consent.used_at is not None:
        raise Conflict(
            _("该同意记录已用于一次核验，请重新登记同意"), code=IdentityError.CONSENT_USED
        )
    if consent.expires_at <= clock.now():
        raise DomainError(
            _("同意记录已过期（有效期%(m)d分钟），请重新登记同意") % {"m": consent_minutes()},
            code=IdentityError.CONSENT_EXPIRED,
        )
    return consent


def _decode_frames(frames: list[bytes]) -> list[np.ndarray]:
    images = []
    for i, frame in enumerate(frames, start=1):
        try:
            images.append(engine.decode_image(frame))
        except engine.FaceEngineError as exc:
            prefix = _("第%(n)d张画面：") % {"n": i} if len(frames) > 1 else ""
            raise engine_error(exc, prefix=prefix) from exc
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
    audit_entry_id: int
    # The best captured frame, decoded; only for `probe_preview`, in this request only.
    probe_image: np.ndarray = field(repr=False)

    @cached_property
    def probe_preview(self) -> bytes:
        """One captured frame, downscaled JPEG, for the officer's side-by-side view in this
        response only (never stored). Encoded only when asked for: the API does not show it."""
        return preview_jpeg(self.probe_image)


def _case_number_or_raise(actor: StaffActor, case_number: str) -> str:
    case = case_ref(center_id=home_center_id(actor), number=case_number)
    if case is None:
        raise DomainError(
            _("没有找到办件 %(n)s，无法留存画面") % {"n": case_number[:30]},
            code=IdentityError.CASE_NOT_FOUND,
        )
    return case.number


def face_verify(
    *,
    actor: StaffActor,
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
    need_perm(actor, Perm.FACE_VERIFY)
    if not frames:
        raise DomainError(_("请拍摄或上传至少一张照片"), code=IdentityError.NO_FRAMES)
    if len(frames) > max_frames():
        raise DomainError(
            _("一次最多提交%(n)d张画面") % {"n": max_frames()},
            code=IdentityError.TOO_MANY_FRAMES,
        )
    number = clean_id_number(id_number)
    consent = _consent_for(actor=actor, consent_id=consent_id, id_number=number)
    case_number = _case_number_or_raise(actor, keep_for_case.strip()) if keep_for_case else ""
    person = consent.person
    template = current_template(person)
    images = _decode_frames(frames)
    require_liveness = len(images) >= liveness_config().min_frames
    try:
        result = engine_verify(template, images, require_liveness=require_liveness)
    except engine.FaceEngineError as exc:
        if exc.code == "no_usable_frame":
            # Say what is wrong with the frames (no face / several faces), not just "unusable".
            problems = frame_problems(frames[0])
            if problems:
                raise DomainError(problems[0], code=exc.code) from exc
        raise engine_error(exc) from exc
    if result.liveness is None:
        liveness, challenge, liveness_code = Liveness.NOT_CHECKED, "", ""
    else:
        liveness = Liveness.PASSED if result.liveness.passed else Liveness.FAILED
        challenge, liveness_code = result.liveness.challenge, result.liveness.code
    digest = frames_digest(frames)
    with transaction.atomic():
        consent = _consent_for(actor=actor, consent_id=str(consent.pk), id_number=number, lock=True)
        check = FaceCheck.objects.create(
            center_id=home_center_id(actor),
            person=person,
            consent=consent,
            officer_id=actor.pk,
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
                    center_id=check.center_id,
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
    return VerifyResult(check=check, audit_entry_id=entry.pk, probe_image=images[best])


@transaction.atomic
def face_check_decide(
    *, actor: StaffActor, check: FaceCheck, decision: str, reason: str = ""
) -> FaceCheck:
    """The officer's conclusion: confirm the engine or override it (a reason is required when
    accepting a non-match, including an uncertain result, or rejecting a match)."""
    need_perm(actor, Perm.FACE_VERIFY)
    check = FaceCheck.objects.select_for_update().get(pk=check.pk)
    if check.center_id != actor.center_id:
        raise NotFound(_("没有找到该核验记录"), code=IdentityError.CHECK_NOT_FOUND)
    if check.officer_decision:
        raise Conflict(_("该核验已作出认定"), code=IdentityError.ALREADY_DECIDED)
    if decision not in OfficerDecision.values:
        raise DomainError(_("请选择认定结果"), code=IdentityError.INVALID_DECISION)
    check.officer_decision = decision
    check.officer_reason = (reason or "").strip()[:300]
    if check.is_override and len(check.officer_reason) < 2:
        raise DomainError(
            _("与比对结论不一致的认定须说明理由（例如已核对户口簿）"),
            code=IdentityError.REASON_REQUIRED,
        )
    check.decided_by_id = actor.pk
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
