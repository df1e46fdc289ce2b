"""/api/v1/ratings and /api/v1/complaints (issue 14). Public endpoints are throttled; no
staff account can rate (a bearer token or a staff session is refused with 403
`staff_cannot_rate`); the window's rating pad authenticates with its device cookie."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.security import APIKeyCookie

from bianmin.accounts.api import StaffBearer
from bianmin.accounts.selectors import center_default, center_get
from bianmin.core.errors import DomainError, NotFound
from bianmin.ratings import selectors, services
from bianmin.ratings.enums import ComplaintChannel
from bianmin.ratings.errors import RatingError
from bianmin.ratings.live import COOKIE
from bianmin.ratings.throttle import throttle

router = Router(tags=["好差评与诉求"])


class PadSession(APIKeyCookie):
    """The window's rating pad, paired by a code (its own device key, never a staff session)."""

    param_name = COOKIE
    openapi_description = "窗口评价器配对后获得的设备密钥（Cookie）"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return services.pad_from_key(key)


class Public:
    """No sign-in (the token or the ticket id is the credential); throttled."""

    def __call__(self, request: HttpRequest) -> Any:
        return "public"


class ErrorOut(Schema):
    code: str
    message: str


class RatingIn(Schema):
    token: str
    level: int
    reasons: list[str] | None = None
    comment: str | None = None


class RatingOut(Schema):
    id: int
    rectification_due: date | None = None


class TokenOut(Schema):
    token: str


class ComplaintIn(Schema):
    category: str
    text: str
    phone: str | None = None
    center: str | None = None


class NumberOut(Schema):
    number: str


class StatsOut(Schema):
    rated: int
    satisfaction_rate: float | None
    bad: int
    rectified_on_time: int


def _is_staff(request: HttpRequest) -> bool:
    if getattr(request.user, "is_authenticated", False):
        return True
    header = str(request.headers.get("Authorization", ""))
    return header.lower().startswith("bearer ") and StaffBearer()(request) is not None


def _center(code: str | None) -> Any:
    center = center_get(code=code.strip()[:16].upper()) if code else center_default()
    if center is None:
        raise NotFound(_("没有找到该服务中心。"), code=RatingError.NOT_FOUND)
    return center


@router.post(
    "/ratings",
    auth=None,
    response={
        200: RatingOut,
        400: ErrorOut,
        403: ErrorOut,
        409: ErrorOut,
        410: ErrorOut,
        429: ErrorOut,
    },
    url_name="rating_create",
    exclude_none=True,
    summary="群众评价（公开，凭一次性评价凭证；限流）",
    description=(
        "level：5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意。"
        "level ≤ 2 须给出 reasons（attitude 态度、efficiency 效率、unclear_materials 材料要求不清、"
        "repeated_trips 多次跑腿、environment 环境、other 其他），并自动生成差评整改任务，"
        "回答含 rectification_due（整改期限）。comment 不超过500字、不得含控制字符。"
        "凭证只能使用一次（重复 → 409 already_rated），短信链接7天内有效（过期 → 410 token_expired）。"
        "工作人员账号（令牌或登录会话）一律拒绝（403 staff_cannot_rate）。"
    ),
)
def rating_create(request: HttpRequest, payload: RatingIn) -> dict[str, Any]:
    throttle(request, "rate")
    submitted = services.rating_submit(
        token=payload.token,
        level=payload.level,
        reasons=payload.reasons or [],
        comment=payload.comment or "",
        staff_signed_in=_is_staff(request),
    )
    out: dict[str, Any] = {"id": submitted.rating.pk}
    if submitted.rectification_due is not None:
        out["rectification_due"] = submitted.rectification_due
    return out


@router.get(
    "/ratings/token",
    auth=[PadSession(), Public()],
    response={200: TokenOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut},
    url_name="rating_token",
    summary="取得一次性评价凭证（窗口评价器、办结后的排队进度页）",
    description="ticket_id 为号票编号（号票二维码中）；号票办结后才有凭证；已评价 → 409。",
)
def rating_token(request: HttpRequest, ticket_id: str) -> dict[str, str]:
    throttle(request, "rate")
    if _is_staff(request):
        raise DomainError(
            _("工作人员账号不能代替群众评价。"), code=RatingError.STAFF_CANNOT_RATE, status=403
        )
    pad = request.auth if not isinstance(request.auth, str) else None  # type: ignore[attr-defined]
    return {"token": services.token_for_ticket(ticket_id=ticket_id[:24], pad=pad)}


@router.post(
    "/complaints",
    auth=None,
    response={200: NumberOut, 400: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    url_name="complaint_create",
    summary="提出诉求或建议（公开，限流）",
    description=(
        "category：service 服务态度、efficiency 办事效率、environment 环境设施、suggestion 意见建议、"
        "other 其他。text 必填（不超过2000字）。phone 可不填（匿名诉求照常受理，但无法答复）；"
        "填写时发送受理短信。center 为中心代码（可省略）。"
    ),
)
def complaint_create(request: HttpRequest, payload: ComplaintIn) -> dict[str, str]:
    throttle(request, "complaint")
    center = _center(payload.center)
    created = services.complaint_submit(
        center_id=center.pk,
        channel=ComplaintChannel.PHONE_PAGE,
        category=payload.category,
        text=payload.text,
        phone=payload.phone or "",
    )
    return {"number": created.number}


@router.get(
    "/ratings/stats",
    auth=None,
    response={200: StatsOut, 400: ErrorOut, 404: ErrorOut},
    url_name="rating_stats",
    summary="好差评月度统计（公开）",
    description="month=YYYY-MM。satisfaction_rate 为满意（4、5级）占比，0–1，无评价时为 null。",
)
def rating_stats(request: HttpRequest, month: str, center: str | None = None) -> dict[str, Any]:
    try:
        year, number = (int(part) for part in month.strip().split("-"))
        first = date(year, number, 1)
    except ValueError:
        raise DomainError(_("月份格式应为 YYYY-MM。"), code=RatingError.INVALID) from None
    return selectors.month_stats(center_id=_center(center).pk, month=first)
