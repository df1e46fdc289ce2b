"""The guide in and out: Excel template and import (all-or-nothing), Excel export, PDF booklet.

The import reads every sheet through the shared streaming reader (``bianmin.core.spreadsheets``:
size, unpacked size, columns and cell length capped before anything is parsed).
"""

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.errors import DomainError
from bianmin.core.pdf import Document
from bianmin.core.permissions import Perm
from bianmin.core.spreadsheets import Limits, SpreadsheetError, read_sheets
from bianmin.family_desk.enums import LifeEvent
from bianmin.family_desk.errors import DeskError
from bianmin.family_desk.models import Procedure, Unit
from bianmin.family_desk.services.common import require_perm
from bianmin.family_desk.services.guide import save_version, unit_get_or_create

# Column title → (model field, whether a row must have it). "单位" may be left out when each
# sheet is one unit (the sheet's name is then the unit).
COLUMNS: dict[str, tuple[str, bool]] = {
    "单位": ("unit", True),
    "单位位置": ("unit_location", False),
    "单位电话": ("unit_phone", False),
    "办公时间": ("unit_hours", False),
    "事项名称": ("name", True),
    "办理用途": ("purpose", False),
    "申请条件": ("eligibility", False),
    "所需材料": ("materials", False),
    "收费标准": ("fee", False),
    "办理时限": ("time_limit", False),
    "时限工作日": ("time_limit_workdays", False),
    "办理地点": ("place", False),
    "网上办理渠道": ("online_channel", False),
    "政策依据": ("legal_basis", False),
    "人生事件": ("life_events", False),
    "常用说法": ("keywords", False),
    "最近核对日期": ("last_checked_on", False),
    "核对人": ("last_checked_by", False),
}
INSTRUCTIONS_SHEET = "填写说明"
MAX_ROWS = 3000
MAX_BYTES = 5 * 1024 * 1024
EVENT_BY_LABEL = {str(label): value for value, label in LifeEvent.choices}


class GuideFileRejected(DomainError):
    code = DeskError.IMPORT_INVALID

    def __init__(self, errors: list[str]) -> None:
        shown = errors[:50]
        more = len(errors) - len(shown)
        message = _("导入失败，未写入任何数据。请修改后重新导入：") + "；".join(shown)
        if more > 0:
            message += _("；另有%(n)d处错误未列出。") % {"n": more}
        super().__init__(message, errors=errors)
        self.errors = errors


@dataclass
class Row:
    where: str
    values: dict[str, Any] = field(default_factory=dict)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# A legal basis or a material list may run long; the rest of the limits are the shared ones.
LIMITS = Limits(max_bytes=MAX_BYTES, max_cell_chars=5_000)
NOT_EXCEL = {SpreadsheetError.UNREADABLE, SpreadsheetError.NOT_SPREADSHEET}


def _read_rows(content: bytes, filename: str) -> Iterator[tuple[str, int, dict[str, str]]]:
    """(sheet title, row number, {header: text}) for every non-empty data row of every sheet."""
    try:
        for title, rows in read_sheets(content, filename=filename, limits=LIMITS):
            header = next(rows, None)
            names = [_cell_text(v) for v in header[1]] if header else []
            for number, values in rows:
                texts = [_cell_text(v) for v in values]
                if any(texts):
                    yield title, number, dict(zip(names, texts, strict=False))
    except DomainError as exc:
        if exc.code in NOT_EXCEL:
            raise GuideFileRejected([_("文件不是有效的 Excel（.xlsx）文件")]) from exc
        raise GuideFileRejected([exc.message]) from exc


def _parse(content: bytes, filename: str) -> list[Row]:
    errors: list[str] = []
    parsed: list[Row] = []
    seen: dict[tuple[str, str], str] = {}
    if len(content) > MAX_BYTES:
        raise GuideFileRejected([_("文件超过5MB")])
    count = 0
    for title, number, cells in _read_rows(content, filename):
        if title == INSTRUCTIONS_SHEET:
            continue
        count += 1
        if count > MAX_ROWS:
            raise GuideFileRejected([_("一次最多导入%(n)d行") % {"n": MAX_ROWS}])
        where = _("工作表“%(s)s”第%(n)d行") % {"s": title, "n": number}
        unknown = [h for h in cells if h and h not in COLUMNS]
        if unknown and count == 1:
            errors.append(_("%(w)s：无法识别的列“%(c)s”") % {"w": where, "c": "、".join(unknown)})
        row = Row(where=where)
        if not cells.get("单位"):
            cells["单位"] = title if "单位" not in cells else ""
        for header, (key, required) in COLUMNS.items():
            text = cells.get(header, "")
            if required and not text:
                errors.append(_("%(w)s：缺少“%(c)s”") % {"w": where, "c": header})
            row.values[key] = text
        for key, limit, header in (
            ("unit", 60, "单位"),
            ("name", 100, "事项名称"),
            ("fee", 100, "收费标准"),
            ("time_limit", 100, "办理时限"),
            ("place", 100, "办理地点"),
            ("online_channel", 200, "网上办理渠道"),
            ("keywords", 200, "常用说法"),
        ):
            if len(row.values[key]) > limit:
                errors.append(
                    _("%(w)s：“%(c)s”超过%(n)d个字") % {"w": where, "c": header, "n": limit}
                )
        workdays = row.values["time_limit_workdays"]
        if workdays:
            if not workdays.isdigit() or not 0 < int(workdays) <= 365:
                errors.append(_("%(w)s：“时限工作日”应为1到365的整数") % {"w": where})
            else:
                row.values["time_limit_workdays"] = int(workdays)
        else:
            row.values["time_limit_workdays"] = None
        events = []
        for label in _split(row.values["life_events"]):
            if label not in EVENT_BY_LABEL:
                errors.append(
                    _("%(w)s：人生事件“%(e)s”不在%(all)s之中")
                    % {"w": where, "e": label, "all": "、".join(EVENT_BY_LABEL)}
                )
            else:
                events.append(EVENT_BY_LABEL[label])
        row.values["life_events"] = events
        checked = row.values["last_checked_on"]
        if checked:
            try:
                row.values["last_checked_on"] = date.fromisoformat(checked[:10])
            except ValueError:
                errors.append(_("%(w)s：“最近核对日期”应为 YYYY-MM-DD") % {"w": where})
        else:
            row.values["last_checked_on"] = None
        row.values["materials"] = "\n".join(_split(row.values["materials"], materials=True))
        pair = (str(row.values["unit"]), str(row.values["name"]))
        if all(pair) and pair in seen:
            errors.append(
                _("%(w)s：与%(other)s重复（同一单位的同名事项）")
                % {"w": where, "other": seen[pair]}
            )
        seen.setdefault(pair, where)
        parsed.append(row)
    if not parsed and not errors:
        errors.append(_("文件中没有数据行"))
    if errors:
        raise GuideFileRejected(errors)
    return parsed


def _split(text: str, *, materials: bool = False) -> list[str]:
    separators = "\n；;" if materials else "\n；;、，,"
    for sep in separators[1:]:
        text = text.replace(sep, "\n")
    return [part.strip() for part in text.splitlines() if part.strip()]


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    units: int


def guide_import(*, actor: StaffActor, filename: str, content: bytes) -> ImportResult:
    """Load an Excel guide: every row is checked first; one bad row and nothing is written."""
    require_perm(actor, Perm.DESK_GUIDE_EDIT, _("只有服务台可以导入办事指南。"))
    rows = _parse(content, filename)
    created = updated = 0
    reason = _("Excel 导入：%(f)s") % {"f": (filename or "")[:60]}
    with transaction.atomic():
        units: dict[str, Unit] = {}
        for row in rows:
            values = dict(row.values)
            unit_name = values.pop("unit")
            unit = units.get(unit_name) or unit_get_or_create(
                center_id=home_center_id(actor),
                name=unit_name,
                location=values["unit_location"],
                phone=values["unit_phone"],
                hours=values["unit_hours"],
                order=len(units) + 1,
            )
            units[unit_name] = unit
            for key in ("unit_location", "unit_phone", "unit_hours"):
                values.pop(key)
            if not values["last_checked_on"]:
                values["last_checked_on"] = clock.today()
                values["last_checked_by"] = values["last_checked_by"] or str(actor)
            procedure = Procedure.objects.filter(unit=unit, name=values["name"]).first()
            if procedure is None:
                procedure = Procedure(center_id=home_center_id(actor), unit=unit)
                created += 1
            else:
                updated += 1
            for key, value in values.items():
                setattr(procedure, key, value)
            save_version(procedure, actor=actor, reason=reason, checked=False)
        audit_record(
            actor=actor,
            action=AuditAction.DESK_GUIDE_IMPORTED,
            target_type="family_desk.procedure",
            after={"file": filename[:60], "created": created, "updated": updated},
        )
    return ImportResult(created=created, updated=updated, units=len(units))


def _procedure_row(p: Procedure) -> list[Any]:
    events = "、".join(str(LifeEvent(e).label) for e in p.life_events if e in LifeEvent.values)
    return [
        p.unit.name,
        p.unit.location,
        p.unit.phone,
        p.unit.hours,
        p.name,
        p.purpose,
        p.eligibility,
        p.materials,
        p.fee,
        p.time_limit,
        p.time_limit_workdays or "",
        p.place,
        p.online_channel,
        p.legal_basis,
        events,
        p.keywords,
        p.last_checked_on.isoformat() if p.last_checked_on else "",
        p.last_checked_by,
    ]


def _workbook(procedures: list[Procedure]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("办事指南")
    sheet.append(list(COLUMNS))
    for procedure in procedures:
        sheet.append(_procedure_row(procedure))
    notes = book.create_sheet(INSTRUCTIONS_SHEET)
    for line in (
        _("每行一个事项；“单位”和“事项名称”必填，同一单位的事项名称不能重复。"),
        _("也可以每个单位一张工作表，表名即单位名称，此时可省略“单位”列。"),
        _("“所需材料”每行一项（或用；分隔），有条件的写在括号里，如：结婚证（已婚的）。"),
        _("“人生事件”可填：%(e)s，用顿号分隔。") % {"e": "、".join(EVENT_BY_LABEL)},
        _("“时限工作日”填整数，代办诉求按它计算答复期限。“最近核对日期”格式 YYYY-MM-DD。"),
        _("导入时逐行检查，任何一行有错都不会写入，请按提示修改后重新导入。"),
    ):
        notes.append([line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def guide_template_xlsx() -> bytes:
    return _workbook([])


def guide_export_xlsx(*, center_id: int) -> bytes:
    procedures = list(
        Procedure.objects.filter(center_id=center_id, is_active=True).select_related("unit")
    )
    return _workbook(procedures)


CHINESE_NUMERALS = "零一二三四五六七八九"


def chapter_label(n: int) -> str:
    """一 … 九十九, the chapter numbers of a Chinese booklet."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CHINESE_NUMERALS[tens] + "十")
    return head + (CHINESE_NUMERALS[ones] if ones else "") or CHINESE_NUMERALS[0]


def guide_booklet_pdf(*, center_id: int, center_name: str) -> bytes:
    """The printed guide (办事指南汇编): a table of contents, then each unit's procedures."""
    procedures = list(
        Procedure.objects.filter(center_id=center_id, is_active=True).select_related("unit")
    )
    # Every unit of the building, also those whose procedures the guide does not list yet:
    # their place, phone and hours are worth printing.
    by_unit: dict[Unit, list[Procedure]] = {
        unit: [] for unit in Unit.objects.filter(center_id=center_id).order_by("order", "pk")
    }
    for procedure in procedures:
        by_unit.setdefault(procedure.unit, []).append(procedure)
    doc = Document(title=_("办事指南汇编"))
    doc.heading(center_name)
    doc.heading(_("惠民暖警服务台 办事指南汇编"))
    doc.paragraph(
        _("共%(u)d个单位、%(p)d个事项。编印日期：%(d)s。")
        % {"u": len(by_unit), "p": len(procedures), "d": clock.today().isoformat()},
        align="center",
    )
    doc.contents(_("目录"))  # each unit and procedure with the page it starts on
    for i, (unit, items) in enumerate(by_unit.items(), start=1):
        doc.rule()
        doc.section(f"{chapter_label(i)}、{unit.name}", toc_level=0)
        doc.paragraph(
            "　".join(
                part
                for part in (
                    unit.location,
                    _("电话：%(p)s") % {"p": unit.phone} if unit.phone else "",
                    unit.hours,
                )
                if part
            )
            or "—"
        )
        if not items:
            doc.paragraph(_("本单位事项请电话咨询，或到服务台询问。"))
        for j, procedure in enumerate(items, start=1):
            doc.section(f"{i}.{j} {procedure.name}", toc_level=1)
            doc.field_rows(
                [
                    (label, value)
                    for label, value in (
                        (_("办理用途"), procedure.purpose),
                        (_("申请条件"), procedure.eligibility),
                        (_("所需材料"), "；".join(procedure.material_lines)),
                        (_("收费标准"), procedure.fee),
                        (_("办理时限"), procedure.time_limit),
                        (_("办理地点"), procedure.place),
                        (_("网上办理"), procedure.online_channel),
                        (_("政策依据"), procedure.legal_basis),
                    )
                    if value
                ]
            )
    return doc.output()
