"""Request and response shapes of the appointments API (issue 12)."""

from ninja import Field, Schema


class ErrorOut(Schema):
    code: str
    message: str


class SlotOut(Schema):
    start: str = Field(description="HH:MM")
    end: str = Field(description="HH:MM")
    available: int


class BookingIn(Schema):
    center: str = Field(max_length=16, description="中心代码，如 TG")
    item_code: str = Field(max_length=8, description="事项编码，如 HZ02")
    date: str = Field(max_length=10, description="YYYY-MM-DD")
    start: str = Field(max_length=5, description="HH:MM，时段开始时间")
    name: str = Field(max_length=30)
    id_number: str = Field(max_length=18)
    phone: str = Field(max_length=20)


class BookingOut(Schema):
    code: str
    date: str
    start: str
    status: str


class CheckInIn(Schema):
    accept_normal: bool = Field(
        False, description="迟到时是否改领普通号（为 false 时迟到返回 409 too_late）"
    )


class CheckInOut(Schema):
    id: str
    number: str
    status: str
    position: int | None
    estimated_wait_minutes: int | None
    priority: str
    message: str


class HomeVisitIn(Schema):
    center: str = Field("", max_length=16, description="公开申请时必填的中心代码")
    name: str = Field(max_length=30)
    id_number: str = Field(max_length=18)
    phone: str = Field(max_length=20)
    town: str = Field(max_length=30, description="镇/街道")
    community: str = Field("", max_length=30, description="社区/村")
    address: str = Field(max_length=200)
    out_of_area: bool = Field(False, description="县外（外地）地址")
    reason: str = Field(description="bedridden / elderly / disabled / seriously_ill")
    health_note: str = Field("", max_length=300)
    item_codes: list[str] = Field(max_length=4, description="HZ01 / HZ02 / HZ03 / HZ10")
    requester_kind: str = Field(description="family / community / nursing_home / rescue_station")
    contact_name: str = Field(max_length=30)
    contact_phone: str = Field(max_length=20)
    preferred_weekdays: list[int] = Field(default_factory=list, description="0=周一 … 6=周日")
    sms_code: str = Field("", max_length=8, description="公开申请时联系人手机收到的验证码")


class HomeVisitOut(Schema):
    number: str
    status: str


class CodeIn(Schema):
    center: str = Field(max_length=16)
    phone: str = Field(max_length=20)
