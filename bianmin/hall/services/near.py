"""The near-turn SMS ("快到您了"): sent once per ticket when at most N people are ahead."""

from __future__ import annotations

import logging

from bianmin.core import clock
from bianmin.core.errors import DomainError
from bianmin.hall.models import Ticket
from bianmin.hall.selectors import hall_settings_get, pool_ordered
from bianmin.hall.services._common import sqlite_writer
from bianmin.notifications.services import sms_enqueue

log = logging.getLogger(__name__)

NEAR_TEMPLATE = "ticket_near"


def ticket_notify_near(*, center_id: int) -> int:
    """Send the near-turn SMS to tickets that now have at most N people ahead (once each).

    Runs after a call commits. The conditional UPDATE on `near_notified_at` makes the SMS
    exactly-once even when twenty officers call at the same moment.
    """
    now = clock.now()
    settings = hall_settings_get(center_id=center_id)
    if settings.near_position <= 0:
        return 0
    head = list(
        pool_ordered(center_id=center_id, now=now, settings=settings).values_list(
            "pk", "has_phone", "near_notified_at"
        )[: settings.near_position + 1]
    )
    sent = 0
    for ahead, (pk, has_phone, notified_at) in enumerate(head):
        if not has_phone or notified_at is not None:
            continue
        with sqlite_writer():
            claimed = Ticket.objects.filter(pk=pk, near_notified_at__isnull=True).update(
                near_notified_at=now
            )
        if not claimed:
            continue
        ticket = Ticket.objects.select_related("center").get(pk=pk)
        if ticket.phone:
            sent += int(ticket_near_sms(ticket=ticket, ahead=ahead))
    return sent


def ticket_near_sms(*, ticket: Ticket, ahead: int) -> bool:
    """Queue the message (urgent: a queue does not wait for quiet hours). A refused message
    (template not approved, bad number) is logged and never breaks a call."""
    try:
        with sqlite_writer():
            return sms_enqueue(
                center_id=ticket.center_id,
                template_code=NEAR_TEMPLATE,
                phone=ticket.phone or "",
                params={
                    "number": ticket.number,
                    "ahead": str(ahead),
                    "center": ticket.center.name,
                },
                dedupe_key=f"{NEAR_TEMPLATE}:{ticket.pk}",
                urgent=True,
            )
    except DomainError as exc:
        log.warning("near-turn SMS for ticket %s refused: %s", ticket.number, exc.code)
        return False
