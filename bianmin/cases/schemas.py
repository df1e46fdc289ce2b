from datetime import date, datetime
from typing import Literal

from ninja import Schema

MaterialStateIn = Literal["provided", "missing", "defective"]


class ApplicantIn(Schema):
    name: str
    id_number: str
    gender: Literal["male", "female"]
    phone: str


class CaseIn(Schema):
    item_code: str
    applicant: ApplicantIn
    materials: dict[str, MaterialStateIn]
    ticket_id: str | None = None


class CaseCreatedOut(Schema):
    number: str
    status: str
    deadline: date | None
    missing: list[str]
    missing_notice_url: str | None
    receipt_url: str | None


class ProgressOut(Schema):
    number: str
    item_name: str
    status: str
    status_label: str
    deadline: date | None
    applicant_name_masked: str


class ErrorOut(Schema):
    code: str
    message: str


class MaterialOut(Schema):
    code: str
    name: str
    is_primary: bool
    is_required: bool
    state: str
    reason: str


class EventOut(Schema):
    type: str
    from_stage: str
    to_stage: str
    actor: str | None
    reason: str
    created_at: datetime


class CaseOut(Schema):
    number: str
    item_code: str
    item_name: str
    applicant_name_masked: str
    status: str
    status_label: str
    stage: str
    next_stage: str
    deadline: date | None
    is_urgent: bool
    accepted_with_gaps: bool
    gaps_open: bool
    locked_by: str | None
    materials: list[MaterialOut]
    notices: list[str]
    receipt_url: str | None
    events: list[EventOut]


class QueueItemOut(Schema):
    number: str
    item_name: str
    applicant_name_masked: str
    next_stage: str
    deadline: date | None
    is_urgent: bool
    locked_by: str | None


class TransitionIn(Schema):
    to_stage: Literal["review", "approve", "production", "closed"]
    note: str = ""


class SendBackIn(Schema):
    reason: str


class AcceptIn(Schema):
    with_gaps: bool = False
    commitment: str = ""


class ConfirmationIn(Schema):
    stage: Literal["form", "window", "payment"]
    name: str
    gender: str
    id_type: str = "resident_id"
    id_number: str


class PickupIn(Schema):
    method: Literal["id_card", "face"]
    proxy_name: str = ""
    proxy_id_number: str = ""
    authorization_note: str = ""
    face_check_id: str | None = None


class ArrivalBatchIn(Schema):
    values: list[str]
    notify: bool = False  # queue each registered case's pickup SMS in the same step


class ArrivalRowOut(Schema):
    value: str
    number: str
    ok: bool
    message: str
    notified: bool
