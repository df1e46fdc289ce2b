"""The JSON shape of a notice batch, shared by the SMS API (GET /sms/batches/{id}) and the cases
API that imports and sends arrival lists (cases owns arrival; a batch reads the same anywhere)."""

from typing import Literal

from ninja import Schema


class BatchRowOut(Schema):
    row_number: int
    value_masked: str
    case_number: str
    item_name: str
    phone_masked: str
    status: Literal["matched", "unmatched", "duplicate"]
    reason: str
    message_id: int | None


class BatchOut(Schema):
    id: int
    kind: str
    status: str
    filename: str
    rows_total: int
    rows_matched: int
    rows_unmatched: int
    messages_total: int
    progress: dict[str, int]
    rows: list[BatchRowOut]
