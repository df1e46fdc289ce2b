"""The kiosk's 交通违法查询 tile: the ID card read (driver) or plate + the VIN's last six."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from bianmin.accounts.selectors import center_get
from bianmin.core.errors import DomainError
from bianmin.core.kiosk import from_kiosk_network
from bianmin.traffic import selectors
from bianmin.traffic.enums import PlateType, QueryBy
from bianmin.traffic.errors import TrafficError
from bianmin.traffic.throttle import throttle


def kiosk(request: HttpRequest, center_code: str) -> HttpResponse:
    center = center_get(code=center_code.upper())
    if center is None or not center.is_active:
        raise Http404(_("没有这个便民服务中心"))
    ctx: dict[str, Any] = {
        "center": center,
        "plate_types": PlateType.choices,
        "provinces": selectors.PROVINCES,
        "violations": None,
        "error": "",
    }
    status = 200
    if request.method == "POST":
        post = request.POST
        by = QueryBy.ID_CARD if post.get("by") == QueryBy.ID_CARD else QueryBy.VEHICLE
        try:
            if by == QueryBy.ID_CARD and not from_kiosk_network(request):
                raise DomainError(
                    _("读卡查询仅限大厅自助机使用"), code=TrafficError.KIOSK_ONLY, status=403
                )
            throttle(request, "query")
            ctx["violations"] = selectors.violations_query(
                center_id=center.pk,
                by=by,
                id_number=post.get("id_number", "")[:18],
                name=post.get("name", "")[:50],
                plate=post.get("province", "")[:1] + post.get("plate", "")[:8],
                plate_type=post.get("plate_type", PlateType.SMALL)[:2],
                vin_last6=post.get("vin_last6", "")[:6],
            )
            ctx["by"] = by
        except DomainError as exc:
            ctx["error"], status = exc.message, exc.status
    return render(request, "traffic/kiosk.html", ctx, status=status)
