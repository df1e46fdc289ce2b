"""到证清单 (arrival lists): import → preview → one click registers every arrival and
sends every pickup notice. The arrival pieces stay together here: the cases context owns
arrival and is taking them over; the case facts come through ``case_links`` (no import of
cases, which sits above this context)."""

from __future__ import annotations

import logging
import re

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from bianmin.core.masking import mask_phone
from bianmin.core.permissions import Perm, has_perm
from bianmin.core.spreadsheets import Limits, SpreadsheetError, first_column, is_xlsx
from bianmin.core.validators import is_mobile
from bianmin.notifications.case_links import arrival_links
from bianmin.notifications.enums import (
    BatchKind,
    BatchRowStatus,
    BatchStatus,
)
from bianmin.notifications.errors import NotificationError
from bianmin.notifications.models import (
    Batch,
    BatchRow,
    Message,
)
from bianmin.notifications.services.batches import Recipient, messages_bulk_create
from bianmin.notifications.services.common import SmsError
from bianmin.notifications.services.sending import case_notice_key
from bianmin.notifications.services.templates import template_get_approved

logger = logging.getLogger("bianmin.notifications.services")

MAX_IMPORT_ROWS = 10_000
MAX_IMPORT_BYTES = 5 * 1024 * 1024
ID_NUMBER_LIKE = re.compile(r"^\d{17}[\dX]$|^\d{15}$")
BATCH_TEMPLATES = {BatchKind.ARRIVAL_LIST: "pickup_ready", BatchKind.PLATES: "plate_ready"}
HEADER_WORDS = ("身份证", "证件", "办件", "受理", "编号", "号码", "号牌", "车牌", "序号")


def _need_batch_perms(actor: StaffActor) -> None:
    if not has_perm(actor, Perm.SMS_SEND):
        raise PermissionDenied(_("您没有发送短信的权限。"))
    if not (has_perm(actor, Perm.CASE_PROCESS) or has_perm(actor, Perm.CASE_ACCEPT)):
        raise PermissionDenied(_("登记到证需要办件处理权限，请由窗口或审核民警操作。"))


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SmsError(
        _("文件编码无法识别，请另存为 UTF-8 编码的 CSV 或 Excel 文件。"),
        code=NotificationError.IMPORT_INVALID,
    )


def parse_arrival_file(*, filename: str, content: bytes) -> list[tuple[int, list[str]]]:
    """Rows of an arrival list as (row number in the file, cells); the header row is skipped.

    Accepts .xlsx (first sheet) and .csv/.txt (UTF-8 or GBK). Raises SmsError for a file that
    cannot be read at all; row-level problems are reported per row later."""
    if not content:
        raise SmsError(_("上传的文件是空的。"), code=NotificationError.IMPORT_INVALID)
    limits = Limits(max_bytes=MAX_IMPORT_BYTES, max_rows=MAX_IMPORT_ROWS + 1)
    try:
        rows = first_column(content, filename=filename or "", limits=limits)
    except DomainError as exc:  # the one spreadsheet reader's Chinese message
        message = {
            SpreadsheetError.TOO_MANY_ROWS: _("一次最多导入 %(n)d 行，请拆分文件。")
            % {"n": MAX_IMPORT_ROWS},
            SpreadsheetError.NOT_SPREADSHEET: _("只支持 Excel（.xlsx）或 CSV 文件。"),
        }.get(SpreadsheetError(exc.code), exc.message)
        if exc.code == SpreadsheetError.UNREADABLE and is_xlsx(filename or "", content):
            message = _("Excel 文件无法读取，请确认是 .xlsx 格式且未加密。")
        raise SmsError(message, code=NotificationError.IMPORT_INVALID) from exc
    rows = [(n, cells) for n, cells in rows if any(cells)]
    if rows and any(word in "".join(rows[0][1]) for word in HEADER_WORDS):
        rows = rows[1:]
    if not rows:
        raise SmsError(
            _("文件中没有数据行。第一列应为办件编号或身份证号码。"),
            code=NotificationError.IMPORT_INVALID,
        )
    if len(rows) > MAX_IMPORT_ROWS:
        raise SmsError(
            _("一次最多导入 %(n)d 行，请拆分文件。") % {"n": MAX_IMPORT_ROWS},
            code=NotificationError.IMPORT_INVALID,
        )
    return rows


def _mask_value(value: str) -> str:
    if ID_NUMBER_LIKE.match(value):
        from bianmin.people.idnumber import mask_id_number

        return mask_id_number(value)
    return value[:40]


def batch_import(
    *, actor: StaffActor, kind: str, filename: str = "", content: bytes = b"", text: str = ""
) -> Batch:
    """Read an arrival list (file, or pasted lines), match every row to a case waiting for its
    certificate, and keep the result as a draft batch for preview. Nothing is sent here."""
    _need_batch_perms(actor)
    if kind not in BATCH_TEMPLATES:
        raise SmsError(_("未知的批量类型。"), code=NotificationError.IMPORT_INVALID)
    find_case, _register = arrival_links()
    if content or filename:
        rows = parse_arrival_file(filename=filename, content=content)
    else:
        lines = [line.strip() for line in (text or "").splitlines()]
        rows = [
            (i, [c.strip() for c in re.split(r"[,，\t ]+", line)])
            for i, line in enumerate(lines, start=1)
            if line
        ]
        if not rows:
            raise SmsError(
                _("请上传文件或逐行填写办件编号/身份证号码。"),
                code=NotificationError.IMPORT_INVALID,
            )
        if len(rows) > MAX_IMPORT_ROWS:
            raise SmsError(
                _("一次最多导入 %(n)d 行。") % {"n": MAX_IMPORT_ROWS},
                code=NotificationError.IMPORT_INVALID,
            )
    template_code = BATCH_TEMPLATES[BatchKind(kind)]
    if template_get_approved(template_code) is None:
        raise SmsError(
            _("通知模板未审核，请先在“短信模板”中审核。"),
            code=NotificationError.TEMPLATE_NOT_APPROVED,
        )
    from bianmin.people.idnumber import check_id_number

    batch_rows: list[BatchRow] = []
    seen_values: dict[str, int] = {}
    seen_cases: dict[int, int] = {}
    for row_number, cells in rows:
        value = (cells[0] if cells else "").strip().upper().replace(" ", "")
        plate = cells[1].strip().upper() if len(cells) > 1 else ""
        row = BatchRow(row_number=row_number, value_masked=_mask_value(value))
        batch_rows.append(row)
        if not value:
            row.status, row.reason = BatchRowStatus.UNMATCHED, _("第一列为空。")
            continue
        if value in seen_values:
            row.status = BatchRowStatus.DUPLICATE
            row.reason = _("与第 %(n)d 行重复。") % {"n": seen_values[value]}
            continue
        seen_values[value] = row_number
        is_id = bool(ID_NUMBER_LIKE.match(value))
        if is_id:
            check = check_id_number(value)
            if not check.valid:
                row.status = BatchRowStatus.UNMATCHED
                row.reason = _("身份证号码有误：%(e)s") % {"e": check.error or ""}
                continue
            value = check.normalized
        elif not re.fullmatch(r"[A-Z0-9\-]{4,24}", value):
            row.status = BatchRowStatus.UNMATCHED
            row.reason = _("既不是办件编号也不是身份证号码。")
            continue
        case = find_case(
            center_id=actor.center_id,
            case_number="" if is_id else value,
            id_number=value if is_id else "",
        )
        if case is None:
            row.status = BatchRowStatus.UNMATCHED
            row.reason = _("未找到待到证的办件（编号有误、未受理、已登记到证或不属于本中心）。")
            continue
        if case.pk in seen_cases:
            row.status = BatchRowStatus.DUPLICATE
            row.reason = _("与第 %(n)d 行是同一办件。") % {"n": seen_cases[case.pk]}
            continue
        seen_cases[case.pk] = row_number
        row.case_id, row.case_number = case.pk, case.number
        row.item_name = case.item.name[:60]
        phone = getattr(case.applicant, "phone", None) or ""
        if not is_mobile(phone):
            row.status = BatchRowStatus.UNMATCHED
            row.reason = _("申请人未登记有效手机号，请电话通知。")
            continue
        row.phone_masked = mask_phone(phone)
        if kind == BatchKind.PLATES and not plate:
            row.status = BatchRowStatus.UNMATCHED
            row.reason = _("缺少号牌号码（第二列）。")
            continue
        if Message.objects.filter(dedupe_key=case_notice_key(case.pk, template_code)).exists():
            row.status = BatchRowStatus.DUPLICATE
            row.reason = _("该办件已发送过通知，不会重复发送。")
            continue
        row.status = BatchRowStatus.MATCHED
        if plate:
            row.reason = plate[:20]  # kept for the send step (the plate is not personal data)
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


def batch_send(*, actor: StaffActor, batch_id: int) -> Batch:
    """The one click: register the arrival of every matched case and create every pickup
    notice in ONE transaction, then send them all after commit. A row whose case changed since
    the preview is reported, never sent by mistake."""
    _need_batch_perms(actor)
    find_case, register_arrival = arrival_links()
    with transaction.atomic():
        batch = (
            Batch.objects.select_for_update()
            .filter(pk=batch_id, center_id=home_center_id(actor))
            .first()
        )
        if batch is None:
            raise NotFound(_("批次不存在。"))
        if batch.status != BatchStatus.DRAFT:
            raise Conflict(
                _("该批次已发送，不能重复发送。"), code=NotificationError.BATCH_ALREADY_SENT
            )
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
                    case = find_case(center_id=batch.center_id, case_number=row.case_number)
                    if case is None or case.pk != row.case_id:
                        raise DomainError(_("预览后办件状态已变化（可能已登记到证），本行未发送。"))
                    register_arrival(actor=actor, case=case)
                    phone = getattr(case.applicant, "phone", None) or ""
                    item = case.item.name
            except DomainError as exc:
                row.status, row.reason = BatchRowStatus.UNMATCHED, exc.message[:200]
                row.save(update_fields=["status", "reason"])
                continue
            params = {"item": item, "case_number": row.case_number}
            if batch.kind == BatchKind.PLATES:
                params = {"plate": row.reason}
            key = case_notice_key(row.case_id or 0, batch.template_code)
            recipients.append(
                Recipient(
                    phone=phone,
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
