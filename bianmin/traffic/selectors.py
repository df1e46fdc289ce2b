"""The traffic-violation query (a read through the configured provider; audited)."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.errors import DomainError, NotFound
from bianmin.people.idnumber import check_id_number
from bianmin.traffic import providers
from bianmin.traffic.enums import PlateType, QueryBy
from bianmin.traffic.errors import TrafficError

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_RE = re.compile(rf"^[{PROVINCES}][A-HJ-NP-Z][A-HJ-NP-Z0-9]{{5,6}}$")
VIN6_RE = re.compile(r"^[A-HJ-NPR-Z0-9]{6}$")


def clean_plate(plate: str) -> str:
    return re.sub(r"[\s·.\-]", "", plate or "").upper()


def _query(
    *, by: str, id_number: str, name: str, plate: str, plate_type: str, vin_last6: str
) -> providers.ViolationQuery:
    if by == QueryBy.VEHICLE:
        plate = clean_plate(plate)
        if not PLATE_RE.match(plate):
            raise DomainError(_("车牌号码不正确，例如 陕E12345"), code=TrafficError.INVALID_PLATE)
        if plate_type not in PlateType.values:
            raise DomainError(_("号牌种类不正确"), code=TrafficError.INVALID_PLATE_TYPE)
        vin_last6 = (vin_last6 or "").strip().upper()
        if not VIN6_RE.match(vin_last6):
            raise DomainError(
                _("请输入车辆识别代号（车架号）的后六位"), code=TrafficError.INVALID_VIN
            )
        return providers.ViolationQuery(plate=plate, plate_type=plate_type, vin_last6=vin_last6)
    check = check_id_number((id_number or "")[:40], today=clock.today())
    if not check.valid or not (name or "").strip():
        raise DomainError(
            _("没有读到有效的身份证，请重新读卡"), code=TrafficError.INVALID_ID_NUMBER
        )
    return providers.ViolationQuery(id_number=check.normalized, name=name.strip()[:50])


def violations_query(
    *,
    center_id: int,
    by: str,
    id_number: str = "",
    name: str = "",
    plate: str = "",
    plate_type: str = PlateType.SMALL,
    vin_last6: str = "",
) -> list[providers.Violation]:
    """The violations of a vehicle (plate + VIN's last six) or of a driver (ID card read at the
    kiosk), from the traffic police's platform. Every query is audited (what kind, how many
    found; never the plate, VIN or ID number)."""
    query = _query(
        by=by,
        id_number=id_number,
        name=name,
        plate=plate,
        plate_type=plate_type,
        vin_last6=vin_last6,
    )
    provider = providers.configured()
    if provider is None:
        raise DomainError(
            _("本中心暂未接入交通违法查询，请到交警窗口或使用“交管12123”查询"),
            code=TrafficError.NOT_CONNECTED,
            status=503,
        )
    outcome = "found"
    try:
        found = provider.query(query)
    except providers.ProviderError as exc:
        found, outcome = [], exc.kind
    with transaction.atomic():
        audit_record(
            actor=None,
            action=AuditAction.TRAFFIC_QUERIED,
            target_type="traffic.query",
            center_id=center_id,
            after={"by": by, "outcome": outcome, "found": len(found), "provider": provider.name},
        )
    if outcome == "not_matched":
        raise NotFound(
            _("没有查到该车辆，或车辆识别代号与车牌不符，请核对后再试")
            if query.by_vehicle
            else _("没有查到您的驾驶人信息"),
            code=TrafficError.NOT_MATCHED,
        )
    if outcome != "found":
        raise DomainError(
            _("交管平台暂时无法访问，请稍后再试"), code=TrafficError.PROVIDER_FAILED, status=502
        )
    return sorted(found, key=lambda v: v.occurred_at, reverse=True)
