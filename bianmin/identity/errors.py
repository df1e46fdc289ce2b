"""Error codes of the identity (刷脸办) context (the values are part of the API: keep them).

The face engine's own codes (image, quality and liveness problems, ``engine/messages.py``)
are passed through unchanged and registered as ``identity_engine``.
"""

from enum import StrEnum

from bianmin.core.errors import error_codes
from bianmin.identity.engine.messages import MESSAGES


@error_codes("identity")
class IdentityError(StrEnum):
    INVALID_ID_NUMBER = "invalid_id_number"
    PERSON_NOT_FOUND = "person_not_found"
    NO_REGISTRY_PHOTO = "no_registry_photo"
    REGISTRY_PHOTO_UNUSABLE = "registry_photo_unusable"
    INVALID_PURPOSE = "invalid_purpose"
    GUARDIAN_REQUIRED = "guardian_consent_required"
    INVALID_GUARDIAN = "invalid_guardian"
    CONSENT_MISSING = "consent_missing"
    CONSENT_EXPIRED = "consent_expired"
    CONSENT_USED = "consent_used"
    CONSENT_MISMATCH = "consent_mismatch"
    NO_FRAMES = "no_frames"
    TOO_MANY_FRAMES = "too_many_frames"
    CHECK_NOT_FOUND = "face_check_not_found"
    ALREADY_DECIDED = "already_decided"
    REASON_REQUIRED = "reason_required"
    CASE_NOT_FOUND = "case_not_found"
    INVALID_DECISION = "invalid_decision"


#: The face engine's codes, from its message table (one source for codes and wording).
FaceEngineError = StrEnum("FaceEngineError", {code.upper(): code for code in MESSAGES})  # type: ignore[misc]
error_codes("identity_engine")(FaceEngineError)
