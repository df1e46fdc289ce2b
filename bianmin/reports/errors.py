"""Error codes of the reports context (values are part of the API)."""

from enum import StrEnum

from bianmin.core.errors import error_codes


@error_codes("reports")
class ReportError(StrEnum):
    PERMISSION_DENIED = "permission_denied"
    BAD_DATE = "bad_date"
    BAD_PERIOD = "bad_period"
    BAD_FORMAT = "bad_format"
    NOT_A_WORKDAY = "not_a_workday"
    NOT_FOUND = "not_found"
