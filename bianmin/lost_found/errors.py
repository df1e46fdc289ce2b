"""Machine codes of the lost-and-found context (values are part of the API)."""

from enum import StrEnum

from bianmin.core.errors import error_codes


@error_codes("lost_found")
class LostFoundError(StrEnum):
    NOT_FOUND = "not_found"
    INVALID_CATEGORY = "invalid_category"
    INVALID_DOCUMENT = "invalid_document"
    DESCRIPTION_EMPTY = "description_empty"
    PLACE_EMPTY = "place_empty"
    FOUND_IN_FUTURE = "found_in_future"
    INVALID_DATE = "invalid_date"
    PHOTO_NOT_IMAGE = "photo_not_image"
    PHOTO_TOO_LARGE = "photo_too_large"
    TOO_MANY_PHOTOS = "too_many_photos"
    INVALID_PHONE = "invalid_phone"
    INVALID_TRANSITION = "invalid_transition"
    ALREADY_HANDED_OVER = "already_handed_over"
    IDENTITY_NOT_PROVEN = "identity_not_proven"
    CONTROL_ANSWERS_MISSING = "control_answers_missing"
    PROXY_AUTHORIZATION_MISSING = "proxy_authorization_missing"
    CALENDAR_UNKNOWN = "calendar_unknown"
    THROTTLED = "throttled"
    PERMISSION_DENIED = "permission_denied"
    DISPOSAL_NOT_DUE = "disposal_not_due"
    INVALID_POINT = "invalid_point"
