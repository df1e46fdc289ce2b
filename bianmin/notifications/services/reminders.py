"""Periodic reminders: the pickup reminder and the appointment reminder."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings

from bianmin.core import clock
from bianmin.core.errors import DomainError
from bianmin.core.workdays import workdays_between
from bianmin.notifications.case_links import picked_up_cases
from bianmin.notifications.enums import MessageStatus
from bianmin.notifications.models import Message
from bianmin.notifications.services.sending import case_notice_key, sms_enqueue

logger = logging.getLogger("bianmin.notifications.services")


def pickup_reminders_send(*, workdays: int | None = None) -> int:
    """Periodic: a second notice for pickup notices sent N working days ago whose case is still
    not collected (one per case, dedupe key ``case:<id>:pickup_reminder``)."""
    n = int(
        workdays if workdays is not None else getattr(settings, "SMS_PICKUP_REMINDER_WORKDAYS", 5)
    )
    today = clock.today()
    candidates = list(
        Message.objects.filter(
            template_code__in=("pickup_ready", "plate_ready"),
            status__in=(MessageStatus.SENT, MessageStatus.DELIVERED),
            case_id__isnull=False,
            sent_at__lt=clock.now() - timedelta(days=1),
        ).order_by("sent_at")
    )
    if not candidates:
        return 0
    already = set(
        Message.objects.filter(
            template_code="pickup_reminder", case_id__in=[m.case_id for m in candidates]
        ).values_list("case_id", flat=True)
    )
    sent = 0
    by_center: dict[int, set[str]] = {}
    for message in candidates:
        if message.case_id in already:
            continue
        sent_on = clock.local(message.sent_at).date() if message.sent_at else today
        if workdays_between(sent_on, today) < n:
            continue
        if message.center_id not in by_center:
            first_sent = candidates[0].sent_at or clock.now()
            earliest = clock.local(first_sent).date() - timedelta(days=60)
            picked = picked_up_cases(center_id=message.center_id, since=earliest)
            if picked is None:  # without the pickups we could remind someone who collected
                logger.warning("pickup reminders skipped: cases registered no pickup source")
                return sent
            by_center[message.center_id] = {p.number for p in picked}
        case_number = str(message.params.get("case_number", ""))
        if not case_number or case_number in by_center[message.center_id]:
            continue
        item = str(message.params.get("item") or "证件")
        try:
            sent += int(
                sms_enqueue(
                    center_id=message.center_id,
                    template_code="pickup_reminder",
                    phone=message.phone or "",
                    params={"item": item, "case_number": case_number},
                    dedupe_key=case_notice_key(message.case_id or 0, "pickup_reminder"),
                    case_id=message.case_id,
                )
            )
        except DomainError:
            logger.warning("pickup reminder for case %s not queued", message.case_id)
    return sent


def appointment_reminder_enqueue(
    *, center_id: int, appointment_id: int, phone: str, item: str, on: datetime
) -> bool:
    """Ready for the appointments feature: the reminder for one appointment (sent once)."""
    local = clock.local(on)
    return sms_enqueue(
        center_id=center_id,
        template_code="appointment_reminder",
        phone=phone,
        params={
            "date": f"{local.month}月{local.day}日",
            "time": local.strftime("%H:%M"),
            "item": item,
        },
        dedupe_key=f"appointment:{appointment_id}:reminder",
    )


# ============================================================================================
# demo history
