"""Pages of the reports context: kept briefings, periodic reports with exports, the
director's headline figures and the big screen. Thin: parse, authorise, one call, render."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bianmin.accounts.selectors import center_name
from bianmin.core import clock
from bianmin.core.actors import actor_of
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Perm, has_perm
from bianmin.reports import selectors, services
from bianmin.reports.enums import ExportFormat, ReportKind
from bianmin.reports.periods import Span, range_span, span_for
from bianmin.reports.render import change_text, headlines_xlsx, report_pdf, report_xlsx

View = Callable[..., HttpResponse]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _needs(perm: Perm) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user: Any = request.user
            if not has_perm(user, perm) or user.center_id is None:
                raise HttpForbidden
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def _day(text: str | None, default: date) -> date | None:
    if not text:
        return default
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def _file(content: bytes, fmt: str, name: str) -> HttpResponse:
    kind = XLSX_TYPE if fmt == ExportFormat.XLSX else "application/pdf"
    response = HttpResponse(content, content_type=kind)
    disposition = "attachment" if fmt == ExportFormat.XLSX else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{name}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _rows_for_template(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            **section,
            "rows": [{**row, "change_text": change_text(row)} for row in section["rows"]],
        }
        for section in data["sections"]
    ]


# --- 晨会通报 ---------------------------------------------------------------------------------


@_needs(Perm.BRIEFING_VIEW)
def briefings(request: HttpRequest) -> HttpResponse:
    """Kept briefings of the center (every version) and the newest one on the page."""
    user: Any = request.user
    kept = list(selectors.briefing_list(center_id=user.center_id))
    shown = None
    if kept:
        newest = selectors.briefing_get(center_id=user.center_id, day=kept[0].day)
        shown = newest.data if newest is not None else None
    return render(
        request,
        "reports/briefings.html",
        {
            "briefings": kept,
            "shown": shown,
            "sections": _rows_for_template(shown) if shown else [],
            "today": clock.today(),
        },
    )


@require_POST
@_needs(Perm.BRIEFING_VIEW)
def briefing_generate(request: HttpRequest) -> HttpResponse:
    """值班长 regenerates a day's briefing: a new version, the earlier ones stay as they were."""
    day = _day(request.POST.get("day"), clock.today())
    if day is None:
        messages.error(request, _("日期格式应为 YYYY-MM-DD。"))
        return redirect("reports:briefings")
    try:
        briefing = services.briefing_generate(actor=actor_of(request), day=day)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("reports:briefings")
    messages.success(
        request,
        _("已生成 %(day)s 晨会通报第 %(version)s 版。")
        % {"day": briefing.day.isoformat(), "version": briefing.version},
    )
    return redirect("reports:briefings")


@_needs(Perm.BRIEFING_VIEW)
def briefing_file(request: HttpRequest, day: str, version: int, fmt: str) -> HttpResponse:
    user: Any = request.user
    parsed = _day(day, clock.today())
    if parsed is None or fmt not in ExportFormat.values:
        raise Http404
    briefing = selectors.briefing_get(center_id=user.center_id, day=parsed, version=version)
    if briefing is None:
        raise Http404
    content = bytes(briefing.xlsx if fmt == ExportFormat.XLSX else briefing.pdf)
    return _file(content, fmt, f"briefing-{briefing.day}-v{briefing.version}")


# --- periodic reports ---------------------------------------------------------------------------


def _span_from(request: HttpRequest) -> tuple[Span | None, str]:
    today = clock.today()
    kind_text = request.GET.get("kind") or ReportKind.MONTH
    if kind_text not in ReportKind.values or kind_text == ReportKind.BRIEFING:
        return None, _("报表类型不正确。")
    kind = ReportKind(kind_text)
    day = _day(request.GET.get("day"), today)
    if kind == ReportKind.RANGE:
        start = _day(request.GET.get("start"), today.replace(day=1))
        end = _day(request.GET.get("end"), today)
        if start is None or end is None:
            return None, _("日期格式应为 YYYY-MM-DD。")
        try:
            return range_span(start, end), ""
        except ValueError:
            return None, _("截止日期不能早于起始日期，时段不超过三年。")
    if day is None:
        return None, _("日期格式应为 YYYY-MM-DD。")
    return span_for(kind, day=day), ""


@_needs(Perm.REPORT_VIEW)
def report(request: HttpRequest) -> HttpResponse:
    """周报/月报/年报/任意时段: the same sections; ?format=pdf|xlsx exports the same figures."""
    span, error = _span_from(request)
    fmt = request.GET.get("format", "")
    if span is None or (fmt and fmt not in ExportFormat.values):
        return render(
            request,
            "reports/report.html",
            {"error": error or _("导出格式只能是 pdf 或 xlsx。"), "kinds": _kinds()},
            status=400,
        )
    actor = actor_of(request)
    built = services.report_for(actor=actor, span=span)
    data = built.as_dict()
    if fmt:
        services.report_export_record(actor=actor, report=built, fmt=fmt)
        content = report_pdf(data) if fmt == ExportFormat.PDF else report_xlsx(data)
        return _file(content, fmt, f"report-{span.kind}-{span.start}-{span.end}")
    return render(
        request,
        "reports/report.html",
        {
            "data": data,
            "sections": _rows_for_template(data),
            "span": span,
            "kinds": _kinds(),
            "query": request.GET.urlencode(),
        },
    )


def _kinds() -> list[tuple[str, str]]:
    return [(k.value, str(k.label)) for k in ReportKind if k != ReportKind.BRIEFING]


# --- headline figures --------------------------------------------------------------------------


@_needs(Perm.REPORT_VIEW)
def headlines(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    figures = selectors.headline_figures(center_id=user.center_id)
    name = center_name(center_id=user.center_id)
    if request.GET.get("format") == ExportFormat.XLSX:
        services.headlines_export_record(actor=actor_of(request))
        content = headlines_xlsx(_("%(center)s成效数据") % {"center": name}, figures)
        return _file(content, ExportFormat.XLSX, f"headlines-{clock.today()}")
    return render(request, "reports/headlines.html", {"figures": figures, "center": name})


# --- big screen ------------------------------------------------------------------------------


@_needs(Perm.HALL_MONITOR)
def screen(request: HttpRequest) -> HttpResponse:
    """大屏 (1920×1080): live over the hall display's websocket, polling as the fallback."""
    user: Any = request.user
    return render(
        request,
        "reports/screen.html",
        {
            "data": selectors.hall_screen(center_id=user.center_id),
            "center": center_name(center_id=user.center_id),
            "ws_path": f"/ws/hall/display/{user.center.code}/",
        },
    )


@_needs(Perm.HALL_MONITOR)
def screen_data(request: HttpRequest) -> JsonResponse:
    user: Any = request.user
    return JsonResponse(selectors.hall_screen(center_id=user.center_id))
