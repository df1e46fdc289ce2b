"""Every error code the fees context answers with (`{"code", "message"}`); values are stable."""

from enum import StrEnum

from bianmin.core.errors import error_codes


@error_codes("fees")
class FeeError(StrEnum):
    # quote
    UNKNOWN_ITEM = "unknown_item"
    UNKNOWN_VARIANT = "unknown_variant"
    DATE_OUT_OF_RANGE = "date_out_of_range"
    INVALID_ID_NUMBER = "invalid_id_number"
    UNKNOWN_GROUP = "unknown_group"
    # payments
    EVIDENCE_REQUIRED = "evidence_required"
    INVALID_AMOUNT = "invalid_amount"
    ALREADY_PAID = "already_paid"
    UNKNOWN_CASE = "unknown_case"
    INVALID_METHOD = "invalid_method"
    INVALID_IDEMPOTENCY_KEY = "invalid_idempotency_key"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    INVALID_KIND = "invalid_kind"
    INVALID_STAGE = "invalid_stage"
    INVALID_WINDOW = "invalid_window"
    PAYER_REQUIRED = "payer_required"
    INVALID_ID_TYPE = "invalid_id_type"
    UNKNOWN_PAYMENT = "unknown_payment"
    # refunds
    REFUND_TOO_LARGE = "refund_too_large"
    UNKNOWN_REFUND = "unknown_refund"
    ALREADY_DECIDED = "already_decided"
    NOTE_REQUIRED = "note_required"
    # drawers and free copies
    FUTURE_DAY = "future_day"
    DRAWER_DIFFERENCE = "drawer_difference"
    CASE_REQUIRED = "case_required"
    INVALID_COPIES = "invalid_copies"
    # policies and campaigns
    NAME_REQUIRED = "name_required"
    REASON_REQUIRED = "reason_required"
    TARGETS_REQUIRED = "targets_required"
    PERIOD_ORDER = "period_order"
    PERIOD_TOO_LONG = "period_too_long"
    AGE_ORDER = "age_order"
    AGE_RANGE = "age_range"
    INVALID_CODE = "invalid_code"
    DUPLICATE_CODE = "duplicate_code"
    UNKNOWN_POLICY = "unknown_policy"
    PROVINCE_POLICY = "province_policy"
    UNKNOWN_CAMPAIGN = "unknown_campaign"
    POLICY_NOT_CAMPAIGN = "policy_not_campaign"
    ITEMS_REQUIRED = "items_required"
    HOURS_INCOMPLETE = "hours_incomplete"
    HOURS_ORDER = "hours_order"
    # class lists
    CAMPAIGN_CANCELLED = "campaign_cancelled"
    DATE_IN_PAST = "date_in_past"
    DATE_OUTSIDE_CAMPAIGN = "date_outside_campaign"
    EMPTY = "empty"
    MISSING_COLUMNS = "missing_columns"
    NOT_XLSX = "not_xlsx"
    TOO_MANY_ROWS = "too_many_rows"
    UNREADABLE = "unreadable"
