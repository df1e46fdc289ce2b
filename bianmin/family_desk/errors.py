"""Error codes of the family desk (values are part of the API)."""

from enum import StrEnum

from bianmin.core.errors import error_codes


@error_codes("family_desk")
class DeskError(StrEnum):
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    INVALID = "invalid"
    UNKNOWN_PROCEDURE = "unknown_procedure"
    EMPTY_QUESTION = "empty_question"
    UNKNOWN_UNIT = "unknown_unit"
    BAD_ATTACHMENT = "bad_attachment"
    UNKNOWN_OFFICER = "unknown_officer"
    PHONE_NOT_REGISTERED = "phone_not_registered"
    INVALID_PHONE = "invalid_phone"
    DUPLICATE_FAMILY_MEMBER = "duplicate_family_member"
    CODE_INVALID = "code_invalid"
    THROTTLED = "throttled"
    ALREADY_TAKEN = "already_taken"
    BAD_TRANSITION = "bad_transition"
    UNKNOWN_HANDLER = "unknown_handler"
    CUSTODY_GAP = "custody_gap"
    BAD_RATING = "bad_rating"
    IMPORT_INVALID = "import_invalid"
    REASON_REQUIRED = "reason_required"
    GUIDE_NOT_PUBLIC = "guide_not_public"
