"""The one renderer of every report: a report's dict (``Report.as_dict()``, also what a kept
briefing stores) → A4 PDF through core.pdf, or an Excel workbook (openpyxl). The HTML page
uses the same dict in ``reports/_report.html``."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from bianmin.core.pdf import Document


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def change_text(row: dict[str, Any]) -> str:
    change = row.get("change")
    if change is None:
        return "—"
    sign = "+" if change > 0 else ""
    text = f"{sign}{_cell(change)}"
    if row.get("change_percent") is not None:
        text += f"（{sign}{row['change_percent']:g}%）"
    return text


HEADER = (
    gettext_lazy("指标"),
    gettext_lazy("本期"),
    gettext_lazy("对比期"),
    gettext_lazy("增减"),
    gettext_lazy("单位"),
)


def report_pdf(data: dict[str, Any]) -> bytes:
    doc = Document(title=str(data["title"]), page="a4")
    doc.heading(str(data["title"]))
    doc.paragraph(
        _("统计时段 %(start)s 至 %(end)s；对比时段 %(pstart)s 至 %(pend)s；生成于 %(at)s")
        % {
            "start": data["start"],
            "end": data["end"],
            "pstart": data["previous_start"],
            "pend": data["previous_end"],
            "at": data["generated_at"].replace("T", " ")[:16],
        },
        size=9,
    )
    for number, section in enumerate(data["sections"], start=1):
        doc.section(f"{number}. {section['title']}", toc_level=0)
        doc.table(
            [str(h) for h in HEADER],
            [
                (
                    row["label"],
                    _cell(row["value"]),
                    _cell(row["previous"]),
                    change_text(row),
                    row["unit"],
                )
                for row in section["rows"]
            ],
            widths=(52, 30, 30, 40, 20),
        )
        chart = section.get("chart")
        if chart:
            doc.bar_chart(
                chart["labels"],
                [(s["name"], s["data"]) for s in chart["series"]],
                height_mm=32,
            )
        if section.get("note"):
            doc.paragraph(str(section["note"]), size=9)
    return doc.output()


_HEAD_FILL = PatternFill("solid", fgColor="DDE3EC")


def report_xlsx(data: dict[str, Any]) -> bytes:
    """One summary sheet with every section, then one sheet per section (its own table)."""
    book = Workbook()
    summary = book.active
    summary.title = _("汇总")[:31]
    summary.append([str(data["title"])])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append(
        [
            _("统计时段"),
            data["start"],
            data["end"],
            _("对比时段"),
            data["previous_start"],
            data["previous_end"],
        ]
    )
    summary.append([])
    _table(summary, [str(h) for h in (_("板块"), *HEADER)])
    for section in data["sections"]:
        for row in section["rows"]:
            summary.append(_values(section["title"], row))
    for number, section in enumerate(data["sections"], start=1):
        sheet = book.create_sheet(f"{number} {section['title']}"[:31])
        _table(sheet, [str(h) for h in (*HEADER, _("增减%"))])
        for row in section["rows"]:
            sheet.append(_values(None, row))
        if section.get("note"):
            sheet.append([])
            sheet.append([section["note"]])
        _widths(sheet)
    _widths(summary)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _values(section_title: str | None, row: dict[str, Any]) -> list[Any]:
    values = [row["label"], row["value"], row["previous"], row["change"], row["unit"]]
    if section_title is None:
        return [*values, row.get("change_percent")]
    return [section_title, *values]


def _table(sheet: Any, header: list[str]) -> None:
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
        cell.fill = _HEAD_FILL
        cell.alignment = Alignment(horizontal="center")


def _widths(sheet: Any) -> None:
    for index, column in enumerate(sheet.iter_cols(), start=1):
        longest = max((len(str(c.value)) for c in column if c.value is not None), default=4)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(10, longest * 2), 40)


def headlines_xlsx(title: str, figures: list[Any]) -> bytes:
    """The director's headline figures with their definitions, one row each."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("成效数据")
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    _table(sheet, [_("指标"), _("数值"), _("口径")])
    for figure in figures:
        sheet.append([figure.label, figure.value, figure.definition])
    _widths(sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
