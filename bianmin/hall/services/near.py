"""The near-turn SMS ("快到您了"): sent once per ticket when at most N people are ahead.

A call does not look at the line itself: after it commits it queues one check for its center
in the task worker (`ticket_notify_near_soon`), due `HALL_NEAR_CHECK_DELAY_SECONDS` later (2 s),
and the calls committed while that check still waits share it. The officer's answer never waits
for the check; at twenty calls a second in one center, one check reads the head of the line
instead of twenty (each one took about a fifth of the served process's time in call bursts), and
the message leaves at most a few seconds later (the worker moves due tasks every second; on
SQLite it polls the queue, up to 10 s apart when idle).
"""

from __future__ import annotations

import logging

from django.conf import settings as django_settings
from django.core.cache import cache

from bianmin.core import clock
from bianmin.core.errors import DomainError
from bianmin.hall.models import Ticket
from bianmin.hall.selectors import hall_settings_get, pool_ordered
from bianmin.hall.services._common import sqlite_writer
from bianmin.notifications.services import sms_enqueue

log = logging.getLogger(__name__)

NEAR_TEMPLATE = "ticket_near"
# Set while a center's check is queued; the check clears it before it reads the line, so a call
# committed after that read queues the next one. It expires by itself should a queued check be
# lost: the first call after that queues a check again, so a lost check is never lost for good.
_QUEUED = "hall:near:queued:{}"
QUEUED_SECONDS = 60


def ticket_notify_near_soon(*, center_id: int) -> None:
    """After a call commits: queue the center's near-turn check unless one is queued already."""
    from bianmin.hall.tasks import ticket_notify_near_task  # tasks import services

    key = _QUEUED.format(center_id)
    if not cache.add(key, 1, QUEUED_SECONDS):
        return
    try:
        ticket_notify_near_task.schedule(
            args=(center_id,), delay=django_settings.HALL_NEAR_CHECK_DELAY_SECONDS
        )
    except Exception:
        cache.delete(key)  # not queued: the next call queues it again
        raise


def ticket_notify_near_queued(*, center_id: int) -> int:
    """The queued check (task worker): clear the mark, then look at the line."""
    cache.delete(_QUEUED.format(center_id))
    return ticket_notify_near(center_id=center_id)


def ticket_notify_near(*, center_id: int) -> int:
    """Send the near-turn SMS to tickets that now have at most N people ahead (once each).

    Runs in the task worker after calls (`ticket_notify_near_soon`). The conditional UPDATE on
    `near_notified_at` makes the SMS exactly-once even when twenty officers call at once.
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
