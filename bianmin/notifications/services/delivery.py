"""Delivery in workers: claim, send at most once, record the answer, back off."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from bianmin.core import clock
from bianmin.notifications import gateways, pipeline
from bianmin.notifications.clients import (
    OutgoingSms,
    SendResult,
    SmsGateway,
)
from bianmin.notifications.enums import (
    AttemptOutcome,
    MessageStatus,
)
from bianmin.notifications.errors import NotificationError
from bianmin.notifications.models import Message
from bianmin.notifications.services import common
from bianmin.notifications.services.common import (
    ACTIVE_STATUSES,
    MAX_ATTEMPTS,
    morning_after,
    quiet_resume,
)

logger = logging.getLogger("bianmin.notifications.services")

RATE_LIMITED_BACKOFF_SECONDS = 1.0


def backoff_or_fail(
    message_id: int,
    token: str,
    attempts: int,
    code: str,
    detail: str,
    *,
    base_seconds: float = pipeline.BACKOFF_BASE_SECONDS,
) -> str:
    now = clock.now()
    if attempts >= MAX_ATTEMPTS:
        Message.objects.filter(
            pk=message_id, status=MessageStatus.SENDING, claim_token=token
        ).update(
            status=MessageStatus.FAILED,
            failed_at=now,
            error_code=code,
            error_message=_("已重试 %(n)d 次仍未成功：%(detail)s")
            % {"n": attempts, "detail": detail},
        )
        return "failed"
    at = now + timedelta(seconds=pipeline.backoff_seconds(attempts, base=base_seconds))
    resume = quiet_resume(at)
    updated = Message.objects.filter(
        pk=message_id, status=MessageStatus.SENDING, claim_token=token
    ).update(
        status=MessageStatus.QUEUED,
        next_attempt_at=resume or at,
        claim_token="",
        error_code=code,
        error_message=detail[:300],
    )
    if updated:
        transaction.on_commit(partial(common.message_schedule, message_id, resume or at))
    return "retry"


def _defer(message_id: int, at: datetime, code: str, detail: str) -> None:
    updated = Message.objects.filter(pk=message_id, status=MessageStatus.QUEUED).update(
        next_attempt_at=at, error_code=code, error_message=detail
    )
    if updated:
        common.message_schedule(message_id, at)


def _over_daily_cap(row: Mapping[str, Any], now: datetime) -> bool:
    cap = int(getattr(settings, "SMS_DAILY_CAP_PER_NUMBER", 10))
    midnight = clock.local(now).replace(hour=0, minute=0, second=0, microsecond=0)
    used = (
        Message.objects.filter(
            phone_index=row["phone_index"],
            template_code=row["template_code"],
            status__in=ACTIVE_STATUSES,
            claimed_at__gte=midnight,
        )
        .exclude(pk=row["pk"])
        .count()
    )
    return used >= cap


def message_deliver(*, message_id: int) -> str:
    """Send one queued message at most once; returns what happened (for logs and tests).

    Idempotent: any number of calls for the same id, from any number of workers, send at most
    one request to the gateway per claim.
    """
    row = (
        Message.objects.filter(pk=message_id)
        .values("pk", "status", "is_urgent", "next_attempt_at", "phone_index", "template_code")
        .first()
    )
    if row is None or row["status"] != MessageStatus.QUEUED:
        return "skipped"
    now = clock.now()
    if not row["is_urgent"]:
        resume = quiet_resume(now)
        if resume is not None:
            _defer(message_id, resume, "quiet_hours", _("夜间免打扰时段，次日08:00后发送。"))
            return "quiet_hours"
    if row["next_attempt_at"] > now + timedelta(seconds=1):
        common.message_schedule(message_id, row["next_attempt_at"])
        return "not_due"
    if _over_daily_cap(row, now):
        _defer(
            message_id,
            morning_after(now),
            "daily_cap",
            _("已达该号码当日同类短信上限，顺延至次日发送。"),
        )
        return "daily_cap"

    gateway = gateways.active_gateway()
    # --- reserve a send slot and claim the row in one write transaction --------------------
    token = uuid.uuid4().hex
    with transaction.atomic():
        wait = gateways.rate_reserve(gateway.name)
        if wait is None:
            claimed = 0
        else:
            # The claim: one conditional UPDATE; only the winner may call the gateway.
            now = clock.now()
            claimed = Message.objects.filter(
                pk=message_id,
                status=MessageStatus.QUEUED,
                next_attempt_at__lte=now + timedelta(seconds=1),
            ).update(
                status=MessageStatus.SENDING,
                claim_token=token,
                claimed_at=now,
                attempts=F("attempts") + 1,
                gateway=gateway.name,
            )
    if wait is None:
        # The shared bucket is far behind: try again shortly instead of blocking a worker.
        common.message_schedule(message_id, clock.now() + timedelta(seconds=1))
        return "throttled"
    # Keep the schedule: the slot is at `send_at`; the row is read and the request built while
    # waiting for it, so the request leaves at its slot. Reading after the wait put a database
    # round trip (longer under load) between every slot and its request: jitter at the
    # provider's window, and a longer cycle per worker, so fewer slots reserved ahead of time.
    send_at = time.monotonic() + wait
    if claimed != 1:
        return "lost_claim"
    message = Message.objects.select_related("template").get(pk=message_id)
    try:
        outgoing: OutgoingSms | None = _outgoing(message, gateway)
    except ValueError:  # met again, and recorded, inside _send_claimed's guard
        outgoing = None
    delay = send_at - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    return _send_claimed(message, gateway, token, message.attempts, outgoing)


def _outgoing(message: Message, gateway: SmsGateway) -> OutgoingSms:
    template = message.template
    if gateway.name == "aliyun":
        template_code = template.aliyun_code or template.code
    elif gateway.name == "tencent":
        template_code = template.tencent_id or template.code
    else:
        template_code = template.code
    signature = message.text[1 : message.text.index("】")] if message.text.startswith("【") else ""
    names = pipeline.placeholders(template.body)
    params = {n: str(message.params.get(n, "")) for n in names}
    text = message.text
    if message.secret:  # the row shows it masked; the SMS carries it
        params.update(json.loads(message.secret))
        text = pipeline.render(signature, template.body, params)
    return OutgoingSms(
        reference=message.reference,
        phone=message.phone or "",
        template_code=template_code,
        params=params,
        signature=signature,
        text=text,
    )


def _send_claimed(
    message: Message,
    gateway: SmsGateway,
    token: str,
    attempts: int,
    outgoing: OutgoingSms | None = None,
) -> str:
    try:
        result = gateway.send(outgoing or _outgoing(message, gateway))
    except Exception as exc:
        logger.exception("SMS gateway %s raised", gateway.name)
        # We cannot know whether the request left: treat as ambiguous (watchdog queries).
        result = SendResult.failed("timeout", f"{type(exc).__name__}: {exc}"[:200], retryable=True)
    return _record_result(message, gateway, token, attempts, result)


def _record_result(
    message: Message, gateway: SmsGateway, token: str, attempts: int, result: SendResult
) -> str:
    now = clock.now()
    mine = Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING, claim_token=token)
    with transaction.atomic():
        if result.accepted:
            provider_id = (result.provider_id or "")[:64]
            if gateways.is_console(gateway):
                updated = mine.update(
                    status=MessageStatus.DELIVERED,
                    provider_id=provider_id,
                    sent_at=now,
                    delivered_at=now,
                    receipt_code="CONSOLE",
                    error_code="",
                    error_message="",
                    **common.PROVIDER_HAS_IT,
                )
            else:
                updated = mine.update(
                    status=MessageStatus.SENT,
                    provider_id=provider_id,
                    sent_at=now,
                    error_code="",
                    error_message="",
                    **common.PROVIDER_HAS_IT,
                )
            if not updated:  # a receipt or the watchdog got there first; keep their status
                Message.objects.filter(pk=message.pk, provider_id="").update(
                    provider_id=provider_id, sent_at=now
                )
            common.attempt_log(
                message.pk, gateway.name, AttemptOutcome.ACCEPTED, provider_id=provider_id
            )
            outcome = "sent"
        elif result.needs_query:
            mine.update(
                error_code=result.error_code or "timeout", error_message=(result.error or "")[:300]
            )
            common.attempt_log(
                message.pk,
                gateway.name,
                AttemptOutcome.AMBIGUOUS,
                error_code=result.error_code or "",
                detail=result.error or "",
            )
            outcome = "ambiguous"
        elif result.retryable and result.rate_limited:
            # Refused for the provider's per-second limit (jitter took a few requests over its
            # window): nothing was sent, so it goes again within seconds (1 s, 2 s, 4 s …),
            # not after the 30-s fault backoff that left a batch's last notices half a minute
            # behind the rest. Still counted: a provider that keeps refusing fails it visibly.
            common.attempt_log(
                message.pk,
                gateway.name,
                AttemptOutcome.RETRY,
                error_code=result.error_code or "",
                detail=result.error or "",
            )
            outcome = backoff_or_fail(
                message.pk,
                token,
                attempts,
                result.error_code or "rate_limited",
                result.error or "",
                base_seconds=RATE_LIMITED_BACKOFF_SECONDS,
            )
        elif result.retryable:
            common.attempt_log(
                message.pk,
                gateway.name,
                AttemptOutcome.RETRY,
                error_code=result.error_code or "",
                detail=result.error or "",
            )
            outcome = backoff_or_fail(
                message.pk, token, attempts, result.error_code or "retryable", result.error or ""
            )
        else:
            mine.update(
                status=MessageStatus.FAILED,
                failed_at=now,
                error_code=(result.error_code or NotificationError.NOT_RETRYABLE)[:60],
                error_message=(result.error or "")[:300],
            )
            common.attempt_log(
                message.pk,
                gateway.name,
                AttemptOutcome.REJECTED,
                error_code=result.error_code or "",
                detail=result.error or "",
            )
            outcome = "failed"
    gateway_ok = result.accepted or not (result.retryable or result.needs_query)
    if gateways.gateway_report(gateway.name, ok=gateway_ok):
        logger.warning("SMS gateway %s: repeated errors, switching to fallback", gateway.name)
    return outcome


# ============================================================================================
# watchdog
