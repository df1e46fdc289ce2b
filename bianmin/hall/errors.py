"""Every error code the hall answers with (`{"code", "message"}`); values are part of the API."""

from enum import StrEnum

from bianmin.core.errors import error_codes


@error_codes("hall")
class HallError(StrEnum):
    CENTER_CLOSED = "center_closed"
    UNKNOWN_CENTER = "unknown_center"
    UNKNOWN_WINDOW = "unknown_window"
    UNKNOWN_ITEM = "unknown_item"
    UNKNOWN_TICKET = "unknown_ticket"
    UNKNOWN_OFFICER = "unknown_officer"
    NOT_SIGNED_IN = "not_signed_in"
    WINDOW_TAKEN = "window_taken"
    WINDOW_PAUSED = "window_paused"
    CURRENT_TICKET = "current_ticket"
    NOT_YOUR_TICKET = "not_your_ticket"
    WRONG_STATUS = "wrong_status"
    EXPIRED = "expired"
    RECALL_LIMIT = "recall_limit"
    RECALLS_PENDING = "recalls_pending"
    INVALID_ID_NUMBER = "invalid_id_number"
    INVALID_PHONE = "invalid_phone"
    INVALID_PRIORITY = "invalid_priority"
    NO_PRIORITY_CLAIM = "no_priority_claim"
    TOO_MANY_ITEMS = "too_many_items"
    ITEM_INACTIVE = "item_inactive"
    TRANSFER_TARGET_MISSING = "transfer_target_missing"
    TRANSFER_TO_SELF = "transfer_to_self"
    TRANSFER_NOT_AUTHORIZED = "transfer_not_authorized"
    THROTTLED = "throttled"
    INVALID_KIOSK = "invalid_kiosk"
    GUIDE_CALL_NOT_FOUND = "guide_call_not_found"
