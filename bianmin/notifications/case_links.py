"""The case facts this context needs, supplied by the cases context.

Cases sits above notifications (it imports our services to send its notices), so this context
never imports cases. Instead cases registers these callables in its ``apps.ready()`` through
``bianmin.notifications.services`` (``case_links_register``). Keyword arguments and the
attributes read from the results are the whole interface; they are listed below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol


class PickedUpCase(Protocol):
    """One collected certificate: when the case was accepted and when it was picked up."""

    @property
    def number(self) -> str: ...

    @property
    def accepted_at(self) -> datetime: ...

    @property
    def picked_up_at(self) -> datetime: ...


#: ``(*, center_id: int, since: date) -> rows``: cases picked up since ``since``.
PickupDurations = Callable[..., Iterable[PickedUpCase]]


@dataclass
class _Links:
    pickup_durations: PickupDurations | None = None


_links = _Links()


def case_links_register(
    *,
    pickup_durations: PickupDurations | None = None,
) -> None:
    """Called once by the cases context's ``apps.ready()`` (again in tests to substitute)."""
    if pickup_durations is not None:
        _links.pickup_durations = pickup_durations


def picked_up_cases(*, center_id: int, since: date) -> list[PickedUpCase] | None:
    """Cases of the center picked up since ``since``; None when cases registered no source."""
    if _links.pickup_durations is None:
        return None
    return list(_links.pickup_durations(center_id=center_id, since=since))
