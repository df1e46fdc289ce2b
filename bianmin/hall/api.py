"""The hall's JSON API (contracts.md): tickets and windows. Thin: parse, authorise, one service."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Status

from bianmin.accounts.api import require, staff_auth
from bianmin.accounts.selectors import center_default, center_get
from bianmin.core.errors import DomainError, NotFound
from bianmin.core.permissions import Perm
from bianmin.hall import services
from bianmin.hall.enums import IssueChannel
from bianmin.hall.errors import HallError
from bianmin.hall.models import Ticket
from bianmin.hall.schemas import (
    ErrorOut,
    PriorityDecisionIn,
    SessionOut,
    StaffTicketOut,
    TicketIn,
    TicketOut,
    TransferIn,
    UnparkIn,
)
from bianmin.hall.selectors import ticket_item_codes, ticket_public_state, ticket_state
from bianmin.hall.throttle import allow_anonymous_issue

router = Router(tags=["叫号大厅"])


class PublicOrStaff:
    """Optional authentication: staff tokens/sessions are recognised, anyone else passes as
    the public (and is throttled per device by the endpoint)."""

    openapi_type = None

    def __call__(self, request: HttpRequest) -> Any:
        return "public"


issue_auth = [*staff_auth, PublicOrStaff()]
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _staff_ticket(ticket: Ticket) -> dict[str, Any]:
    """The officer's answer, from the ticket as the service left it (no second read)."""
    state = ticket_state(ticket)
    item_code, item_codes = ticket_item_codes(ticket)
    return {
        **state,
        "item_code": item_code,
        "item_codes": item_codes,
        "priority": ticket.priority,
        "window_code": ticket.window.code if ticket.window_id and ticket.window else None,
        "officer_id": ticket.officer_id,
        "recall_count": ticket.recall_count,
        "arrived_at": ticket.arrived_at,
        "called_at": ticket.called_at,
    }


@router.post(
    "/tickets",
    response={200: TicketOut, 429: ErrorOut, **ERRORS},
    auth=issue_auth,
    summary="取号（公开：自助机/手机，按设备限流；导办员持令牌不限流）",
)
def ticket_create(request: HttpRequest, payload: TicketIn) -> Any:
    staff = request.auth if getattr(request.auth, "role", None) else None  # type: ignore[attr-defined]
    if staff is not None:
        require(request, Perm.TICKET_ISSUE)
        center = staff.center
        channel = IssueChannel.GUIDE
    else:
        if not allow_anonymous_issue(request, scope="api"):
            return Status(
                429,
                {
                    "code": HallError.THROTTLED,
                    "message": _("取号过于频繁，请稍后再试或到导办台咨询"),
                },
            )
        center = center_get(code=payload.center_code) if payload.center_code else center_default()
        channel = IssueChannel.API
    if center is None:
        raise NotFound(_("没有这个便民服务中心"), code=HallError.UNKNOWN_CENTER)
    codes = list(payload.item_codes or []) or ([payload.item_code] if payload.item_code else [])
    ticket = services.ticket_issue(
        actor=staff,
        center=center,
        item_codes=codes,
        channel=channel,
        priority=payload.priority or "normal",
        id_number=payload.id_number or "",
        phone=payload.phone or "",
        request_key=request.headers.get("Idempotency-Key"),
    )
    return ticket_state(ticket, shared_line=False)


@router.get(
    "/tickets/{ticket_id}", response={200: TicketOut, 404: ErrorOut}, summary="号票当前状态（公开）"
)
def ticket_read(request: HttpRequest, ticket_id: str) -> Any:
    state = ticket_public_state(ticket_id=ticket_id)
    if state is None:
        raise NotFound(_("没有找到这张号票"), code=HallError.UNKNOWN_TICKET)
    return state


@router.post(
    "/windows/{window_code}/sign-in",
    response={200: SessionOut, **ERRORS},
    auth=staff_auth,
    summary="窗口签到（同一时间只能在一个窗口）",
)
def window_sign_in(request: HttpRequest, window_code: str) -> Any:
    actor = require(request, Perm.TICKET_CALL)
    session = services.window_sign_in(actor=actor, window_code=window_code)
    return {
        "window_code": session.window.code,
        "officer": actor.username,
        "paused": session.is_paused,
    }


@router.post(
    "/windows/{window_code}/sign-out",
    response={200: SessionOut, **ERRORS},
    auth=staff_auth,
    summary="窗口签退",
)
def window_sign_out(request: HttpRequest, window_code: str) -> Any:
    actor = require(request, Perm.TICKET_CALL)
    services.window_sign_out(actor=actor, window_code=window_code)
    return {"window_code": window_code.upper(), "officer": actor.username, "paused": False}


@router.post(
    "/windows/{window_code}/pause",
    response={200: SessionOut, **ERRORS},
    auth=staff_auth,
    summary="暂停服务（休息）",
)
def window_pause(request: HttpRequest, window_code: str) -> Any:
    actor = require(request, Perm.TICKET_CALL)
    session = services.window_pause(actor=actor, window_code=window_code)
    return {"window_code": session.window.code, "officer": actor.username, "paused": True}


@router.post(
    "/windows/{window_code}/resume",
    response={200: SessionOut, **ERRORS},
    auth=staff_auth,
    summary="恢复服务",
)
def window_resume(request: HttpRequest, window_code: str) -> Any:
    actor = require(request, Perm.TICKET_CALL)
    session = services.window_resume(actor=actor, window_code=window_code)
    return {"window_code": session.window.code, "officer": actor.username, "paused": False}


@router.post(
    "/windows/{window_code}/call-next",
    response={200: StaffTicketOut, 204: None, **ERRORS},
    auth=staff_auth,
    summary="叫下一号（200 返回号票；无人等候时 204）",
)
def window_call_next(request: HttpRequest, window_code: str) -> Any:
    actor = require(request, Perm.TICKET_CALL)
    ticket = services.ticket_call_next(actor=actor, window_code=window_code)
    if ticket is None:
        return HttpResponse(status=204)
    return _staff_ticket(ticket)


@router.post(
    "/tickets/{ticket_id}/finish",
    response={200: StaffTicketOut, **ERRORS},
    auth=staff_auth,
    summary="办结（叫号的民警）",
)
def ticket_finish(request: HttpRequest, ticket_id: str) -> Any:
    actor = require(request, Perm.TICKET_CALL)
    return _staff_ticket(services.ticket_finish(actor=actor, ticket_id=ticket_id))


@router.post(
    "/tickets/{ticket_id}/recall",
    response={200: StaffTicketOut, **ERRORS},
    auth=staff_auth,
    summary="重呼",
)
def ticket_recall(request: HttpRequest, ticket_id: str) -> Any:
    actor = require(request, Perm.TICKET_CALL)
    return _staff_ticket(services.ticket_recall(actor=actor, ticket_id=ticket_id))


@router.post(
    "/tickets/{ticket_id}/no-show",
    response={200: StaffTicketOut, **ERRORS},
    auth=staff_auth,
    summary="未到（重呼满 R 次后：先顺延 K 位，再过号）",
)
def ticket_no_show(request: HttpRequest, ticket_id: str) -> Any:
    actor = require(request, Perm.TICKET_CALL)
    return _staff_ticket(services.ticket_no_show(actor=actor, ticket_id=ticket_id))


@router.post(
    "/tickets/{ticket_id}/park",
    response={200: StaffTicketOut, **ERRORS},
    auth=staff_auth,
    summary="暂挂（群众取材料，保留原取号时间）",
)
def ticket_park(request: HttpRequest, ticket_id: str) -> Any:
    actor = require(request, Perm.TICKET_CALL)
    return _staff_ticket(services.ticket_park(actor=actor, ticket_id=ticket_id))


@router.post(
    "/tickets/{ticket_id}/unpark",
    response={200: StaffTicketOut, **ERRORS},
    auth=staff_auth,
    summary="取回暂挂号（直接叫到本窗口，或放回队列）",
)
def ticket_unpark(request: HttpRequest, ticket_id: str, payload: UnparkIn) -> Any:
    actor = require(request, Perm.TICKET_CALL)
    ticket = services.ticket_unpark(
        actor=actor,
        ticket_id=ticket_id,
        window_code=payload.window_code or "",
        to_queue=payload.to_queue,
    )
    return _staff_ticket(ticket)


@router.post(
    "/tickets/{ticket_id}/transfer",
    response={200: StaffTicketOut, **ERRORS},
    auth=staff_auth,
    summary="转移到其他事项或民警（保留原取号时间）",
)
def ticket_transfer(request: HttpRequest, ticket_id: str, payload: TransferIn) -> Any:
    actor = require(request, Perm.TICKET_CALL)
    if not payload.item_code and not payload.officer_id:
        raise DomainError(_("请指定转给哪个事项或哪位民警"), code=HallError.TRANSFER_TARGET_MISSING)
    ticket = services.ticket_transfer(
        actor=actor, ticket_id=ticket_id, item_code=payload.item_code, officer_id=payload.officer_id
    )
    return _staff_ticket(ticket)


@router.post(
    "/tickets/{ticket_id}/priority",
    response={200: StaffTicketOut, **ERRORS},
    auth=staff_auth,
    summary="确认或不予自选优先类别（导办员核验证件、年龄或预约后）",
)
def ticket_priority(request: HttpRequest, ticket_id: str, payload: PriorityDecisionIn) -> Any:
    actor = require(request, Perm.TICKET_ISSUE)
    ticket = services.ticket_priority_decide(
        actor=actor, ticket_id=ticket_id, confirm=payload.confirm
    )
    return _staff_ticket(ticket)
