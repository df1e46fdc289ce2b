"""/api/v1/inspections (双随机一公开) and /api/v1/stars (三颗星). Thin: parse, call one service."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from bianmin.accounts.api import staff_auth
from bianmin.core.actors import home_center_id
from bianmin.core.errors import DomainError, NotFound, PermissionDenied
from bianmin.core.permissions import Perm, has_perm
from bianmin.core.throttling import AnonWindowThrottle
from bianmin.standards import selectors, services
from bianmin.standards.enums import DrawStatus
from bianmin.standards.errors import StandardsError

router = Router(tags=["规范化管理（双随机、三颗星）"])

PUBLIC = "public"


class Anyone:
    """No sign-in: the caller sees only published draws."""

    def __call__(self, request: HttpRequest) -> Any:
        return PUBLIC


class ErrorOut(Schema):
    code: str
    message: str


class DrawFilter(Schema):
    month: str = ""  # YYYY-MM, for cases and fee records (default: last month)


class DrawIn(Schema):
    name: str
    object_type: str
    objects: list[str] | DrawFilter = DrawFilter()
    k: int
    inspectors_k: int
    inspectors: list[str] = []


class DrawCreatedOut(Schema):
    id: int
    commitment: str


class DrawRunOut(Schema):
    seed: str
    objects: list[str]
    inspectors: list[str]


class DrawOut(Schema):
    id: int
    name: str
    center: str
    object_type: str
    status: str
    commitment: str
    objects: list[str]
    objects_hash: str
    inspectors: list[str]
    inspectors_hash: str
    conflicts: dict[str, list[str]]
    conflicts_hash: str
    k: int
    inspectors_k: int
    seed: str | None
    selection: DrawRunOut | None
    publish_due: str | None
    summary: str


class StarsOut(Schema):
    officer: str
    skill: bool
    discipline: bool
    satisfaction: bool
    explanations: dict[str, str]


def _staff(request: HttpRequest, perm: Perm) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if user == PUBLIC or not has_perm(user, perm):
        raise PermissionDenied(_("您没有此项操作的权限。"), code=StandardsError.PERMISSION_DENIED)
    return user


@router.post(
    "/inspections/draws",
    response={200: DrawCreatedOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    auth=staff_auth,
    url_name="draw_create",
    summary="新建双随机抽查并公布承诺值（督察、中心主任）",
    description=(
        'objects 为检查对象编号列表（窗口编号、用户名、受理编号、事项编码、收据编号），或筛选条件 {"month": "YYYY-MM"}'
        "（按类型取本中心全部对象；办件、收费记录取该月，默认上月）。inspectors 可指定检查人员用户名，"
        "默认为本中心全部督察账号。commitment = SM3(seed|对象名录哈希|人员名录哈希|回避关系哈希)，"
        "名录哈希 = SM3(按行连接的编号)。抽取前种子保密。"
    ),
)
def draw_create(request: HttpRequest, payload: DrawIn) -> dict[str, Any]:
    actor = _staff(request, Perm.INSPECTION_DRAW)
    objects = payload.objects if isinstance(payload.objects, list) else None
    month = None
    if isinstance(payload.objects, DrawFilter) and payload.objects.month:
        month = services.parse_month(payload.objects.month)
    draw = services.draw_create(
        actor=actor,
        name=payload.name,
        object_type=payload.object_type,
        objects=objects,
        month=month,
        k=payload.k,
        inspectors_k=payload.inspectors_k,
        inspectors=payload.inspectors or None,
    )
    return {"id": draw.pk, "commitment": draw.commitment}


@router.post(
    "/inspections/draws/{draw_id}/run",
    response={
        200: DrawRunOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
    },
    auth=staff_auth,
    url_name="draw_run",
    summary="抽取：公开种子并确定抽中名单（同一承诺值只能抽一次）",
    description=(
        '按 SM3(seed + "|" + 编号) 的十六进制升序排序取前 k 个；检查人员同样排序，与抽中对象有回避关系的'
        "依次跳过。重复抽取返回 409 already_drawn 并记入审计日志。"
    ),
)
def draw_run(request: HttpRequest, draw_id: int) -> dict[str, Any]:
    actor = _staff(request, Perm.INSPECTION_DRAW)
    draw = services.draw_run(actor=actor, draw_id=draw_id)
    return {
        "seed": draw.seed,
        "objects": draw.selected_objects,
        "inspectors": draw.selected_inspectors,
    }


@router.get(
    "/inspections/draws/{draw_id}",
    response={200: DrawOut, 404: ErrorOut, 429: ErrorOut},
    auth=[*staff_auth, Anyone()],
    url_name="draw_get",
    summary="抽查详情：名录、承诺值、种子、抽中名单（公开后任何人可查）",
    description="未登录只能查看已公开的抽查；抽取前不返回种子。",
    throttle=[AnonWindowThrottle("60/m")],
)
def draw_get(request: HttpRequest, draw_id: int) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    draw = None
    if user != PUBLIC and has_perm(user, Perm.INSPECTION_DRAW):
        draw = selectors.draw_get(center_id=home_center_id(user), pk=draw_id)
    if draw is None:  # anyone may read a published draw, of any center
        draw = selectors.draw_public(pk=draw_id)
    if draw is None:
        raise NotFound(_("没有找到该抽查。"), code=StandardsError.NOT_FOUND)
    revealed = draw.status != DrawStatus.COMMITTED
    return {
        "id": draw.pk,
        "name": draw.name,
        "center": draw.center.code,
        "object_type": draw.object_type,
        "status": draw.status,
        "commitment": draw.commitment,
        "objects": draw.object_list,
        "objects_hash": draw.objects_hash,
        "inspectors": draw.inspectors,
        "inspectors_hash": draw.inspectors_hash,
        "conflicts": draw.conflicts,
        "conflicts_hash": draw.conflicts_hash,
        "k": draw.k,
        "inspectors_k": draw.inspectors_k,
        "seed": draw.seed if revealed else None,
        "selection": {
            "seed": draw.seed,
            "objects": draw.selected_objects,
            "inspectors": draw.selected_inspectors,
        }
        if revealed
        else None,
        "publish_due": draw.publish_due.isoformat() if draw.publish_due else None,
        "summary": draw.summary,
    }


@router.get(
    "/stars",
    response={200: list[StarsOut], 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    auth=staff_auth,
    url_name="stars_month",
    summary="某月三颗星评定结果（工作人员）",
    description="month=YYYY-MM。explanations 含 skill、discipline、satisfaction 三项中文说明。",
)
def stars_month(request: HttpRequest, month: str = "") -> list[dict[str, Any]]:
    actor = _staff(request, Perm.STARS_VIEW)
    if not month:
        raise DomainError(_("请提供月份 month=YYYY-MM。"), code=StandardsError.INVALID)
    first = services.parse_month(month[:7])
    return [
        {
            "officer": result.officer.username,
            "skill": result.skill,
            "discipline": result.discipline,
            "satisfaction": result.satisfaction,
            "explanations": result.explanations,
        }
        for result in selectors.stars_for_month(center_id=home_center_id(actor), month=first)
    ]
