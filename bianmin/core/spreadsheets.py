"""The one reader for uploaded spreadsheets (.xlsx, and .csv where a screen accepts it).

openpyxl's read-only mode streams the sheet, but it loads the shared-strings part whole and a
cell's text whole: a 412 KB file can unpack into one 400 MB cell. So the zip directory is read
first and a file whose parts unpack beyond `Limits.max_unpacked_bytes` is refused before
openpyxl sees it (zipfile never inflates a part beyond the size its directory declares). Rows,
columns and cell length are capped while streaming. Every refusal is a `DomainError` with a
Chinese message; a problem of one row is reported with its row number so a screen can list them
all and write nothing (`read_table` + `RowError`).
"""

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _

from bianmin.core.errors import DomainError, error_codes


@error_codes("spreadsheets")
class SpreadsheetError(StrEnum):
    NOT_SPREADSHEET = "not_xlsx"
    UNREADABLE = "unreadable"
    EMPTY = "empty"
    MISSING_COLUMNS = "missing_columns"
    TOO_MANY_ROWS = "too_many_rows"
    TOO_MANY_COLUMNS = "too_many_columns"
    FILE_TOO_LARGE = "file_too_large"
    CELL_TOO_LONG = "cell_too_long"


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 5 * 1024 * 1024  # the uploaded file
    max_unpacked_bytes: int = 60 * 1024 * 1024  # every part of an .xlsx, inflated
    max_rows: int = 50_000  # data rows, the header not counted
    max_columns: int = 50
    max_cell_chars: int = 2_000


class RowError(Exception):
    """A problem of one row; `read_table` records it against the row and goes on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _refuse(message: str, code: SpreadsheetError) -> DomainError:
    return DomainError(message, code=code)


def is_xlsx(filename: str, content: bytes) -> bool:
    return filename.lower().endswith(".xlsx") or content[:2] == b"PK"


def _check_zip(content: bytes, limits: Limits) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _refuse(
            _("文件无法读取，请确认是有效的 Excel（.xlsx）文件"), SpreadsheetError.UNREADABLE
        ) from exc
    if unpacked > limits.max_unpacked_bytes:
        raise _refuse(
            _("文件内容过大（解压后超过 %(mb)d MB），请删去多余内容或拆分后再上传")
            % {"mb": limits.max_unpacked_bytes // (1024 * 1024)},
            SpreadsheetError.FILE_TOO_LARGE,
        )


def _open_xlsx(content: bytes, limits: Limits) -> Any:
    from openpyxl import load_workbook

    _check_zip(content, limits)
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise _refuse(
            _("文件无法读取，请确认是有效的 Excel（.xlsx）文件"), SpreadsheetError.UNREADABLE
        ) from exc


def _sheet_values(sheet: Any, limits: Limits) -> Iterator[tuple[Any, ...]]:
    try:
        yield from sheet.iter_rows(values_only=True, max_col=limits.max_columns + 1)
    except DomainError:
        raise
    except Exception as exc:
        raise _refuse(
            _("文件无法读取，请确认是有效的 Excel（.xlsx）文件"), SpreadsheetError.UNREADABLE
        ) from exc


def _xlsx_rows(content: bytes, limits: Limits) -> Iterator[tuple[Any, ...]]:
    book = _open_xlsx(content, limits)
    try:
        yield from _sheet_values(book.worksheets[0], limits)
    finally:
        book.close()


def decode_text(content: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (what Excel on a Chinese Windows saves)."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("gb18030", errors="replace")


def _csv_rows(content: bytes, limits: Limits) -> Iterator[tuple[Any, ...]]:
    if b"\x00" in content[:1024]:
        raise _refuse(
            _("文件不是文本格式的 CSV，请上传 .xlsx 或 .csv 文件。"), SpreadsheetError.UNREADABLE
        )
    reader = csv.reader(io.StringIO(decode_text(content)))
    try:
        for values in reader:
            yield tuple(values[: limits.max_columns + 1])
    except csv.Error as exc:
        raise _refuse(
            _("CSV 文件格式错误，请用 Excel 另存为 CSV 或 .xlsx 后重试。"),
            SpreadsheetError.UNREADABLE,
        ) from exc


def _check_size(content: bytes, limits: Limits) -> None:
    if not content:
        raise _refuse(_("文件是空的"), SpreadsheetError.EMPTY)
    if len(content) > limits.max_bytes:
        raise _refuse(
            _("文件不能超过 %(mb)d MB，请拆分后分批上传")
            % {"mb": limits.max_bytes // (1024 * 1024)},
            SpreadsheetError.FILE_TOO_LARGE,
        )


def _checked(
    rows: Iterator[tuple[Any, ...]], limits: Limits
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    for number, values in enumerate(rows, start=1):
        if len(values) > limits.max_columns and any(
            v not in (None, "") for v in values[limits.max_columns :]
        ):
            raise _refuse(
                _("第%(row)d行超过 %(n)d 列，请删去多余的列")
                % {"row": number, "n": limits.max_columns},
                SpreadsheetError.TOO_MANY_COLUMNS,
            )
        for column, value in enumerate(values, start=1):
            if isinstance(value, str) and len(value) > limits.max_cell_chars:
                raise _refuse(
                    _("第%(row)d行第%(col)d列内容过长（超过 %(n)d 字）")
                    % {"row": number, "col": column, "n": limits.max_cell_chars},
                    SpreadsheetError.CELL_TOO_LONG,
                )
        yield number, tuple(values[: limits.max_columns])


def read_rows(
    content: bytes, *, filename: str, limits: Limits = Limits(), allow_csv: bool = False
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(row number in the file, cell values) for every row of the first sheet, streamed.

    Values are as stored (None, str, int, float, date); CSV cells are strings. Raises
    DomainError for a file that is too big, unreadable, too wide or has an over-long cell.
    """
    _check_size(content, limits)
    if is_xlsx(filename, content):
        rows = _xlsx_rows(content, limits)
    elif allow_csv and (not filename or filename.lower().endswith((".csv", ".txt"))):
        rows = _csv_rows(content, limits)
    elif allow_csv:
        raise _refuse(_("只支持 Excel（.xlsx）或 CSV 文件"), SpreadsheetError.NOT_SPREADSHEET)
    else:
        raise _refuse(_("请上传 Excel 文件（.xlsx）"), SpreadsheetError.NOT_SPREADSHEET)
    yield from _checked(rows, limits)


def read_sheets(
    content: bytes, *, filename: str, limits: Limits = Limits()
) -> Iterator[tuple[str, Iterator[tuple[int, tuple[Any, ...]]]]]:
    """(sheet title, its rows as `read_rows` yields them) for every sheet of an .xlsx, streamed,
    with the same limits per sheet; for workbooks where each sheet is a part (one unit per
    sheet). Read each sheet's rows before moving to the next."""
    _check_size(content, limits)
    if not is_xlsx(filename, content):
        raise _refuse(_("请上传 Excel 文件（.xlsx）"), SpreadsheetError.NOT_SPREADSHEET)
    book = _open_xlsx(content, limits)
    try:
        for sheet in book.worksheets:
            yield str(sheet.title), _checked(_sheet_values(sheet, limits), limits)
    finally:
        book.close()


def is_blank(values: tuple[Any, ...]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def text_cell(value: Any, key: str) -> str:
    """The usual cell conversion: None → "", 12.0 → "12", text stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


Cell = Callable[[Any, str], str]


def read_table(
    content: bytes,
    *,
    filename: str,
    columns: dict[str, str],
    required: tuple[str, ...],
    limits: Limits = Limits(),
    allow_csv: bool = False,
    cell: Cell = text_cell,
    too_many_rows: str = "",
) -> list[tuple[int, dict[str, str] | str]]:
    """A sheet whose first row names the columns (`columns`: Chinese title → key).

    Returns (row number, {key: text}) per non-empty row, or (row number, message) for a row
    whose cell conversion raised RowError; the caller checks every row and writes all or none.
    """
    rows = read_rows(content, filename=filename, limits=limits, allow_csv=allow_csv)
    header = next(rows, None)
    if header is None or is_blank(header[1]):
        raise _refuse(_("文件是空的"), SpreadsheetError.EMPTY)
    names = [str(h).strip() if h is not None else "" for h in header[1]]
    missing = [title for title, key in columns.items() if key in required and title not in names]
    if missing:
        raise _refuse(_("第1行缺少列：%s") % "、".join(missing), SpreadsheetError.MISSING_COLUMNS)
    index = {columns[title]: i for i, title in enumerate(names) if title in columns}
    out: list[tuple[int, dict[str, str] | str]] = []
    for number, values in rows:
        if is_blank(values):
            continue
        if len(out) >= limits.max_rows:
            raise _refuse(
                too_many_rows or _("一次最多导入 %d 行") % limits.max_rows,
                SpreadsheetError.TOO_MANY_ROWS,
            )
        try:
            out.append(
                (
                    number,
                    {
                        key: cell(values[i] if i < len(values) else None, key)
                        for key, i in index.items()
                    },
                )
            )
        except RowError as exc:
            out.append((number, exc.message))
    return out


def first_column(
    content: bytes, *, filename: str, limits: Limits = Limits(), allow_csv: bool = True
) -> list[tuple[int, list[str]]]:
    """(row number, cells as text) of every non-empty row, for lists keyed by the first column
    (arrival lists: case numbers or ID numbers). The caller decides about a header row."""
    out: list[tuple[int, list[str]]] = []
    for number, values in read_rows(content, filename=filename, limits=limits, allow_csv=allow_csv):
        cells = [text_cell(v, "") for v in values]
        if not any(cells):
            continue
        if len(out) > limits.max_rows:
            raise _refuse(
                _("一次最多导入 %(n)d 行，请拆分文件") % {"n": limits.max_rows},
                SpreadsheetError.TOO_MANY_ROWS,
            )
        out.append((number, cells))
    return out
