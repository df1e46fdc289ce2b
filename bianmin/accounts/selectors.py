from dataclasses import dataclass
from datetime import date, time
from typing import Any

from django.db.models import QuerySet

from bianmin.accounts.models import Authorization, Center, Staff
from bianmin.core.permissions import Role


def staff_may_serve(*, staff: Any, item_id: int) -> bool:
    """交叉授权: all-round officers serve every item; others the items they are authorized for."""
    if staff.is_all_round:
        return True
    return Authorization.objects.filter(staff_id=staff.pk, item_id=item_id).exists()


def staff_item_ids(*, staff: Any) -> set[int] | None:
    """The item ids an officer may serve, or None for all (all-round)."""
    if staff.is_all_round:
        return None
    return set(Authorization.objects.filter(staff_id=staff.pk).values_list("item_id", flat=True))


def staff_list(*, user: Any, role: Role | None = None) -> QuerySet[Staff]:
    qs = Staff.objects.select_related("center").filter(is_active=True)
    if user.center_id is not None:
        qs = qs.filter(center_id=user.center_id)
    if role is not None:
        qs = qs.filter(role=role)
    return qs.order_by("username")


def center_get(*, code: str) -> Center | None:
    return Center.objects.filter(code=code).first()


def center_default() -> Center | None:
    return Center.objects.filter(is_active=True).order_by("pk").first()


@dataclass(frozen=True)
class DayHours:
    """A center's service hours on one day; the lunch break, when set, is closed."""

    opens_at: time
    closes_at: time
    lunch_from: time | None = None
    lunch_to: time | None = None

    def is_open_at(self, moment: time) -> bool:
        if not self.opens_at <= moment < self.closes_at:
            return False
        if self.lunch_from and self.lunch_to:
            return not self.lunch_from <= moment < self.lunch_to
        return True


def center_hours(*, center_id: int, day: date) -> DayHours | None:
    """The hours the center serves on `day` (its own calendar), or None when closed all day.

    The one source for ticket issuing, notices and the hall screens.
    """
    center = Center.objects.filter(pk=center_id).only("opens_at", "closes_at").first()
    if center is None:
        return None
    return DayHours(opens_at=_as_time(center.opens_at), closes_at=_as_time(center.closes_at))


def _as_time(value: Any) -> time:
    if isinstance(value, str):
        hours, minutes = value.split(":")[:2]
        return time(int(hours), int(minutes))
    return value


def center_sms_signature(*, center_id: int) -> str | None:
    """The center's SMS signature ("" when unset), or None when there is no such center."""
    return Center.objects.filter(pk=center_id).values_list("sms_signature", flat=True).first()


def center_sms_signatures() -> list[str]:
    """The SMS signatures set by active centers (templates are checked against the longest)."""
    return list(
        Center.objects.filter(is_active=True)
        .exclude(sms_signature="")
        .values_list("sms_signature", flat=True)
    )
