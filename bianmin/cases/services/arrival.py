"""Arrival (到证) and the pickup notice (领取通知): ONE flow, owned by cases.

Registering an arrival (one number, a scanner run, pasted lines or a file from the production
center) and sending the pickup SMS are one step: either at once (`case_register_arrival` with
`notify=True`, `arrival_register_list`) or as a previewed list sent with one click
(`arrival_list_preview` → `arrival_list_send`). A case registered without a notice can still
be notified later through the same list. Notifications only sends: cases decides who and what.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.cases import pipeline
from bianmin.cases.enums import CaseEventType
from bianmin.cases.errors import CaseError
from bianmin.cases.models import Case
from bianmin.cases.services.base import _audit, _guard, _locked, _need, _same_center
from bianmin.cases.services.pipeline import _complete_step
from bianmin.catalogue.enums import Stage
from bianmin.core import clock
from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.errors import DomainError
from bianmin.core.masking import mask_phone
from bianmin.core.permissions import Perm
from bianmin.core.spreadsheets import Limits, SpreadsheetError, first_column, is_xlsx
from bianmin.core.validators import is_mobile
from bianmin.notifications.enums import BatchKind, BatchRowStatus
from bianmin.notifications.services import (
    BatchRowDraft,
    PreparedNotice,
    batch_dispatch,
    batch_draft_create,
    batch_template_code,
    case_notice_key,
    case_notice_sent,
    sms_enqueue,
)
from bianmin.people.idnumber import check_id_number, mask_id_number

MAX_LIST_ROWS = 10_000
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED_BYTES = 20 * 1024 * 1024  # an .xlsx is a zip: refuse bombs before opening them
ID_NUMBER_LIKE = re.compile(r"^\d{17}[\dX]$|^\d{15}$")
CASE_NUMBER_LIKE = re.compile(r"[A-Z0-9\-]{4,24}")
HEADER_WORDS = ("身份证", "证件", "办件", "受理", "编号", "号码", "号牌", "车牌", "序号")
PICKUP_TEMPLATE = "pickup_ready"


def _list_error(message: str) -> DomainError:
    return DomainError(message, code=CaseError.ARRIVAL_LIST_INVALID)


# --- one case ---------------------------------------------------------------------------------


def _pickup_notice(case: Case) -> PreparedNotice:
    phone = case.applicant.phone or ""
    if not is_mobile(phone):
        raise DomainError(_("申请人未登记有效手机号，请电话通知。"), code=CaseError.NO_MOBILE)
    return PreparedNotice(phone=phone, params={"item": case.item.name, "case_number": case.number})


def _arrive(case: Case, actor: StaffActor) -> Case:
    """Register the arrival of a locked case (the caller holds the transaction)."""
    _guard(case, actor, pipeline.CaseAction.ARRIVAL)
    case.arrived_at = clock.now()
    _complete_step(case, actor, Stage.ARRIVAL, "arrival", event=CaseEventType.ARRIVED)
    _audit(actor, AuditAction.CASE_ARRIVED, case)
    return case


@transaction.atomic
def case_register_arrival(*, actor: StaffActor, case: Case, notify: bool = False) -> Case:
    """到证: the produced certificate (or plate) arrived at the center. With `notify`, the pickup
    SMS is queued in the same transaction (held by quiet hours like every notice)."""
    _need(actor, Perm.CASE_PROCESS, Perm.CASE_ACCEPT)
    _same_center(actor, case)
    case = _arrive(_locked(case), actor)
    if notify:
        notice = _pickup_notice(case)
        sms_enqueue(
            center_id=case.center_id,
            template_code=PICKUP_TEMPLATE,
            phone=notice.phone,
            params=notice.params,
            dedupe_key=case_notice_key(case.pk, PICKUP_TEMPLATE),
            case_id=case.pk,
            actor=actor,
        )
    return case


def _arrival_candidate(*, center_id: int, value: str) -> Case | None:
    """The case a list row names: waiting for arrival, or arrived and not yet picked up (so a
    case registered without a notice can still be notified)."""
    from bianmin.cases.selectors import case_find_for_arrival

    is_id = bool(ID_NUMBER_LIKE.match(value))
    return case_find_for_arrival(
        center_id=center_id,
        case_number="" if is_id else value,
        id_number=value if is_id else "",
        include_arrived=True,
    )


# --- reading a list ---------------------------------------------------------------------------


def _reader_message(exc: DomainError, *, filename: str, content: bytes) -> str:
    if exc.code == SpreadsheetError.UNREADABLE and is_xlsx(filename, content):
        return _("Excel 文件无法读取，请确认是 .xlsx 格式且未加密。")
    if len(content) > MAX_FILE_BYTES:
        return _("文件超过5MB，请拆分后分批导入。")
    return {
        SpreadsheetError.EMPTY: _("上传的文件是空的。"),
        SpreadsheetError.NOT_SPREADSHEET: _("只支持 Excel（.xlsx）或 CSV 文件。"),
        SpreadsheetError.TOO_MANY_ROWS: _("一次最多导入 %(n)d 行，请拆分文件。")
        % {"n": MAX_LIST_ROWS},
    }.get(exc.code, exc.message)  # type: ignore[call-overload]


def arrival_list_read(
    *, filename: str = "", content: bytes = b"", text: str = ""
) -> list[tuple[int, list[str]]]:
    """Rows of an arrival list as (row number, cells): an .xlsx (first sheet), a CSV (UTF-8 or
    GBK), or pasted / scanned lines. A header row is skipped. Unreadable input: DomainError."""
    if content or filename:
        limits = Limits(
            max_bytes=MAX_FILE_BYTES,
            max_unpacked_bytes=MAX_UNZIPPED_BYTES,
            max_rows=MAX_LIST_ROWS + 1,
            max_cell_chars=64,
        )
        try:
            rows = [
                (n, cells[:2])
                for n, cells in first_column(content, filename=filename, limits=limits)
            ]
        except DomainError as exc:  # the shared reader's refusal, in this screen's words
            raise _list_error(_reader_message(exc, filename=filename, content=content)) from exc
    else:
        rows = [
            (i, [c.strip() for c in re.split(r"[,，\t ]+", line.strip())])
            for i, line in enumerate((text or "").splitlines(), start=1)
            if line.strip()
        ]
        if not rows:
            raise _list_error(_("请逐行填写或扫描受理编号/身份证号码，或上传文件。"))
    rows = [(n, cells) for n, cells in rows if any(cells)]
    if rows and any(word in "".join(rows[0][1]) for word in HEADER_WORDS):
        rows = rows[1:]
    if not rows:
        raise _list_error(_("文件中没有数据行。第一列应为受理编号或身份证号码。"))
    if len(rows) > MAX_LIST_ROWS:
        raise _list_error(_("一次最多导入 %(n)d 行，请拆分文件。") % {"n": MAX_LIST_ROWS})
    return rows


# --- matching ---------------------------------------------------------------------------------


def _masked(value: str) -> str:
    return mask_id_number(value) if ID_NUMBER_LIKE.match(value) else value[:40]


def _match_rows(
    *, actor: StaffActor, kind: str, rows: list[tuple[int, list[str]]], template_code: str
) -> list[BatchRowDraft]:
    """Each row matched to a case of the actor's center, or the reason it cannot be."""
    drafts: list[BatchRowDraft] = []
    seen_values: dict[str, int] = {}
    seen_cases: dict[int, int] = {}
    for row_number, cells in rows:
        value = (cells[0] if cells else "").strip().upper().replace(" ", "")
        plate = cells[1].strip().upper() if len(cells) > 1 else ""

        def refuse(reason: str, status: str = BatchRowStatus.UNMATCHED) -> None:
            drafts.append(BatchRowDraft(row_number, _masked(value), status, reason))  # noqa: B023

        if not value:
            refuse(_("第一列为空。"))
            continue
        if value in seen_values:
            refuse(_("与第 %(n)d 行重复。") % {"n": seen_values[value]}, BatchRowStatus.DUPLICATE)
            continue
        seen_values[value] = row_number
        if ID_NUMBER_LIKE.match(value):
            check = check_id_number(value)
            if not check.valid:
                refuse(_("身份证号码有误：%(e)s") % {"e": check.error or ""})
                continue
            value = check.normalized
        elif not CASE_NUMBER_LIKE.fullmatch(value):
            refuse(_("既不是受理编号也不是身份证号码。"))
            continue
        case = _arrival_candidate(center_id=home_center_id(actor), value=value)
        if case is None:
            refuse(_("未找到待到证的办件（编号有误、未受理、已领取或不属于本中心）。"))
            continue
        if case.pk in seen_cases:
            refuse(
                _("与第 %(n)d 行是同一办件。") % {"n": seen_cases[case.pk]},
                BatchRowStatus.DUPLICATE,
            )
            continue
        seen_cases[case.pk] = row_number
        phone = case.applicant.phone or ""
        reason, status = plate[:20], BatchRowStatus.MATCHED  # the plate is kept for sending
        if not is_mobile(phone):
            reason, status = _("申请人未登记有效手机号，请电话通知。"), BatchRowStatus.UNMATCHED
        elif kind == BatchKind.PLATES and not plate:
            reason, status = _("缺少号牌号码（第二列）。"), BatchRowStatus.UNMATCHED
        elif case_notice_sent(case_id=case.pk, template_code=template_code):
            reason, status = _("该办件已发送过通知，不会重复发送。"), BatchRowStatus.DUPLICATE
        drafts.append(
            BatchRowDraft(
                row_number=row_number,
                value_masked=_masked(value),
                status=status,
                reason=reason,
                case_id=case.pk,
                case_number=case.number,
                item_name=case.item.name,
                phone_masked=mask_phone(phone) if is_mobile(phone) else "",
            )
        )
    return drafts


def _need_list_perms(actor: StaffActor) -> None:
    _need(actor, Perm.CASE_PROCESS, Perm.CASE_ACCEPT)
    _need(actor, Perm.SMS_SEND)


def arrival_list_preview(
    *,
    actor: StaffActor,
    kind: str = BatchKind.ARRIVAL_LIST,
    filename: str = "",
    content: bytes = b"",
    text: str = "",
) -> int:
    """Read an arrival list, match every row and keep it as a draft notice batch for preview.
    Nothing is registered or sent here. Returns the batch id."""
    _need_list_perms(actor)
    template_code = batch_template_code(kind)
    rows = arrival_list_read(filename=filename, content=content, text=text)
    drafts = _match_rows(actor=actor, kind=kind, rows=rows, template_code=template_code)
    batch = batch_draft_create(actor=actor, kind=kind, filename=filename, rows=drafts)
    return int(batch.pk)


@transaction.atomic
def arrival_list_send(*, actor: StaffActor, batch_id: int) -> int:
    """The one click: in ONE transaction register the arrival of every matched case (cases
    already registered without a notice are only notified) and queue every pickup notice; they
    are sent after commit. A row whose case changed since the preview is reported, never sent.
    Returns the number of notices queued."""
    _need_list_perms(actor)

    def prepare(row: object) -> PreparedNotice:
        number = str(getattr(row, "case_number", ""))
        case = _arrival_candidate(center_id=home_center_id(actor), value=number)
        if case is None or case.pk != getattr(row, "case_id", None):
            raise DomainError(
                _("预览后办件状态已变化（可能已领取或已撤销），本行未发送。"),
                code=CaseError.BATCH_CHANGED,
            )
        case = _locked(case)
        if case.arrived_at is None:
            case = _arrive(case, actor)
        return _pickup_notice(case)

    batch = batch_dispatch(actor=actor, batch_id=batch_id, prepare=prepare)
    return int(batch.messages_total)


# --- a list registered at once (scanner, single number) ---------------------------------------


@dataclass
class ArrivalRow:
    value: str
    number: str = ""
    ok: bool = False
    message: str = ""
    notified: bool = False


@dataclass
class ArrivalBatch:
    rows: list[ArrivalRow] = field(default_factory=list)

    @property
    def registered(self) -> int:
        return sum(1 for r in self.rows if r.ok)

    @property
    def notified(self) -> int:
        return sum(1 for r in self.rows if r.notified)


def case_arrival_batch(
    *, actor: StaffActor, values: list[str], notify: bool = False
) -> ArrivalBatch:
    """Register arrival for case numbers or ID numbers at once; each row succeeds on its own.
    With `notify`, each registered case's pickup SMS is queued in the same step."""
    _need(actor, Perm.CASE_PROCESS, Perm.CASE_ACCEPT)
    if notify:
        _need(actor, Perm.SMS_SEND)
    batch = ArrivalBatch()
    seen: set[str] = set()
    for raw in values:
        value = raw.strip().upper()
        if not value or value in seen:
            continue
        seen.add(value)
        row = ArrivalRow(value=value)
        batch.rows.append(row)
        case = _arrival_candidate(center_id=home_center_id(actor), value=value)
        if case is None:
            row.message = _("没有找到待到证的办件")
            continue
        if case.arrived_at is not None:
            row.number = case.number
            row.message = _("已于此前登记到证；如未通知，可在“到证通知”中补发")
            continue
        row.number = case.number
        try:
            case_register_arrival(actor=actor, case=case, notify=notify and _has_mobile(case))
        except DomainError as exc:
            row.message = exc.message
            continue
        row.ok = True
        row.notified = notify and _has_mobile(case)
        if row.notified:
            row.message = _("已登记到证，领取通知已排队发送")
        elif notify:
            row.message = _("已登记到证；申请人未登记有效手机号，请电话通知")
        else:
            row.message = _("已登记到证（未发送短信）")
    return batch


def _has_mobile(case: Case) -> bool:
    return is_mobile(case.applicant.phone or "")
