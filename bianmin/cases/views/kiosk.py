"""The self-service kiosk's 办件进度 tile: the receipt's QR code scanned (the case number, then
the phone's last four digits on the keypad, as on the phone), or the ID card read → the
citizen's open cases at this center, masked."""

from __future__ import annotations

import re
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from bianmin.accounts.selectors import center_get
from bianmin.cases import selectors
from bianmin.cases.throttle import progress_lookup
from bianmin.core.client_ip import client_ip
from bianmin.core.errors import DomainError
from bianmin.core.kiosk import from_kiosk_network
from bianmin.core.ratelimit import cache_hit

CASE_NUMBER_RE = re.compile(r"[A-Z]{1,6}-\d{8}-\d{4}")
CARD_LOOKUPS = (20, 600)  # card lookups per kiosk address in ten minutes


def _center(code: str) -> Any:
    center = center_get(code=code.upper())
    if center is None or not center.is_active:
        raise Http404(_("没有这个便民服务中心"))
    return center


def scanned_case_number(text: str) -> str:
    """The case number in what the QR scanner typed (the receipt's progress URL or the bare
    number)."""
    found = CASE_NUMBER_RE.search((text or "").upper())
    return found.group(0) if found else ""


def kiosk_progress(request: HttpRequest, center_code: str) -> HttpResponse:
    center = _center(center_code)
    ctx: dict[str, Any] = {"center": center, "view": None, "rows": None, "error": "", "number": ""}
    if request.method == "POST":
        mode = request.POST.get("mode", "")
        if mode == "card":
            if not from_kiosk_network(request):
                ctx["error"] = _("读卡查询仅限大厅自助机使用")
            elif cache_hit(f"kiosk-card:{client_ip(request)}", CARD_LOOKUPS[1]) > CARD_LOOKUPS[0]:
                ctx["error"] = _("查询过于频繁，请稍后再试")
            else:
                ctx["rows"] = selectors.open_cases_by_card(
                    center_id=center.pk,
                    id_number=request.POST.get("id_number", "")[:18],
                    name=request.POST.get("name", "")[:50],
                )
        else:
            number = scanned_case_number(request.POST.get("scan", "") or "")
            ctx["number"] = number
            if not number:
                ctx["error"] = _("没有识别到受理编号，请将回执上的二维码对准扫码口")
            else:
                try:
                    ctx["view"] = progress_lookup(
                        request=request,
                        number=number,
                        phone_last4=request.POST.get("phone_last4", "")[:4],
                    )
                except DomainError as exc:
                    ctx["error"] = exc.message
    return render(request, "cases/kiosk_progress.html", ctx)
