"""Error codes of the standards context (values are part of the API)."""

from enum import StrEnum

from bianmin.core.errors import error_codes


@error_codes("standards")
class StandardsError(StrEnum):
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    INVALID = "invalid"
    IMPORT_INVALID = "import_invalid"
    NOT_ENOUGH_QUESTIONS = "not_enough_questions"
    ATTEMPT_CLOSED = "attempt_closed"
    TIME_LIMIT_PASSED = "time_limit_passed"
    REASON_REQUIRED = "reason_required"
    WEIGHTS_NOT_100 = "weights_not_100"
    OBJECTION_TOO_LATE = "objection_too_late"
    OBJECTION_ANSWERED = "objection_answered"
    TOO_MANY_OBJECTS = "too_many_objects"
    TOO_MANY_INSPECTORS = "too_many_inspectors"
    INSPECTOR_MUST_RECUSE = "inspector_must_recuse"
    ALREADY_DRAWN = "already_drawn"
    COMMITMENT_MISMATCH = "commitment_mismatch"
    BAD_TRANSITION = "bad_transition"
    PERSONAL_DATA = "personal_data"
    SHIFT_INVALID = "shift_invalid"
    SHIFT_OVERLAP = "shift_overlap"
