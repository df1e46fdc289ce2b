"""Error codes of the SMS platform (the values are part of the API: keep them)."""

from enum import StrEnum

from bianmin.core.errors import error_codes


@error_codes("notifications")
class NotificationError(StrEnum):
    INVALID_PHONE = "invalid_phone"
    TEMPLATE_NOT_APPROVED = "template_not_approved"
    TEMPLATE_UNKNOWN = "template_unknown"
    TEMPLATE_TOO_LONG = "template_too_long"
    TEMPLATE_INVALID = "template_invalid"
    TEMPLATE_CODE = "template_code"
    TEMPLATE_NOT_DRAFT = "template_not_draft"
    PROVINCE_ONLY = "province_only"
    PARAMS_INVALID = "params_invalid"
    SIGNATURE_INVALID = "signature_invalid"
    CENTER_NOT_FOUND = "center_not_found"
    SMS_INVALID = "sms_invalid"
    IMPORT_INVALID = "import_invalid"
    MAX_ATTEMPTS = "max_attempts"
    NOT_RETRYABLE = "not_retryable"
    NOT_FAILED = "not_failed"
    CASES_UNAVAILABLE = "cases_unavailable"
    BATCH_ALREADY_SENT = "batch_already_sent"
    BATCH_NOT_DRAFT = "batch_not_draft"
    UNKNOWN_GATEWAY = "unknown_gateway"
    RECEIPT_FORBIDDEN = "forbidden"
    INVALID_RECEIPT = "invalid_receipt"
