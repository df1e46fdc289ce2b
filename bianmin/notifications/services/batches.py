"""Batches of messages: create every message of a batch at once, cancel a draft batch."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bianmin.core import clock
from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.errors import Conflict, PermissionDenied
from bianmin.core.permissions import Perm, has_perm
from bianmin.notifications.enums import BatchStatus
from bianmin.notifications.errors import NotificationError
from bianmin.notifications.models import (
    Batch,
    Message,
    SmsTemplate,
)
from bianmin.notifications.services import common
from bianmin.notifications.services.sending import message_build, message_insert_once

logger = logging.getLogger("bianmin.notifications.services")


@dataclass(frozen=True)
class Recipient:
    """One message of a batch, before it exists."""

    phone: str
    params: dict[str, str]
    dedupe_key: str
    case_id: int | None = None
    row_number: int | None = None


def messages_bulk_create(
    *,
    batch: Batch,
    template: SmsTemplate,
    recipients: list[Recipient],
    actor: StaffActor | None = None,
) -> list[Message]:
    """Create every message of a batch in the caller's transaction (none is sent yet) and
    schedule them all on commit. Existing dedupe keys are skipped (never sent twice)."""
    signature = common.center_signature(batch.center_id)
    now = clock.now()
    keys = [r.dedupe_key for r in recipients]
    existing: set[str] = set()
    for start in range(0, len(keys), 500):
        existing.update(
            Message.objects.filter(dedupe_key__in=keys[start : start + 500]).values_list(
                "dedupe_key", flat=True
            )
        )
    built: list[Message] = []
    for recipient in recipients:
        if recipient.dedupe_key in existing:
            continue
        existing.add(recipient.dedupe_key)
        message = message_build(
            center_id=batch.center_id,
            template=template,
            signature=signature,
            phone=recipient.phone,
            params=recipient.params,
            dedupe_key=recipient.dedupe_key,
            urgent=False,
            case_id=recipient.case_id,
            actor=actor,
            now=now,
        )
        message.batch = batch
        message.row_number = recipient.row_number
        built.append(message)
    try:
        with transaction.atomic():
            created = Message.objects.bulk_create(built, batch_size=500)
    except IntegrityError:  # a concurrent insert of one of the keys: fall back row by row
        created = [m for m in built if message_insert_once(m)]
    if created and created[0].pk is None:  # backends without RETURNING
        created = list(
            Message.objects.filter(batch=batch, dedupe_key__in=[m.dedupe_key for m in built])
        )
    schedule = [(m.pk, m.next_attempt_at) for m in created]
    transaction.on_commit(partial(_schedule_many, schedule))
    return created


def _schedule_many(items: list[tuple[int, datetime]]) -> None:
    for pk, at in items:
        common.message_schedule(pk, at)


def batch_cancel(*, actor: StaffActor, batch_id: int) -> Batch:
    if not has_perm(actor, Perm.SMS_SEND):
        raise PermissionDenied(_("您没有发送短信的权限。"))
    updated = Batch.objects.filter(
        pk=batch_id, center_id=home_center_id(actor), status=BatchStatus.DRAFT
    ).update(status=BatchStatus.CANCELLED)
    if not updated:
        raise Conflict(_("只有待确认的批次可以取消。"), code=NotificationError.BATCH_NOT_DRAFT)
    return Batch.objects.get(pk=batch_id)
