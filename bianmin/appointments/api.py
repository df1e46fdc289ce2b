"""The appointments API (issue 12): slots, booking, check-in, home-visit requests. Thin:
parse, authorise, call one service or selector."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from bianmin.accounts.api import staff_auth
from bianmin.appointments import selectors, services
from bianmin.appointments.enums import BookingChannel
from bianmin.appointments.errors import AppointmentError
from bianmin.appointments.schemas import (
    BookingIn,
    BookingOut,
    CheckInIn,
    CheckInOut,
    CodeIn,
    ErrorOut,
    HomeVisitIn,
    HomeVisitOut,
    SlotOut,
)
from bianmin.appointments.services.booking import bookable_item, check_day
from bianmin.appointments.services.common import center_by_code
from bianmin.appointments.throttle import throttle
from bianmin.core.client_ip import client_ip
from bianmin.core.errors import DomainError
from bianmin.hall.enums import IssueChannel
from bianmin.hall.selectors import ticket_state

router = Router(tags=["预约与上门服务"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut}


class PublicOrStaff:
    """Optional authentication: staff tokens are recognised, anyone else is the public."""

    openapi_type = None

    def __call__(self, request: HttpRequest) -> Any:
        return "public"


open_auth = [*staff_auth, PublicOrStaff()]


def _staff(request: HttpRequest) -> Any:
    auth = getattr(request, "auth", None)
    return auth if getattr(auth, "role", None) else None


def parse_day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        raise DomainError(
            _("日期格式应为 YYYY-MM-DD。"), code=AppointmentError.INVALID_DATE
        ) from None


@router.get(
    "/appointments/slots",
    response={200: list[SlotOut], **ERRORS},
    url_name="appointment_slots",
    summary="可预约时段（公开，限流）",
    description="某中心某事项某日的时段与剩余名额；已过或不足最短提前时间的时段不列出。",
)
def slots(request: HttpRequest, center: str = "", item_code: str = "", date: str = "") -> Any:
    throttle(request, "slots")
    where = center_by_code(center)
    item = bookable_item(item_code)
    day = parse_day(date)
    check_day(center_id=where.pk, day=day)
    return [
        {"start": f"{s.start:%H:%M}", "end": f"{s.end:%H:%M}", "available": s.available}
        for s in selectors.slots_for(center_id=where.pk, item=item, day=day)
    ]


@router.post(
    "/appointments",
    response={200: BookingOut, **ERRORS},
    auth=open_auth,
    url_name="appointment_create",
    summary="预约（公开，限流；工作人员持令牌为来电群众代约）",
    description="约满返回 409 `slot_full`；同一人同一事项同一天只能有一个预约（409 "
    "`already_booked`）；爽约过多暂停网上预约（409 `booking_blocked`）。"
    "可带 `Idempotency-Key` 请求头防重复提交。",
)
def book(request: HttpRequest, payload: BookingIn) -> Any:
    staff = _staff(request)
    if staff is None:
        throttle(request, "book")
    booking = services.appointment_book(
        actor=staff,
        data=services.BookingInput(
            center_code=payload.center,
            item_code=payload.item_code,
            day=parse_day(payload.date),
            start=payload.start,
            name=payload.name,
            id_number=payload.id_number,
            phone=payload.phone,
            request_key=request.headers.get("Idempotency-Key", ""),
        ),
        channel=BookingChannel.STAFF if staff is not None else BookingChannel.API,
    )
    return {
        "code": booking.code,
        "date": booking.day.isoformat(),
        "start": f"{booking.starts_at:%H:%M}",
        "status": booking.status,
    }


@router.post(
    "/appointments/{code}/check-in",
    response={200: CheckInOut, **ERRORS},
    auth=open_auth,
    url_name="appointment_check_in",
    summary="预约签到（自助机或工作人员）→ 预约优先号",
    description="预约开始前15分钟至开始后10分钟内签到得到 `appointment` 优先号；"
    "过早返回 409 `too_early`，迟到返回 409 `too_late`（`accept_normal: true` 时改发普通号）。",
)
def check_in(request: HttpRequest, code: str, payload: CheckInIn | None = None) -> Any:
    staff = _staff(request)
    if staff is None:
        throttle(request, "manage")
    booking = selectors.appointment_by_code(code=code.strip().upper())
    if booking is None:
        raise DomainError(
            _("没有找到今天的预约，请核对预约码。"), code=AppointmentError.NOT_FOUND, status=404
        )
    result = services.appointment_check_in(
        actor=staff,
        center_code=booking.center.code,
        code=code,
        accept_normal=bool(payload and payload.accept_normal),
        channel=IssueChannel.GUIDE if staff is not None else IssueChannel.API,
    )
    return {
        **ticket_state(result.ticket),
        "priority": result.ticket.priority,
        "message": result.message,
    }


@router.post(
    "/home-visits/code",
    response={200: dict, **ERRORS},
    url_name="home_visit_code",
    summary="上门服务申请：向联系人手机发送验证码（公开，限流）",
)
def visit_code(request: HttpRequest, payload: CodeIn) -> Any:
    throttle(request, "visit")
    services.visit_code_send(
        center_code=payload.center, phone=payload.phone, client=client_ip(request)
    )
    return {"sent": True}


@router.post(
    "/home-visits",
    response={200: HomeVisitOut, **ERRORS},
    auth=open_auth,
    url_name="home_visit_create",
    summary="申请上门服务（工作人员，或公开并验证联系人手机）",
    description="公开申请须先调用 `/home-visits/code` 并填写 `sms_code`；县外地址须 `out_of_area: true`。",
)
def visit_create(request: HttpRequest, payload: HomeVisitIn) -> Any:
    staff = _staff(request)
    if staff is None:
        throttle(request, "visit")
    center_code = staff.center.code if staff is not None and staff.center_id else payload.center
    visit = services.home_visit_request(
        actor=staff,
        center_code=center_code,
        data=services.VisitInput(
            name=payload.name,
            id_number=payload.id_number,
            phone=payload.phone,
            town=payload.town,
            community=payload.community,
            address=payload.address,
            reason=payload.reason,
            item_codes=payload.item_codes,
            requester_kind=payload.requester_kind,
            contact_name=payload.contact_name,
            contact_phone=payload.contact_phone,
            health_note=payload.health_note,
            preferred_weekdays=payload.preferred_weekdays,
            out_of_area=payload.out_of_area,
        ),
        phone_code=payload.sms_code,
    )
    return {"number": visit.number, "status": visit.status}
