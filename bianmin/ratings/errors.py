"""Error codes of ratings and complaints (values are part of the API)."""

from enum import StrEnum

from bianmin.core.errors import error_codes


@error_codes("ratings")
class RatingError(StrEnum):
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    INVALID = "invalid"
    TOKEN_INVALID = "token_invalid"  # noqa: S105 - an error code, not a secret
    TOKEN_EXPIRED = "token_expired"  # noqa: S105 - an error code, not a secret
    ALREADY_RATED = "already_rated"
    BAD_LEVEL = "bad_level"
    BAD_REASON = "bad_reason"
    REASON_REQUIRED = "reason_required"
    COMMENT_INVALID = "comment_invalid"
    STAFF_CANNOT_RATE = "staff_cannot_rate"
    NOT_FINISHED = "not_finished"
    PAD_CODE_INVALID = "pad_code_invalid"
    PAD_NOT_PAIRED = "pad_not_paired"
    BAD_TRANSITION = "bad_transition"
    EVIDENCE_REQUIRED = "evidence_required"
    APPEAL_EXISTS = "appeal_exists"
    EMPTY_TEXT = "empty_text"
    INVALID_PHONE = "invalid_phone"
    BAD_CATEGORY = "bad_category"
    CLOSE_NEEDS_CALLBACK = "close_needs_callback"
    THROTTLED = "throttled"
