"""The provider interface of the traffic-violation query.

The real service is the traffic police's platform (公安交通管理综合应用平台, reached through the
province's gateway); the product talks to it through one `ViolationProvider`. Adapters:

* `providers.http.HttpJsonProvider` — the documented JSON-over-HTTPS protocol of
  docs/readme/devices.md (a signed POST; the simulated provider in tests/support/traffic_fake
  speaks it, with demo data).

A provider answers a `ViolationQuery` with a list of `Violation` or raises `ProviderError`
(`not_matched` when the vehicle/driver is unknown or the VIN does not match; anything else is a
failure of the service). It never sees more than the query needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class ViolationQuery:
    """By the driver (ID number + name read from the card) or by the vehicle (plate, plate
    type and the last six characters of the VIN)."""

    id_number: str = ""
    name: str = ""
    plate: str = ""
    plate_type: str = "02"
    vin_last6: str = ""

    @property
    def by_vehicle(self) -> bool:
        return bool(self.plate)


@dataclass(frozen=True)
class Violation:
    number: str  # 违法编号
    plate_masked: str  # 号牌号码 as the provider masks it
    occurred_at: datetime  # 违法时间
    place: str  # 违法地点
    behaviour: str  # 违法行为
    points: int  # 记分
    fine_yuan: int  # 罚款金额（元）
    handled: bool  # 处理标记
    paid: bool  # 缴款标记


class ProviderError(Exception):
    def __init__(self, kind: str, message: str = "") -> None:
        super().__init__(message or kind)
        self.kind = kind  # "not_matched" | "failed"


class ViolationProvider(Protocol):
    name: str

    def query(self, query: ViolationQuery) -> list[Violation]: ...
