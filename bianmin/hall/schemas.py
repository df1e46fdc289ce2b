from datetime import datetime

from ninja import Field, Schema


class ErrorOut(Schema):
    code: str
    message: str


class TicketIn(Schema):
    item_code: str | None = Field(None, max_length=8, description="事项编码，如 HZ02")
    item_codes: list[str] | None = Field(None, max_length=5, description="一次办理多个事项时使用")
    priority: str | None = Field(
        None,
        description="normal / elderly / disabled / military（appointment 仅由预约签到产生）",
    )
    center_code: str | None = Field(
        None, max_length=16, description="公开取号时的中心代码；缺省为默认中心"
    )
    id_number: str | None = Field(None, max_length=18, description="可选；70 岁以上自动优先")
    phone: str | None = Field(None, max_length=20, description="可选；到号前短信提醒")


class TicketOut(Schema):
    id: str
    number: str
    status: str
    position: int | None
    estimated_wait_minutes: int | None


class StaffTicketOut(TicketOut):
    item_code: str
    item_codes: list[str]
    priority: str
    window_code: str | None
    officer_id: int | None
    recall_count: int
    arrived_at: datetime
    called_at: datetime | None


class SessionOut(Schema):
    window_code: str
    officer: str
    paused: bool


class TransferIn(Schema):
    item_code: str | None = Field(None, max_length=8)
    officer_id: int | None = None


class UnparkIn(Schema):
    window_code: str | None = Field(None, max_length=8)
    to_queue: bool = False


class PriorityDecisionIn(Schema):
    confirm: bool
