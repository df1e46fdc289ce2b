"""Batches the caller prepares: a previewed list kept as a draft, then one click that creates
every notice. The caller (cases, which owns arrival) matches the rows and does its own work per
row through `prepare`; this module only keeps rows and sends."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from bianmin.core.permissions import Perm, has_perm
from bianmin.notifications.enums import BatchKind, BatchRowStatus, BatchStatus
from bianmin.notifications.errors import NotificationError
from bianmin.notifications.models import Batch, BatchRow, Message
from bianmin.notifications.services.batches import Recipient, messages_bulk_create
from bianmin.notifications.services.common import SmsError
from bianmin.notifications.services.sending import case_notice_key
from bianmin.notifications.services.templates import template_get_approved

BATCH_TEMPLATES = {BatchKind.ARRIVAL_LIST: "pickup_ready", BatchKind.PLATES: "plate_ready"}


def _need_sms_send(actor: StaffActor) -> None:
    if not has_perm(actor, Perm.SMS_SEND):
        raise PermissionDenied(_("您没有发送短信的权限。"))


def batch_template_code(kind: str) -> str:
    """The approved template a batch of this kind sends, or SmsError."""
    if kind not in BATCH_TEMPLATES:
        raise SmsError(_("未知的批量类型。"), code=NotificationError.IMPORT_INVALID)
    template_code = BATCH_TEMPLATES[BatchKind(kind)]
    if template_get_approved(template_code) is None:
        raise SmsError(
            _("通知模板未审核，请先在“短信模板”中审核。"),
            code=NotificationError.TEMPLATE_NOT_APPROVED,
        )
    return template_code


def case_notice_sent(*, case_id: int, template_code: str) -> bool:
    """Whether this case's notice of this type exists already (it is never sent twice)."""
    return Message.objects.filter(dedupe_key=case_notice_key(case_id, template_code)).exists()


@dataclass(frozen=True)
class BatchRowDraft:
    """One previewed row, as the caller matched it (status is a BatchRowStatus value)."""

    row_number: int
    value_masked: str
    status: str
    reason: str = ""
    case_id: int | None = None
    case_number: str = ""
    item_name: str = ""
    phone_masked: str = ""


def batch_draft_create(
    *, actor: StaffActor, kind: str, filename: str, rows: list[BatchRowDraft]
) -> Batch:
    """Keep a previewed list as a draft batch. Nothing is sent here."""
    _need_sms_send(actor)
    template_code = batch_template_code(kind)
    batch_rows = [
        BatchRow(
            row_number=r.row_number,
            value_masked=r.value_masked[:40],
            status=r.status,
            reason=r.reason[:200],
            case_id=r.case_id,
            case_number=r.case_number,
            item_name=r.item_name[:60],
            phone_masked=r.phone_masked,
        )
        for r in rows
    ]
    with transaction.atomic():
        batch = Batch.objects.create(
            center_id=home_center_id(actor),
            kind=kind,
            template_code=template_code,
            filename=(filename or _("手工录入"))[:200],
            created_by_id=actor.pk,
            rows_total=len(batch_rows),
            rows_matched=sum(r.status == BatchRowStatus.MATCHED for r in batch_rows),
            rows_unmatched=sum(r.status != BatchRowStatus.MATCHED for r in batch_rows),
        )
        for row in batch_rows:
            row.batch = batch
        BatchRow.objects.bulk_create(batch_rows)
        audit_record(
            actor=actor,
            action=AuditAction.SMS_BATCH_IMPORTED,
            target=batch,
            after={
                "rows": batch.rows_total,
                "matched": batch.rows_matched,
                "filename": batch.filename,
            },
        )
    return batch


@dataclass(frozen=True)
class PreparedNotice:
    """What the caller's `prepare` returns for one row at send time."""

    phone: str
    params: dict[str, str]


def batch_dispatch(
    *, actor: StaffActor, batch_id: int, prepare: Callable[[BatchRow], PreparedNotice]
) -> Batch:
    """The one click: in ONE transaction, `prepare` every matched row (the caller's own work,
    e.g. registering an arrival; a DomainError rejects that row with its message) and create
    every notice; they are sent after commit."""
    _need_sms_send(actor)
    batch = (
        Batch.objects.select_for_update()
        .filter(pk=batch_id, center_id=home_center_id(actor))
        .first()
    )
    if batch is None:
        raise NotFound(_("批次不存在。"))
    if batch.status != BatchStatus.DRAFT:
        raise Conflict(_("该批次已发送，不能重复发送。"), code=NotificationError.BATCH_ALREADY_SENT)
    template = template_get_approved(batch.template_code)
    if template is None:
        raise SmsError(
            _("通知模板未审核，请先在“短信模板”中审核。"),
            code=NotificationError.TEMPLATE_NOT_APPROVED,
        )
    recipients: list[Recipient] = []
    rows = list(batch.rows.filter(status=BatchRowStatus.MATCHED).order_by("row_number"))
    by_key: dict[str, BatchRow] = {}
    for row in rows:
        try:
            with transaction.atomic():
                notice = prepare(row)
        except DomainError as exc:
            row.status, row.reason = BatchRowStatus.UNMATCHED, exc.message[:200]
            row.save(update_fields=["status", "reason"])
            continue
        params = dict(notice.params)
        if batch.kind == BatchKind.PLATES:
            params = {"plate": row.reason}
        key = case_notice_key(row.case_id or 0, batch.template_code)
        recipients.append(
            Recipient(
                phone=notice.phone,
                params=params,
                dedupe_key=key,
                case_id=row.case_id,
                row_number=row.row_number,
            )
        )
        by_key[key] = row
    created = messages_bulk_create(
        batch=batch, template=template, recipients=recipients, actor=actor
    )
    for message in created:
        row = by_key[message.dedupe_key]
        row.message = message
    BatchRow.objects.bulk_update(list(by_key.values()), ["message"], batch_size=500)
    created_keys = {m.dedupe_key for m in created}
    for key, row in by_key.items():
        if key not in created_keys:
            row.status, row.reason = (
                BatchRowStatus.DUPLICATE,
                _("该办件已发送过通知，不会重复发送。"),
            )
            row.save(update_fields=["status", "reason"])
    batch.status = BatchStatus.SENDING if created else BatchStatus.DONE
    batch.confirmed_by_id, batch.confirmed_at = actor.pk, clock.now()
    batch.messages_total = len(created)
    batch.rows_matched = batch.rows.filter(status=BatchRowStatus.MATCHED).count()
    batch.rows_unmatched = batch.rows_total - batch.rows_matched
    if not created:
        batch.finished_at = clock.now()
    batch.save()
    audit_record(
        actor=actor,
        action=AuditAction.SMS_BATCH_SENT,
        target=batch,
        after={"messages": len(created), "template": batch.template_code},
    )
    return batch
