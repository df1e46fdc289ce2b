"""The lost-and-found API (issue 11): intake, public search, lost reports, publication, the
claim deadline rule and claims. Thin: parse, authorise, call one service or selector."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile

from bianmin.accounts.api import require, staff_auth
from bianmin.accounts.selectors import center_default, center_get
from bianmin.core.errors import NotFound
from bianmin.core.permissions import Perm
from bianmin.lost_found import selectors, services
from bianmin.lost_found.documents import handover_pdf
from bianmin.lost_found.errors import LostFoundError
from bianmin.lost_found.forms import parse_day, parse_found_at, read_photos
from bianmin.lost_found.schemas import (
    ClaimIn,
    DeadlineOut,
    ErrorOut,
    FoundItemCreatedOut,
    HandoverOut,
    LostReportIn,
    NumberOut,
    ProxyIn,
    PublicItemOut,
    PublishedOut,
)
from bianmin.lost_found.throttle import throttle

router = Router(tags=["失物招领"])


@router.post(
    "/found-items",
    response={200: FoundItemCreatedOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    auth=staff_auth,
    url_name="found_item_create",
    summary="登记拾得物（环卫人员、民警）",
    description="multipart 表单；证件类另填 document_type 与 document_number，"
    "能按证件号码找到失主时自动短信通知（每件只发一次）。",
)
def found_item_create(
    request: HttpRequest,
    category: Form[str] = "",
    description: Form[str] = "",
    found_at: Form[str] = "",
    place: Form[str] = "",
    document_type: Form[str] = "",
    document_number: Form[str] = "",
    control_description: Form[str] = "",
    finder_name: Form[str] = "",
    finder_team: Form[str] = "",
    photos: File[list[UploadedFile]] | None = None,
) -> dict[str, Any]:
    actor = require(request, Perm.FOUND_ITEM_REGISTER)
    item = services.found_item_register(
        actor=actor,
        data=services.FoundItemInput(
            category=category.strip(),
            description=description,
            found_at=parse_found_at(found_at),
            place=place,
            document_type=document_type.strip(),
            document_number=document_number,
            control_description=control_description,
            finder_name=finder_name,
            finder_team=finder_team,
            # The parsed parameter documents the field; the request holds every file sent.
            photos=read_photos(request.FILES.getlist("photos") or photos),
        ),
    )
    return {
        "number": item.number,
        "status": item.status,
        "claim_deadline": item.claim_deadline,
        "owner_notified": item.owner_notified_at is not None,
    }


@router.get(
    "/found-items/search",
    response={200: list[PublicItemOut], 400: ErrorOut, 429: ErrorOut},
    url_name="found_item_search",
    summary="招领信息查询（公开，限流）",
    description="按关键词（中文分词）、类别、拾得日期查询已发布的招领信息；"
    "不含证件号码、姓名、电话和现金金额。",
)
def found_item_search(
    request: HttpRequest,
    q: str = "",
    category: str = "",
    date_from: str = Query("", alias="from"),  # type: ignore[assignment]
    date_to: str = Query("", alias="to"),  # type: ignore[assignment]
) -> list[dict[str, Any]]:
    throttle(request, "search")
    start = parse_day(date_from, field=_("起始日期")) if date_from else None
    end = parse_day(date_to, field=_("截止日期")) if date_to else None
    items = selectors.public_search(
        q=q[:100], category=category.strip(), date_from=start, date_to=end
    )
    return [selectors.public_row(item) for item in items]


@router.post(
    "/lost-reports",
    response={200: NumberOut, 400: ErrorOut, 429: ErrorOut},
    url_name="lost_report_create",
    summary="寻物登记（公开，限流）",
    description="回答只有登记号，不透露是否有相符的拾得物；民警核实后短信联系。",
)
def lost_report_create(request: HttpRequest, payload: LostReportIn) -> dict[str, str]:
    throttle(request, "report")
    center = center_get(code=payload.center.strip()) if payload.center else center_default()
    if center is None:
        raise NotFound(_("没有找到该服务中心。"), code=LostFoundError.NOT_FOUND)
    report = services.lost_report_create(
        center_id=center.pk,
        category=payload.category.strip(),
        description=payload.description,
        lost_on=parse_day(payload.lost_on, field=_("遗失日期")),
        place=payload.place,
        phone=payload.phone,
    )
    return {"number": report.number}


@router.post(
    "/found-items/{number}/publish",
    response={200: PublishedOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    auth=staff_auth,
    url_name="found_item_publish",
    summary="发布招领公告（民警）",
)
def found_item_publish(request: HttpRequest, number: str) -> dict[str, Any]:
    actor = require(request, Perm.FOUND_ITEM_MANAGE)
    item = services.found_item_publish(actor=actor, number=number)
    return {"published_on": item.published_on, "claim_deadline": item.claim_deadline}


@router.get(
    "/lost-found/claim-deadline",
    response={200: DeadlineOut, 400: ErrorOut},
    url_name="claim_deadline",
    summary="认领期限计算（公开）",
    description="民法典第318条：自招领公告发布之日起一年；按第201–203条计算"
    "（公告当日不计入，到期月对应日，无对应日为月末，末日为休息日顺延至下一工作日）。",
)
def claim_deadline(request: HttpRequest, published_on: str = "") -> dict[str, dt.date]:
    day = parse_day(published_on, field=_("公告日期"))
    return {"claim_deadline": services.claim_deadline_for(day)}


def _proxy_text(proxy: ProxyIn | None) -> str:
    """The recorded authorization, naming the proxy when given; empty when none was given."""
    if proxy is None or not proxy.authorization.strip():
        return ""
    name = proxy.name.strip()
    return f"{name}：{proxy.authorization.strip()}" if name else proxy.authorization.strip()


@router.post(
    "/found-items/{number}/claims",
    response={
        200: HandoverOut,
        400: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
    },
    auth=staff_auth,
    url_name="found_item_claim",
    summary="认领交付（民警）",
    description="身份证或刷脸核验、核对特征、代领须书面委托；一件物品只能交付一次，重复认领返回 409。",
)
def found_item_claim(request: HttpRequest, number: str, payload: ClaimIn) -> dict[str, str]:
    actor = require(request, Perm.FOUND_ITEM_MANAGE)
    proxy = payload.proxy
    claim = services.claim_handover(
        actor=actor,
        number=number,
        data=services.ClaimInput(
            id_number=payload.id_number,
            control_answers=payload.control_answers,
            face_check_id=(payload.face_check_id or "").strip(),
            is_proxy=proxy is not None,
            proxy_authorization=_proxy_text(proxy),
        ),
    )
    url = reverse("api-1:found_item_handover", kwargs={"number": claim.item.number})
    return {"handover_url": request.build_absolute_uri(url)}


@router.get(
    "/found-items/{number}/handover.pdf",
    response={200: None, 403: ErrorOut, 404: ErrorOut},
    auth=staff_auth,
    url_name="found_item_handover",
    summary="拾得物交付记录 PDF（民警）",
)
def found_item_handover(request: HttpRequest, number: str) -> HttpResponse:
    actor = require(request, Perm.FOUND_ITEM_MANAGE)
    item = selectors.found_item_get(user=actor, number=number)
    claim = selectors.claim_for_item(item=item)
    if claim is None:
        raise NotFound(_("该物品尚未交付，没有交付记录。"), code=LostFoundError.NOT_FOUND)
    response = HttpResponse(handover_pdf(item=item, claim=claim), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="handover-{item.number}.pdf"'
    return response
