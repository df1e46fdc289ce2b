"""Writes of the identity (刷脸办) context: consent, enrollment, 1:1 verification, the officer's
decision and the retention of kept frames. Every write is audited in its own transaction.

The face engine (`bianmin.identity.engine`, pure Python) does the image work; this module is
the thin adapter (one module per sub-domain: ``common``, ``consent``,
``enrollment``, ``verification``, ``retention``, re-exported here) that applies the domain rules around it (domain-rules §8): a separate consent
before any capture, an alternative method always offered, the shortest retention (frames live
in memory for one request unless a case needs them), guardian consent for under-14s.
"""

from bianmin.identity.case_links import CaseRef, case_lookup_register
from bianmin.identity.services.common import (
    ADULT_AGE,
    GUARDIAN_AGE,
    check_valid_minutes,
    consent_minutes,
    face_engine_warm_up,
    frame_problems,
    kept_frames_max_days,
    liveness_config,
    liveness_prompt,
    max_frames,
    model_identity,
    preview_jpeg,
)
from bianmin.identity.services.consent import face_consent_record
from bianmin.identity.services.enrollment import face_enroll_outdated, face_enroll_person
from bianmin.identity.services.retention import face_frames_purge
from bianmin.identity.services.verification import (
    VerifyResult,
    face_check_decide,
    face_verify,
    frames_digest,
)

__all__ = [
    "ADULT_AGE",
    "GUARDIAN_AGE",
    "CaseRef",
    "VerifyResult",
    "case_lookup_register",
    "check_valid_minutes",
    "consent_minutes",
    "face_check_decide",
    "face_consent_record",
    "face_engine_warm_up",
    "face_enroll_outdated",
    "face_enroll_person",
    "face_frames_purge",
    "face_verify",
    "frame_problems",
    "frames_digest",
    "kept_frames_max_days",
    "liveness_config",
    "liveness_prompt",
    "max_frames",
    "model_identity",
    "preview_jpeg",
]
