"""/api/v1/reports: the morning briefing as a file (PDF or Excel workbook)."""

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router

from bianmin.accounts.api import staff_auth
from bianmin.core import clock
from bianmin.core.errors import DomainError
from bianmin.reports.enums import ExportFormat
from bianmin.reports.errors import ReportError
from bianmin.reports.services import briefing_ensure

router = Router(tags=["报表"])

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _parse_day(text: str) -> dt.date:
    try:
        if len(text) != 10:
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DomainError(
            _("日期格式应为 YYYY-MM-DD，例如 2026-03-02。"), code=ReportError.BAD_DATE
        ) from None


@router.get(
    "/reports/briefing",
    auth=staff_auth,
    summary="晨会通报（PDF 或 Excel）",
    description=(
        "值班长、中心主任可用。date 为通报日期（工作日，缺省为今天），通报覆盖此前一个工作日"
        "及其后的休息日，并与上周同期对比；format=pdf（缺省）或 xlsx。已保存的通报原样返回"
        "（最新版本）；当天尚无通报时生成一次并保存。"
    ),
    response={200: None},
    openapi_extra={
        "responses": {
            "200": {
                "description": "PDF 或 Excel 文件",
                "content": {"application/pdf": {}, XLSX_TYPE: {}},
            }
        }
    },
)
def briefing_file(request: HttpRequest, date: str = "", format: str = "pdf") -> HttpResponse:
    actor = request.auth  # type: ignore[attr-defined]
    if format not in ExportFormat.values:
        raise DomainError(_("format 只能是 pdf 或 xlsx。"), code=ReportError.BAD_FORMAT)
    day = _parse_day(date) if date else clock.today()
    briefing = briefing_ensure(actor=actor, day=day)
    if format == ExportFormat.XLSX:
        response = HttpResponse(bytes(briefing.xlsx), content_type=XLSX_TYPE)
        filename = f"briefing-{briefing.day}-v{briefing.version}.xlsx"
    else:
        response = HttpResponse(bytes(briefing.pdf), content_type="application/pdf")
        filename = f"briefing-{briefing.day}-v{briefing.version}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
