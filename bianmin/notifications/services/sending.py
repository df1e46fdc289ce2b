"""Enqueueing: one message row per dedupe key, created in the caller's transaction."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.actors import StaffActor
from bianmin.core.masking import mask_phone
from bianmin.notifications import pipeline, wording
from bianmin.notifications.clients import (
    MessageTooLongError,
    count_segments,
)
from bianmin.notifications.enums import MessageStatus
from bianmin.notifications.errors import NotificationError
from bianmin.notifications.models import (
    Message,
    SmsTemplate,
)
from bianmin.notifications.services import common
from bianmin.notifications.services.common import (
    SmsError,
    clean_phone,
    phone_index,
    quiet_resume,
)
from bianmin.notifications.services.templates import template_get_approved

logger = logging.getLogger("bianmin.notifications.services")


@dataclass(frozen=True)
class _Built:
    message: Message


def message_build(
    *,
    center_id: int,
    template: SmsTemplate,
    signature: str,
    phone: str,
    params: dict[str, str],
    dedupe_key: str,
    urgent: bool,
    case_id: int | None,
    actor: StaffActor | None,
    now: datetime,
) -> Message:
    phone = clean_phone(phone)
    if any(pipeline.FULL_ID_NUMBER.search(str(v)) for v in params.values()):
        raise SmsError(
            _("短信中不得出现完整身份证号码，请使用办件编号或脱敏号码。"),
            code=NotificationError.PARAMS_INVALID,
        )
    if params.get("item"):
        # Callers pass the catalogue's full item name; the SMS names what is collected.
        params = {**params, "item": wording.item_label(str(params["item"]))}
    dedupe_key = (dedupe_key or "").strip()
    if not dedupe_key or len(dedupe_key) > 200:
        raise SmsError(_("去重键不能为空且不超过200字符。"), code=NotificationError.PARAMS_INVALID)
    try:
        characters, segments = count_segments(pipeline.render(signature, template.body, params))
    except (pipeline.RenderError, MessageTooLongError) as exc:
        raise SmsError(str(exc), code=NotificationError.PARAMS_INVALID) from exc
    resume = None if urgent else quiet_resume(now)
    names = pipeline.placeholders(template.body)
    values = {n: str(params[n]).strip() for n in names}
    # A one-time code is never readable at rest: masked in the row, encrypted until sent.
    secret = {n: values[n] for n in wording.secret_params(template.code) & set(names)}
    shown = {**values, **dict.fromkeys(secret, wording.SECRET_MASK)}
    return Message(
        center_id=center_id,
        template=template,
        template_code=template.code,
        case_id=case_id,
        phone=phone,
        phone_index=phone_index(phone),
        phone_masked=mask_phone(phone),
        params=shown,
        text=pipeline.render(signature, template.body, shown),
        secret=json.dumps(secret, ensure_ascii=False) if secret else None,
        characters=characters,
        segments=segments,
        dedupe_key=dedupe_key,
        reference=uuid.uuid4().hex,
        is_urgent=urgent,
        status=MessageStatus.QUEUED,
        next_attempt_at=resume or now,
        created_by_id=getattr(actor, "pk", None),
    )


def message_insert_once(message: Message) -> bool:
    """Insert unless the dedupe key exists (checked, then guaranteed by the unique index)."""
    if Message.objects.filter(dedupe_key=message.dedupe_key).exists():
        return False
    try:
        with transaction.atomic():  # savepoint: a racing insert must not poison the caller
            message.save(force_insert=True)
    except IntegrityError:
        if Message.objects.filter(dedupe_key=message.dedupe_key).exists():
            return False
        raise
    return True


def sms_enqueue(
    *,
    center_id: int,
    template_code: str,
    phone: str,
    params: dict[str, str],
    dedupe_key: str,
    urgent: bool = False,
    case_id: int | None = None,
    actor: StaffActor | None = None,
) -> bool:
    """Create one queued Message (exactly once per dedupe_key, unique index) in the caller's
    transaction and schedule sending on commit. Returns False when dedupe_key already exists.

    Raises ``SmsError`` (a DomainError; codes ``invalid_phone``, ``template_not_approved``,
    ``params_invalid``, ``signature_invalid``) for bad input -- callers that treat the SMS as
    best effort catch ``DomainError``. Convention for case notices:
    ``dedupe_key=f"case:{case_id}:{template_code}"``. Outside 21:00–08:00 the message is sent
    at once; inside, it waits until 08:00 unless ``urgent``.
    """
    template = template_get_approved(template_code)
    if template is None:
        raise SmsError(
            _("短信模板“%(code)s”不存在或未审核，不能发送。") % {"code": template_code},
            code=NotificationError.TEMPLATE_NOT_APPROVED,
        )
    signature = common.center_signature(center_id)
    now = clock.now()
    with transaction.atomic():
        message = message_build(
            center_id=center_id,
            template=template,
            signature=signature,
            phone=phone,
            params=params,
            dedupe_key=dedupe_key,
            urgent=urgent,
            case_id=case_id,
            actor=actor,
            now=now,
        )
        if not message_insert_once(message):
            return False
        audit_record(
            actor=actor if getattr(actor, "pk", None) else None,
            action=AuditAction.SMS_QUEUED,
            target=message,
            center_id=center_id,
            after={
                "template": template.code,
                "version": template.version,
                "phone": message.phone_masked,
                "case_id": case_id,
                "urgent": urgent,
            },
        )
        transaction.on_commit(partial(common.message_schedule, message.pk, message.next_attempt_at))
    return True


def case_notice_key(case_id: int, template_code: str) -> str:
    """The dedupe key of a case notice: one per (case, notice type), whoever sends it."""
    return f"case:{case_id}:{template_code}"


# ============================================================================================
# delivery (runs in workers)
