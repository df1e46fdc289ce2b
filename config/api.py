"""The JSON API under /api/v1: one NinjaAPI, each context mounts its router here."""

from typing import Any

from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.db import DataError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.errors import AuthorizationError as NinjaAuthorizationError
from ninja.renderers import JSONRenderer

from bianmin.accounts.api import router as accounts_router
from bianmin.appointments.api import router as appointments_router
from bianmin.cases.api import router as cases_router
from bianmin.catalogue.api import router as catalogue_router
from bianmin.core.api import router as calendar_router
from bianmin.core.codes import CoreError
from bianmin.core.errors import DomainError, registered_codes
from bianmin.core.throttling import AnonWindowThrottle
from bianmin.family_desk.api import router as family_desk_router
from bianmin.fees.api import router as fees_router
from bianmin.hall.api import router as hall_router
from bianmin.identity.api import router as identity_router
from bianmin.lost_found.api import router as lost_found_router
from bianmin.notifications.api import router as notifications_router
from bianmin.people.api import router as people_router
from bianmin.planner.api import router as planner_router
from bianmin.ratings.api import router as ratings_router
from bianmin.reports.api import router as reports_router
from bianmin.standards.api import router as standards_router
from bianmin.traffic.api import router as traffic_router


class ChineseJSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


DESCRIPTION = (
    "公安便民服务中心对外接口。工作人员接口使用 `Authorization: Bearer <token>`；"
    '公开接口已标注并限流。错误统一返回 `{"code", "message"}`。'
)


def error_code_list() -> str:
    """Markdown: every error code a client may see, per context (registered enums)."""
    lines = ["", "", "### 错误代码（code）", ""]
    for context, enum in registered_codes().items():
        lines.append(f"- {context}：" + "、".join(f"`{member.value}`" for member in enum))
    return "\n".join(lines)


class BianminAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        # Built when asked, so every context's enum has been registered by then.
        self.description = DESCRIPTION + error_code_list()
        return super().get_openapi_schema(**kwargs)


api = BianminAPI(
    renderer=ChineseJSONRenderer(),
    title="便民服务中心 API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-1",
    throttle=[AnonWindowThrottle("600/m")],
)

api.add_router("", calendar_router)
api.add_router("", catalogue_router)
api.add_router("", people_router)
api.add_router("", accounts_router)
api.add_router("", hall_router)
api.add_router("", cases_router)
api.add_router("", fees_router)
api.add_router("", notifications_router)
api.add_router("", identity_router)
api.add_router("", family_desk_router)
api.add_router("", ratings_router)
api.add_router("", lost_found_router)
api.add_router("", planner_router)
api.add_router("", standards_router)
api.add_router("", reports_router)
api.add_router("", traffic_router)
api.add_router("", appointments_router)


def _error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message}, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    parts = []
    for error in exc.errors[:5]:
        where = ".".join(str(p) for p in error.get("loc", [])[1:]) or "请求"
        parts.append(f"{where}：{_translate_pydantic(error)}")
    return _error(request, 400, CoreError.INVALID_REQUEST, _("请求参数有误。") + "；".join(parts))


def _translate_pydantic(error: dict) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return _("缺少此项")
    if kind.startswith("int") or kind.startswith("float"):
        return _("应为数字")
    if kind.startswith("date"):
        return _("应为 YYYY-MM-DD 格式的日期")
    if kind.startswith("string"):
        return _("应为文字")
    if kind in {"enum", "literal_error"}:
        return _("取值不在允许范围内")
    if "json" in kind:
        return _("不是有效的 JSON")
    return _("格式不正确")


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(
        request, 401, CoreError.UNAUTHORIZED, _("请先登录，或在请求头提供有效的 Bearer 令牌")
    )


@api.exception_handler(NinjaAuthorizationError)
def authorization_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 403, CoreError.PERMISSION_DENIED, _("您没有执行此操作的权限"))


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 403 and "CSRF" in str(exc):
        return _error(request, 403, CoreError.CSRF_FAILED, _("页面已过期，请刷新页面后重试"))
    if exc.status_code == 400:
        return _error(
            request, 400, CoreError.INVALID_REQUEST, _("请求内容无法解析，请提交有效的 JSON 或表单")
        )
    if exc.status_code == 429:
        return _error(request, 429, CoreError.THROTTLED, _("请求过于频繁，请稍后再试"))
    return _error(request, exc.status_code, CoreError.HTTP_ERROR, str(exc))


@api.exception_handler(OverflowError)  # a huge id on SQLite, a date past 9999
@api.exception_handler(DataError)  # PostgreSQL's "integer out of range", an overlong value
def out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    """The caller's input does not fit, not our fault: 400, never 500."""
    return _error(request, 400, CoreError.OUT_OF_RANGE, _("输入的数字、日期或文字超出允许范围"))


@api.exception_handler(SuspiciousOperation)
def suspicious_operation(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    status, code, message = request_refusal(exc)
    return _error(request, status, code, message)


def request_refusal(exc: BaseException | None) -> tuple[int, str, str]:
    """(status, code, Chinese message) for a request Django refused to read."""
    if isinstance(exc, RequestDataTooBig):
        return 413, CoreError.REQUEST_TOO_LARGE, _("提交的内容过大，请缩小文件或分批提交")
    if isinstance(exc, TooManyFilesSent):
        return 400, CoreError.TOO_MANY_FILES, _("一次上传的文件过多，请分批上传")
    if isinstance(exc, TooManyFieldsSent):
        return 400, CoreError.TOO_MANY_FIELDS, _("提交的字段过多")
    return 400, CoreError.INVALID_REQUEST, _("请求内容无法解析，请检查后重试")


def bad_request(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    """handler400: Django refused the request before any view (body too large, too many
    fields or files, a bad host). JSON on the API, a Chinese page elsewhere."""
    status, code, message = request_refusal(exception)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": code, "message": message},
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
    return render(request, "error.html", {"message": message}, status=status)
