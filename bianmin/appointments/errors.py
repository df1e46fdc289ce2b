"""Machine codes of the appointments context (values are part of the API)."""

from enum import StrEnum

from bianmin.core.errors import error_codes


@error_codes("appointments")
class AppointmentError(StrEnum):
    NOT_FOUND = "not_found"
    UNKNOWN_CENTER = "unknown_center"
    UNKNOWN_ITEM = "unknown_item"
    NOT_BOOKABLE = "not_bookable"
    INVALID_DATE = "invalid_date"
    DATE_IN_PAST = "date_in_past"
    TOO_SHORT_NOTICE = "too_short_notice"
    TOO_FAR_AHEAD = "too_far_ahead"
    NO_SUCH_SLOT = "no_such_slot"
    SLOT_FULL = "slot_full"
    INVALID_NAME = "invalid_name"
    INVALID_ID_NUMBER = "invalid_id_number"
    INVALID_PHONE = "invalid_phone"
    ALREADY_BOOKED = "already_booked"
    DAILY_CAP = "daily_cap"
    BOOKING_BLOCKED = "booking_blocked"
    WRONG_PHONE_DIGITS = "wrong_phone_digits"
    INVALID_TRANSITION = "invalid_transition"
    TOO_EARLY = "too_early"
    TOO_LATE = "too_late"
    NOT_TODAY = "not_today"
    INVALID_SETTING = "invalid_setting"
    INVALID_CLOSURE = "invalid_closure"
    PERMISSION_DENIED = "permission_denied"
    THROTTLED = "throttled"
    CODE_INVALID = "code_invalid"
    INVALID_ADDRESS = "invalid_address"
    OUT_OF_AREA = "out_of_area"
    INVALID_REASON = "invalid_reason"
    INVALID_TEAM = "invalid_team"
    PHOTO_REJECTED = "photo_rejected"
    SIGNATURE_MISSING = "signature_missing"
    INVALID_POINT = "invalid_point"
