"""JSON API of the SMS platform: delivery receipts (providers), batches, messages, stats."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from bianmin.accounts.api import require, staff_auth
from bianmin.core.errors import NotFound
from bianmin.core.permissions import Perm
from bianmin.core.throttling import AnonWindowThrottle
from bianmin.notifications import gateways, selectors, services
from bianmin.notifications.clients import GATEWAYS, ReceiptParseError
from bianmin.notifications.errors import NotificationError
from bianmin.notifications.schemas import BatchOut

router = Router(tags=["短信平台"])


# -- delivery receipts (called by the providers) ------------------------------------------------


def _receipt_error(code: NotificationError, message: str, status: int) -> JsonResponse:
    # Chinese as Chinese (not \uXXXX escapes), like every other error of the API.
    return JsonResponse(
        {"code": code, "message": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )


@router.post(
    "/sms/receipts/{gateway}",
    auth=None,
    summary="短信回执（短信平台回调，URL 带令牌）",
    throttle=[AnonWindowThrottle("3000/m")],
    url_name="sms_receipt",
)
def receipt_callback(request: HttpRequest, gateway: str) -> HttpResponse:
    """Alibaba SmsReport batch push / Tencent status callback. The URL carries ``?token=``
    (see the SMS dashboard for the URL to paste into the provider console). A forged or
    unsigned call is answered 403 and changes nothing; duplicates are acknowledged and ignored."""
    if gateway not in GATEWAYS or gateway == "console":
        return _receipt_error(NotificationError.UNKNOWN_GATEWAY, _("未知的短信通道"), 404)
    client = gateways.gateway_get(gateway)
    secret = str(getattr(settings, "SMS_RECEIPT_SECRET", "") or "")
    headers = {k.lower(): v for k, v in request.headers.items()}
    if not client.verify_receipt_request(headers, request.body, request.GET, secret):
        return _receipt_error(NotificationError.RECEIPT_FORBIDDEN, _("回执签名校验失败"), 403)
    try:
        receipts = client.parse_receipts(request.body, headers)
    except ReceiptParseError:
        return _receipt_error(NotificationError.INVALID_RECEIPT, _("回执格式错误"), 400)
    services.receipts_process(gateway_name=gateway, receipts=receipts)
    return JsonResponse(client.receipt_ack())


# -- staff ------------------------------------------------------------------------------------


class MessageOut(Schema):
    id: int
    template_code: str
    phone_masked: str
    text: str
    status: Literal["queued", "sending", "sent", "delivered", "failed"]
    segments: int
    attempts: int
    case_id: int | None
    batch_id: int | None
    row_number: int | None
    gateway: str
    provider_id: str
    error_code: str
    error_message: str
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None


@router.get("/sms/messages", response=list[MessageOut], auth=staff_auth, summary="短信记录")
def messages_list(
    request: HttpRequest,
    status: str = "",
    template_code: str = "",
    batch_id: int | None = None,
    limit: int = 100,
) -> Any:
    actor = require(request, Perm.SMS_SEND)
    limit = max(1, min(limit, 500))
    return list(
        selectors.message_list(
            user=actor, status=status, template_code=template_code, batch_id=batch_id
        )[:limit]
    )


@router.post(
    "/sms/messages/{message_id}/retry",
    response=MessageOut,
    auth=staff_auth,
    summary="重发失败的短信",
)
def message_retry(request: HttpRequest, message_id: int) -> Any:
    actor = require(request, Perm.SMS_SEND)
    return services.message_retry(actor=actor, message_id=message_id)


def _batch_out(batch: Any) -> dict[str, Any]:
    return selectors.batch_report(batch=batch)


# POST /sms/batches (import an arrival list) and /sms/batches/{id}/send are the cases API's
# (cases owns arrival; notifications only sends).


@router.get("/sms/batches/{batch_id}", response=BatchOut, auth=staff_auth, summary="批次详情与进度")
def batch_detail(request: HttpRequest, batch_id: int) -> Any:
    actor = require(request, Perm.SMS_SEND)
    batch = selectors.batch_get(user=actor, batch_id=batch_id)
    if batch is None:
        raise NotFound("批次不存在。")
    return _batch_out(batch)


class StatsOut(Schema):
    total_sent: int
    headline: str
    total_segments: int
    today_sent: int
    queued: int
    failed_today: int
    delivered_rate: float | None
    monthly: list[dict[str, Any]]


@router.get("/sms/stats", response=StatsOut, auth=staff_auth, summary="短信统计")
def sms_stats(request: HttpRequest) -> Any:
    actor = require(request, Perm.SMS_SEND)
    overview = selectors.sms_overview(center_id=actor.center_id)
    monthly = selectors.sms_monthly_by_template(center_id=actor.center_id)
    return {
        "total_sent": overview.total_sent,
        "headline": f"已累计发送 {overview.total_sent} 条",
        "total_segments": overview.total_segments,
        "today_sent": overview.today_sent,
        "queued": overview.queued,
        "failed_today": overview.failed_today,
        "delivered_rate": overview.delivered_rate,
        "monthly": monthly["rows"],
    }


class PreviewIn(Schema):
    body: str
    max_segments: int = 1


@router.post("/sms/templates/preview", auth=staff_auth, summary="模板预览与字数")
def template_preview(request: HttpRequest, payload: PreviewIn) -> Any:
    actor = require(request, Perm.SMS_TEMPLATE_EDIT)
    signature = services.center_signature_or_default(actor.center_id)
    return services.template_preview(body=payload.body[:1000], signature=signature)
