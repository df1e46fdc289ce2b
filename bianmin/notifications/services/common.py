"""Helpers shared by the SMS services: the center's signature, phone checks, quiet hours,
scheduling of the send task and the attempt log."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from datetime import time as dt_time

from django.conf import settings
from django.utils.translation import gettext as _

from bianmin.accounts.selectors import center_sms_signature, center_sms_signatures
from bianmin.core import clock
from bianmin.core.crypto import blind_index
from bianmin.core.errors import DomainError, NotFound
from bianmin.core.validators import is_mobile
from bianmin.notifications import pipeline, wording
from bianmin.notifications.clients import SignatureError, validate_signature
from bianmin.notifications.enums import AttemptOutcome, MessageStatus
from bianmin.notifications.errors import NotificationError
from bianmin.notifications.models import MessageAttempt

logger = logging.getLogger("bianmin.notifications.services")

MAX_ATTEMPTS = 6
ACTIVE_STATUSES = (MessageStatus.SENDING, MessageStatus.SENT, MessageStatus.DELIVERED)
# Written with every status that says the provider has the message (accepted, found by a query,
# reported by a receipt): its secret parameters (a one-time code) are never needed again. A
# message that failed before reaching the provider keeps them, so that a retry can send it.
PROVIDER_HAS_IT = {"secret": None}


class SmsError(DomainError):
    code = NotificationError.SMS_INVALID


def center_signature(center_id: int) -> str:
    signature = center_sms_signature(center_id=center_id)
    if signature is None:
        raise NotFound(_("服务中心不存在。"), code=NotificationError.CENTER_NOT_FOUND)
    try:
        return validate_signature(signature)
    except SignatureError as exc:
        raise SmsError(
            _("本中心短信签名不合规：%(error)s") % {"error": exc},
            code=NotificationError.SIGNATURE_INVALID,
        ) from exc


def signatures_for_check() -> list[str]:
    found = center_sms_signatures()
    return found or [wording.WORST_CASE_SIGNATURE]


def clean_phone(phone: str) -> str:
    phone = re.sub(r"[\s-]", "", phone or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if not is_mobile(phone):
        raise SmsError(
            _("手机号码无效：应为11位大陆手机号，例如 13912345678。"),
            code=NotificationError.INVALID_PHONE,
        )
    return phone


def phone_index(phone: str) -> str:
    # Same purpose string as the person registry, so the two indexes can be compared.
    return blind_index(phone, purpose="phone")


def local_now() -> datetime:
    return clock.local(clock.now())


def quiet_hours() -> pipeline.QuietHours | None:
    """21:00–08:00 unless settings.SMS_QUIET_HOURS says otherwise (None switches it off)."""
    configured = getattr(settings, "SMS_QUIET_HOURS", (dt_time(21, 0), dt_time(8, 0)))
    if not configured:
        return None
    return pipeline.QuietHours(start=configured[0], end=configured[1])


def quiet_resume(now: datetime | None = None) -> datetime | None:
    """When sending may resume (aware), or None when it is allowed now."""
    hours = quiet_hours()
    if hours is None:
        return None
    return hours.resume_at(clock.local(now or clock.now()))


def morning_after(now: datetime) -> datetime:
    hours = quiet_hours()
    return pipeline.next_morning(clock.local(now), hours.end if hours else dt_time(8, 0))


def message_schedule(message_id: int, at: datetime | None = None) -> None:
    from bianmin.notifications.tasks import sms_deliver_task  # tasks import services

    delay = (at - clock.now()).total_seconds() if at is not None else 0.0
    if delay > 0.5:
        sms_deliver_task.schedule(args=(message_id,), delay=delay)
    else:
        sms_deliver_task(message_id)


def attempt_log(
    message_id: int,
    gateway: str,
    outcome: AttemptOutcome,
    *,
    provider_id: str = "",
    error_code: str = "",
    detail: str = "",
) -> None:
    MessageAttempt.objects.create(
        message_id=message_id,
        at=clock.now(),
        gateway=gateway,
        outcome=outcome,
        provider_id=provider_id[:64],
        error_code=error_code[:60],
        detail=detail[:300],
    )


def center_signature_or_default(center_id: int | None) -> str:
    """The center's signature for previews; for a province account (no center) the longest
    signature in use, since its templates go out under every center's; the longest allowed one
    when none is set."""
    if center_id:
        signature = center_sms_signature(center_id=center_id)
        if signature:
            return str(signature)
        return wording.WORST_CASE_SIGNATURE
    return max(signatures_for_check(), key=len)
