"""Builders of ratings rows for tests that need many (figures, cross-center)."""

from datetime import datetime, timedelta
from typing import Any

from bianmin.core import clock
from bianmin.ratings.enums import Channel, EventKind
from bianmin.ratings.models import Rating, ServiceEvent
from bianmin.ratings.services import token_issue

_counter = {"n": 0}


def service_event(
    center: Any, *, officer: Any = None, at: datetime | None = None, **extra: Any
) -> ServiceEvent:
    _counter["n"] += 1
    at = at or clock.now()
    return ServiceEvent.objects.create(
        center=center,
        kind=extra.pop("kind", EventKind.TICKET),
        reference=extra.pop("reference", f"T{_counter['n']:06d}"),
        officer=officer,
        window_code=extra.pop("window_code", "W01"),
        item_code=extra.pop("item_code", "HZ02"),
        number=extra.pop("number", f"A{_counter['n'] % 1000:03d}"),
        at=at,
        day=clock.local(at).date(),
        **extra,
    )


def pad_token(event: ServiceEvent) -> str:
    return token_issue(event=event, channel=Channel.PAD)


def rating_row(
    event: ServiceEvent, level: int, *, at: datetime | None = None, **extra: Any
) -> Rating:
    """A stored rating as the citizen's submission leaves it (for figures tests)."""
    at = at or event.at + timedelta(minutes=1)
    return Rating.objects.create(
        center_id=event.center_id,
        service_event=event,
        level=level,
        reasons=extra.pop("reasons", ["attitude"] if level <= 2 else []),
        channel=extra.pop("channel", Channel.PAD),
        officer_id=event.officer_id,
        window_code=event.window_code,
        item_code=event.item_code,
        rated_at=at,
        day=clock.local(at).date(),
        **extra,
    )
