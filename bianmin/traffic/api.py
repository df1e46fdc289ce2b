"""The traffic-violation query API: by vehicle (plate + the VIN's last six), public and
throttled. The driver query (ID card) is the kiosk's only, from the kiosk network."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from bianmin.accounts.selectors import center_default, center_get
from bianmin.core.errors import NotFound
from bianmin.traffic import selectors
from bianmin.traffic.enums import QueryBy
from bianmin.traffic.errors import TrafficError
from bianmin.traffic.schemas import ErrorOut, VehicleQueryIn, ViolationsOut
from bianmin.traffic.throttle import throttle

router = Router(tags=["交通违法查询"])


@router.post(
    "/traffic/violations",
    response={
        200: ViolationsOut,
        400: ErrorOut,
        404: ErrorOut,
        429: ErrorOut,
        502: ErrorOut,
        503: ErrorOut,
    },
    url_name="traffic_violations",
    summary="按车辆查询交通违法（公开，限流）",
    description="车牌号码 + 号牌种类 + 车辆识别代号后六位；结果来自交管平台，号牌已遮蔽。",
)
def traffic_violations(request: HttpRequest, payload: VehicleQueryIn) -> dict[str, Any]:
    throttle(request, "query")
    center = center_get(code=payload.center.strip()) if payload.center else center_default()
    if center is None:
        raise NotFound(_("没有找到该服务中心。"), code=TrafficError.NOT_MATCHED)
    found = selectors.violations_query(
        center_id=center.pk,
        by=QueryBy.VEHICLE,
        plate=payload.plate,
        plate_type=payload.plate_type,
        vin_last6=payload.vin_last6,
    )
    return {"total": len(found), "items": [v.__dict__ for v in found]}
