"""The officer's workspace: their session, the ticket they serve, what they parked."""

from __future__ import annotations

from django.db.models import QuerySet

from bianmin.core import clock
from bianmin.hall.enums import IssueChannel, TicketStatus
from bianmin.hall.models import Ticket, Window, WindowSession
from bianmin.hall.selectors.hall_settings import hall_settings_get
from bianmin.hall.selectors.pool import pool_ordered

# --- the officer's workspace -----------------------------------------------------------------


def session_current(*, officer_id: int, center_id: int | None = None) -> WindowSession | None:
    """The officer's open window session (in `center_id`, the actor's center, when given)."""
    qs = WindowSession.objects.select_related("window").filter(
        officer_id=officer_id, ended_at__isnull=True
    )
    if center_id is not None:
        qs = qs.filter(center_id=center_id)
    return qs.first()


def ticket_current_for(*, officer_id: int, center_id: int) -> Ticket | None:
    return (
        Ticket.objects.select_related("item", "window")
        .filter(officer_id=officer_id, center_id=center_id, status=TicketStatus.CALLED)
        .order_by("-called_at")
        .first()
    )


def tickets_parked_by(*, officer_id: int, center_id: int) -> QuerySet[Ticket]:
    return (
        Ticket.objects.select_related("item")
        .filter(
            center_id=center_id,
            officer_id=officer_id,
            status=TicketStatus.PARKED,
            service_day=clock.today(),
        )
        .order_by("arrived_at")
    )


def tickets_priority_pending(*, center_id: int) -> QuerySet[Ticket]:
    """Today's waiting tickets whose self-declared priority the guide desk has not yet decided."""
    return (
        Ticket.objects.select_related("item")
        .filter(
            center_id=center_id,
            status=TicketStatus.WAITING,
            service_day=clock.today(),
        )
        .exclude(priority_claim="")
        .order_by("arrived_at")
    )


def sessions_open(*, center_id: int) -> list[WindowSession]:
    """The center's open window sessions with their officers (who sits where)."""
    return list(
        WindowSession.objects.select_related("officer").filter(
            center_id=center_id, ended_at__isnull=True
        )
    )


def tickets_issued_at_guide_today(*, center_id: int, limit: int = 10) -> list[Ticket]:
    """本台今日取号: the guide desk's latest tickets of today."""
    return list(
        Ticket.objects.select_related("item")
        .filter(center_id=center_id, service_day=clock.today(), channel=IssueChannel.GUIDE)
        .order_by("-arrived_at")[:limit]
    )


def windows_of(*, center_id: int) -> QuerySet[Window]:
    return Window.objects.filter(center_id=center_id, is_active=True).order_by("code")


def waiting_count_for(*, center_id: int, officer_id: int, item_ids: set[int] | None) -> int:
    now = clock.now()
    return pool_ordered(
        center_id=center_id,
        now=now,
        settings=hall_settings_get(center_id=center_id),
        officer_id=officer_id,
        item_ids=item_ids,
    ).count()
