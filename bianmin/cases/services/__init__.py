"""Every write of the cases context, one module per sub-domain; the public API is re-exported here.

inquiry (首问负责) → review (registration, confirmations, pre-review, 一次性告知) → acceptance
(受理, 容缺) → pipeline (claim, advance, send back, sweep) → arrival (到证 + pickup SMS) → pickup
(领证) → corrections (flags, 更正, 终止)."""

from bianmin.cases.services.acceptance import (
    SubmitResult,
    case_accept,
    case_submit,
    case_supplement_gaps,
)
from bianmin.cases.services.arrival import (
    ArrivalBatch,
    ArrivalRow,
    arrival_list_preview,
    arrival_list_read,
    arrival_list_send,
    case_arrival_batch,
    case_register_arrival,
)
from bianmin.cases.services.base import case_number_next, case_setting_for, phone_digest
from bianmin.cases.services.corrections import (
    CORRECTABLE_FIELDS,
    FLAG_FIELDS,
    case_correct,
    case_document_viewed,
    case_set_flags,
    case_terminate,
)
from bianmin.cases.services.inquiry import (
    inquiry_answer,
    inquiry_hand_over,
    inquiry_open,
    inquiry_receive,
)
from bianmin.cases.services.mismatch import (
    ConfirmationMismatch,
    case_confirmation_mismatch_keep,
)
from bianmin.cases.services.pickup import case_pickup
from bianmin.cases.services.pipeline import (
    SweepResult,
    case_advance,
    case_claim,
    case_deadline_sweep,
    case_release,
    case_send_back,
)
from bianmin.cases.services.review import (
    FIELD_LABELS,
    ApplicantInput,
    case_confirmation_record,
    case_create,
    case_facts_change,
    case_issue_missing_notice,
    case_lacking,
    case_pre_review,
    notice_sms_send,
)

__all__ = [
    "CORRECTABLE_FIELDS",
    "FIELD_LABELS",
    "FLAG_FIELDS",
    "ApplicantInput",
    "ArrivalBatch",
    "ArrivalRow",
    "ConfirmationMismatch",
    "SubmitResult",
    "SweepResult",
    "arrival_list_preview",
    "arrival_list_read",
    "arrival_list_send",
    "case_accept",
    "case_advance",
    "case_arrival_batch",
    "case_claim",
    "case_confirmation_mismatch_keep",
    "case_confirmation_record",
    "case_correct",
    "case_create",
    "case_deadline_sweep",
    "case_document_viewed",
    "case_facts_change",
    "case_issue_missing_notice",
    "case_lacking",
    "case_number_next",
    "case_pickup",
    "case_pre_review",
    "case_register_arrival",
    "case_release",
    "case_send_back",
    "case_set_flags",
    "case_setting_for",
    "case_submit",
    "case_supplement_gaps",
    "case_terminate",
    "inquiry_answer",
    "inquiry_hand_over",
    "inquiry_open",
    "inquiry_receive",
    "notice_sms_send",
    "phone_digest",
]
