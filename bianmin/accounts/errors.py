"""Every error code of the accounts context (values are part of the API contract)."""

from enum import StrEnum

from bianmin.core.errors import error_codes


@error_codes("accounts")
class AccountsError(StrEnum):
    LOGIN_FAILED = "login_failed"
    LOCKED = "locked"
    DUPLICATE_USERNAME = "duplicate_username"
    TOTP_FORMAT = "totp_format"
    TOTP_INVALID = "totp_invalid"
    TOTP_THROTTLED = "totp_throttled"
    TWO_FACTOR_REQUIRED = "two_factor_required"
    TOKEN_NOT_ALLOWED = "token_not_allowed"  # noqa: S105 - an error code, not a secret
    OTHER_CENTER = "other_center"
    NOT_FOUND = "not_found"
    HOURS_INVALID = "hours_invalid"
