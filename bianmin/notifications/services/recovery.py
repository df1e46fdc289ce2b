"""Recovery and receipts: the watchdog for stuck rows, delivery receipts, staff retry."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.errors import Conflict, NotFound, PermissionDenied
from bianmin.core.permissions import Perm, has_perm
from bianmin.notifications import gateways
from bianmin.notifications.clients import (
    DeliveryState,
    GatewayError,
    Receipt,
)
from bianmin.notifications.enums import (
    AttemptOutcome,
    BatchStatus,
    MessageStatus,
)
from bianmin.notifications.errors import NotificationError
from bianmin.notifications.models import (
    Batch,
    Message,
)
from bianmin.notifications.services import common
from bianmin.notifications.services.common import quiet_resume
from bianmin.notifications.services.delivery import backoff_or_fail

logger = logging.getLogger("bianmin.notifications.services")


def _resolve_stuck(message: Message) -> str:
    token = message.claim_token
    now = clock.now()
    mine = Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING, claim_token=token)
    gateway_name = message.gateway or gateways.primary_name()
    try:
        gateway = gateways.gateway_get(gateway_name)
        sent_on = clock.local(message.claimed_at or now).date()
        state = gateway.query(
            reference=message.reference,
            phone=message.phone or "",
            provider_id=message.provider_id or None,
            sent_on=sent_on,
        )
    except (GatewayError, ValueError) as exc:
        common.attempt_log(
            message.pk,
            gateway_name,
            AttemptOutcome.QUERIED,
            error_code="query_error",
            detail=str(exc),
        )
        return "query_error"
    common.attempt_log(message.pk, gateway_name, AttemptOutcome.QUERIED, detail=f"state={state}")
    if state == DeliveryState.DELIVERED:
        mine.update(
            status=MessageStatus.DELIVERED,
            delivered_at=now,
            sent_at=message.claimed_at or now,
            error_code="",
            error_message="",
            **common.PROVIDER_HAS_IT,
        )
        return "delivered"
    if state == DeliveryState.PENDING:
        mine.update(
            status=MessageStatus.SENT,
            sent_at=message.claimed_at or now,
            error_code="",
            error_message="",
            **common.PROVIDER_HAS_IT,
        )
        return "sent"
    if state == DeliveryState.FAILED:
        mine.update(
            status=MessageStatus.FAILED,
            failed_at=now,
            error_code="operator_failed",
            error_message=_("短信平台已受理，但运营商报告未送达。"),
            **common.PROVIDER_HAS_IT,
        )
        return "failed"
    # UNKNOWN: the gateway never received it (the worker died before the request left, or the
    # connection failed): resend under a new claim.
    with transaction.atomic():
        outcome = backoff_or_fail(
            message.pk,
            token,
            message.attempts,
            "not_received",
            _("发送中断，短信平台查无此条，重新排队发送。"),
        )
        if outcome == "retry":  # no waiting: nothing was sent, so there is nothing to back off
            Message.objects.filter(pk=message.pk, status=MessageStatus.QUEUED).update(
                next_attempt_at=now
            )
    return "requeued" if outcome == "retry" else outcome


def messages_watchdog(
    *,
    stuck_after: float | None = None,
    replay_after: float = 60.0,
    limit: int = 10_000,
    copies: int = 1,
) -> dict[str, int]:
    """Periodic: resolve rows stuck in ``sending`` by asking the gateway, replay ``queued``
    rows whose task was lost (worker killed after dequeue), and close finished batches."""
    stuck_after = float(
        stuck_after
        if stuck_after is not None
        else getattr(settings, "SMS_STUCK_AFTER_SECONDS", 120)
    )
    now = clock.now()
    counts: dict[str, int] = {}
    stuck = Message.objects.filter(
        status=MessageStatus.SENDING, claimed_at__lt=now - timedelta(seconds=stuck_after)
    ).select_related("template")[:limit]
    for message in stuck:
        outcome = _resolve_stuck(message)
        counts[outcome] = counts.get(outcome, 0) + 1
    # A queued, due row whose task is neither waiting in the queue nor running was lost (a
    # worker died after dequeuing it). Only look while the queue is empty, so that a long batch
    # still draining is not enqueued a second time; a duplicate task would be harmless anyway
    # (the claim), only wasteful.
    lost: list[int] = []
    if _queue_is_empty():
        lost = list(
            Message.objects.filter(
                status=MessageStatus.QUEUED,
                next_attempt_at__lt=now - timedelta(seconds=replay_after),
            ).values_list("pk", flat=True)[:limit]
        )
    if not quiet_resume(now):
        for pk in lost:
            for _copy in range(copies):  # copies > 1 only to provoke races in fault tests
                common.message_schedule(pk)
        counts["replayed"] = len(lost)
    else:
        urgent = Message.objects.filter(pk__in=lost, is_urgent=True).values_list("pk", flat=True)
        for pk in urgent:
            common.message_schedule(pk)
        counts["replayed"] = len(urgent)
    counts["batches_finished"] = batches_finish()
    return counts


def _queue_is_empty() -> bool:
    from huey.contrib.djhuey import HUEY

    try:
        return int(HUEY.pending_count()) == 0
    except Exception:  # noqa: BLE001 -- a storage without counting: replay (claims protect)
        return True


def batches_finish() -> int:
    finished = 0
    for batch in Batch.objects.filter(status=BatchStatus.SENDING):
        open_count = batch.messages.filter(
            status__in=(MessageStatus.QUEUED, MessageStatus.SENDING)
        ).count()
        if open_count == 0:
            finished += Batch.objects.filter(pk=batch.pk, status=BatchStatus.SENDING).update(
                status=BatchStatus.DONE, finished_at=clock.now()
            )
    return finished


# ============================================================================================
# receipts


def receipts_process(*, gateway_name: str, receipts: Iterable[Receipt]) -> dict[str, int]:
    """Apply delivery receipts; duplicates and unknown ids change nothing."""
    counts = {"updated": 0, "duplicate": 0, "unknown": 0}
    for receipt in receipts:
        rows = Message.objects.none()
        if receipt.reference:
            rows = Message.objects.filter(reference=receipt.reference)
        if receipt.provider_id and not rows.exists():
            rows = Message.objects.filter(provider_id=receipt.provider_id, gateway=gateway_name)
        if not rows.exists():
            counts["unknown"] += 1
            continue
        open_rows = rows.filter(status__in=(MessageStatus.SENDING, MessageStatus.SENT))
        if receipt.delivered:
            updated = open_rows.update(
                status=MessageStatus.DELIVERED,
                delivered_at=receipt.at,
                receipt_code=receipt.code[:40],
                error_code="",
                error_message="",
                **common.PROVIDER_HAS_IT,
            )
        else:
            updated = open_rows.update(
                status=MessageStatus.FAILED,
                failed_at=receipt.at,
                receipt_code=receipt.code[:40],
                error_code="operator_failed",
                error_message=_("运营商回执：未送达（%(code)s）") % {"code": receipt.code},
                **common.PROVIDER_HAS_IT,
            )
        if updated:
            rows.filter(provider_id="").update(provider_id=receipt.provider_id[:64])
            rows.filter(sent_at__isnull=True).update(sent_at=receipt.at)
            counts["updated"] += updated
        else:
            counts["duplicate"] += 1
    return counts


# ============================================================================================
# staff actions


def message_retry(*, actor: StaffActor, message_id: int) -> Message:
    """Staff button: put a failed message back in the queue (a conscious second send)."""
    if not has_perm(actor, Perm.SMS_SEND):
        raise PermissionDenied(_("您没有发送短信的权限。"))
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .filter(pk=message_id, center_id=home_center_id(actor))
            .first()
        )
        if message is None:
            raise NotFound(_("短信不存在。"))
        if message.status != MessageStatus.FAILED:
            raise Conflict(_("只有发送失败的短信可以重发。"), code=NotificationError.NOT_FAILED)
        now = clock.now()
        resume = None if message.is_urgent else quiet_resume(now)
        Message.objects.filter(pk=message.pk, status=MessageStatus.FAILED).update(
            status=MessageStatus.QUEUED,
            attempts=0,
            next_attempt_at=resume or now,
            claim_token="",
            error_code="",
            error_message="",
            failed_at=None,
        )
        if message.batch_id:
            Batch.objects.filter(pk=message.batch_id, status=BatchStatus.DONE).update(
                status=BatchStatus.SENDING, finished_at=None
            )
        audit_record(
            actor=actor,
            action=AuditAction.SMS_RETRIED,
            target=message,
            before={"status": message.status, "error": message.error_code},
            after={"status": MessageStatus.QUEUED},
        )
        transaction.on_commit(partial(common.message_schedule, message.pk, resume or now))
    message.refresh_from_db()
    return message
