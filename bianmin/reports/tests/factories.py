"""Rows of other contexts placed on known days, so a report's figures can be checked against
the counts the fixture was built with (tests may write other contexts' tables directly)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bianmin.catalogue.models import ServiceItem
from bianmin.fees.enums import PaymentMethod, PaymentStage
from bianmin.fees.models import Payment
from bianmin.hall.enums import EventKind, IssueChannel, TicketStatus
from bianmin.hall.models import Ticket, TicketEvent, WindowSession

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def item_of(category: str) -> ServiceItem:
    return ServiceItem.objects.filter(category=category).order_by("code").first()  # type: ignore[return-value]


_seq = {"n": 0}


def ticket(
    center: Any,
    *,
    day: date,
    category: str = "household",
    status: str = TicketStatus.FINISHED,
    wait_seconds: int | None = None,
    hour: int = 9,
) -> Ticket:
    """One ticket issued at `hour`, its issue event and, when `wait_seconds`, its first call."""
    _seq["n"] += 1
    item = item_of(category)
    arrived = at(day, hour, _seq["n"] % 50)
    made = Ticket.objects.create(
        center=center,
        service_day=day,
        prefix="A",
        seq=_seq["n"],
        number=f"A{_seq['n']:03d}",
        item=item,
        status=status,
        channel=IssueChannel.GUIDE,
        arrived_at=arrived,
        queue_at=arrived,
    )
    TicketEvent.objects.create(center=center, ticket=made, kind=EventKind.ISSUE, at=arrived)
    if wait_seconds is not None:
        TicketEvent.objects.create(
            center=center,
            ticket=made,
            kind=EventKind.CALL,
            at=arrived + timedelta(seconds=wait_seconds),
            wait_seconds=wait_seconds,
        )
    return made


def window_session(center: Any, *, window: Any, officer: Any, day: date) -> WindowSession:
    return WindowSession.objects.create(
        center=center,
        window=window,
        officer=officer,
        started_at=at(day, 8, 30),
        ended_at=at(day, 17, 30),
    )


def payment(
    center: Any, *, staff: Any, day: date, payable_fen: int, waived_fen: int, key: str
) -> Payment:
    return Payment.objects.create(
        center=center,
        stage=PaymentStage.WALK_IN,
        item_code="HZ02",
        item_name="居民身份证",
        on_date=day,
        standard_fen=payable_fen + waived_fen,
        waived_fen=waived_fen,
        payable_fen=payable_fen,
        method=PaymentMethod.CASH,
        payer_name="王*",
        collected_by=staff,
        collected_at=at(day, 10),
        idempotency_key=key,
    )
