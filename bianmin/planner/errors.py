"""Machine codes of the staffing planner (values are part of the API)."""

from enum import StrEnum

from bianmin.core.errors import error_codes


@error_codes("planner")
class PlannerError(StrEnum):
    INVALID_PARAMETER = "invalid_parameter"
    UNKNOWN_CENTER = "unknown_center"
    PERMISSION_DENIED = "permission_denied"
