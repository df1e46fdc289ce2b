"""Error codes answered by the shared kernel and the API itself (not by one context)."""

from enum import StrEnum

from bianmin.core.errors import error_codes


@error_codes("core")
class CoreError(StrEnum):
    INVALID = "invalid"
    INVALID_REQUEST = "invalid_request"
    UNAUTHORIZED = "unauthorized"
    PERMISSION_DENIED = "permission_denied"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    CSRF_FAILED = "csrf_failed"
    THROTTLED = "throttled"
    HTTP_ERROR = "http_error"
    OUT_OF_RANGE = "out_of_range"
    REQUEST_TOO_LARGE = "request_too_large"
    TOO_MANY_FIELDS = "too_many_fields"
    TOO_MANY_FILES = "too_many_files"
    INVALID_DAYS = "invalid_days"
    CALENDAR_UNKNOWN = "calendar_unknown"
    NEGATIVE_DAYS = "negative_days"
    SIGNATURE_MISSING = "signature_missing"
    SIGNATURE_INVALID = "signature_invalid"
