from datetime import datetime

from ninja import Schema


class ErrorOut(Schema):
    code: str
    message: str


class VehicleQueryIn(Schema):
    center: str = ""
    plate: str
    plate_type: str = "02"
    vin_last6: str


class ViolationOut(Schema):
    number: str
    plate_masked: str
    occurred_at: datetime
    place: str
    behaviour: str
    points: int
    fine_yuan: int
    handled: bool
    paid: bool


class ViolationsOut(Schema):
    total: int
    items: list[ViolationOut]
