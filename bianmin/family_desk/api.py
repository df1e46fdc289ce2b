"""/api/v1/desk: the guide, and requests from officers and their registered family members."""

from datetime import date, datetime
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.security import APIKeyCookie

from bianmin.accounts.api import staff_auth
from bianmin.accounts.selectors import center_default, center_get
from bianmin.core.errors import DomainError
from bianmin.core.throttling import AnonWindowThrottle
from bianmin.family_desk.enums import LifeEvent, MessageKind
from bianmin.family_desk.errors import DeskError
from bianmin.family_desk.models import FamilyMember
from bianmin.family_desk.selectors import guide_is_public, procedure_search, unit_list
from bianmin.family_desk.services import Asker, request_create, request_open
from bianmin.family_desk.sessions import family_from_session

router = Router(tags=["惠民暖警服务台"])


class FamilySession(APIKeyCookie):
    """A family member signed in on the phone page (session cookie + CSRF)."""

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = "警属在手机页面以短信验证码登录后的会话"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return family_from_session(request)


class PublicGuide:
    """No sign-in: allowed only when the director opened the center's guide to the public."""

    def __call__(self, request: HttpRequest) -> Any:
        center = _center_from_query(request)
        if center is not None and guide_is_public(center_id=center.pk):
            return center
        return None


def _center_from_query(request: HttpRequest) -> Any:
    code = str(request.GET.get("center") or "")[:20]
    return center_get(code=code) if code else center_default()


def _asker(request: HttpRequest) -> Asker:
    who = request.auth  # type: ignore[attr-defined]
    if isinstance(who, FamilyMember):
        return Asker.of_family(who)
    return Asker.of_staff(who)


def _center_id(request: HttpRequest) -> int:
    who = request.auth  # type: ignore[attr-defined]
    if isinstance(who, FamilyMember):
        return who.center_id
    center_id = getattr(who, "center_id", None)
    if center_id is None:  # PublicGuide answers with the center itself
        center_id = getattr(who, "pk", None)
    if center_id is None:
        raise DomainError(_("该账号未归属任何中心。"), code=DeskError.PERMISSION_DENIED, status=403)
    return int(center_id)


class ProcedureOut(Schema):
    id: int
    unit: str
    name: str
    materials: list[str]
    fee: str
    time_limit: str
    place: str


@router.get(
    "/desk/procedures",
    response=list[ProcedureOut],
    auth=[*staff_auth, FamilySession(), PublicGuide()],
    summary="搜索办事指南",
    description=(
        "工作人员、已登录警属可用；中心主任开放后公众也可查询（可加 center=中心代码）。"
        "q 为中文问句或关键词（结巴分词 + 服务台维护的同义词），unit 为单位编号或名称，"
        "event 为人生事件（marriage 结婚、birth 生育、school 入学、retirement 退休、"
        "home_purchase 购房、medical 就医）。按相关度排序。"
    ),
    throttle=[AnonWindowThrottle("60/m")],
)
def desk_procedures(
    request: HttpRequest, q: str = "", unit: str = "", event: str = ""
) -> list[dict[str, Any]]:
    center_id = _center_id(request)
    unit_id = None
    if unit:
        units = unit_list(center_id=center_id)
        match = (
            units.filter(pk=int(unit))
            if unit.isdigit() and len(unit) < 10
            else units.filter(name=unit[:60])
        )
        found = match.first()
        if found is None:
            raise DomainError(_("没有这个单位。"), code=DeskError.UNKNOWN_UNIT, status=400)
        unit_id = found.pk
    if event:
        by_label = {str(label): value for value, label in LifeEvent.choices}
        event = by_label.get(event, event)
        if event not in LifeEvent.values:
            raise DomainError(
                _("人生事件只能是：%(e)s。") % {"e": "、".join(by_label)}, code=DeskError.INVALID
            )
    results = procedure_search(center_id=center_id, q=q[:60], unit_id=unit_id, event=event)
    return [
        {
            "id": p.pk,
            "unit": p.unit.name,
            "name": p.name,
            "materials": p.material_lines,
            "fee": p.fee,
            "time_limit": p.time_limit,
            "place": p.place,
        }
        for p in results[:50]
    ]


class RequestIn(Schema):
    type: Literal["consult", "assisted", "on_behalf"]
    procedure_id: int | None = None
    question: str


class RequestCreatedOut(Schema):
    number: str
    status: str
    due_on: date


@router.post(
    "/desk/requests",
    response={201: RequestCreatedOut},
    auth=[*staff_auth, FamilySession()],
    summary="向惠民暖警服务台提出诉求",
    description="民警本人或已登录的登记警属；type 为 consult 咨询、assisted 帮办、on_behalf 代办。",
)
def desk_request_create(request: HttpRequest, payload: RequestIn) -> Status:
    created = request_create(
        asker=_asker(request),
        type=payload.type,
        procedure_id=payload.procedure_id,
        question=payload.question,
    )
    return Status(
        201, {"number": created.number, "status": created.status, "due_on": created.due_on}
    )


class ReplyOut(Schema):
    at: datetime
    body: str
    by_requester: bool


class RequestOut(Schema):
    number: str
    type: str
    status: str
    status_label: str
    due_on: date
    procedure: str
    question: str
    replies: list[ReplyOut]


@router.get(
    "/desk/requests/{number}",
    response=RequestOut,
    auth=[*staff_auth, FamilySession()],
    summary="查看诉求进度与答复",
    description="只有提出人、服务台和经办人可以查看（每次查看都记入审计日志）；内部备注不返回。",
)
def desk_request_get(request: HttpRequest, number: str) -> dict[str, Any]:
    found, _parties = request_open(asker=_asker(request), number=number)
    replies = [
        {
            "at": m.at,
            "body": m.body,
            "by_requester": bool(
                m.author_family_id or m.author_staff_id == found.requester_staff_id
            ),
        }
        for m in found.messages.filter(kind=MessageKind.REPLY)
    ]
    return {
        "number": found.number,
        "type": found.type,
        "status": found.status,
        "status_label": found.get_status_display(),
        "due_on": found.due_on,
        "procedure": found.procedure_label,
        "question": found.question,
        "replies": replies,
    }
