"""The one spreadsheet reader: streaming, caps, Chinese messages (security review L4)."""

import io
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from bianmin.core.errors import DomainError
from bianmin.core.spreadsheets import (
    Limits,
    RowError,
    SpreadsheetError,
    first_column,
    read_rows,
    read_sheets,
    read_table,
)

COLUMNS = {"姓名": "name", "公民身份号码": "id_number", "备注": "note"}


def _xlsx(rows: list[list[object]] | list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A few hundred KB of .xlsx whose one cell unpacks to 400 MB (streamed, so the
    test itself never holds it)."""
    plain = _xlsx([["姓名", "公民身份号码"], ["BOMB", "x"]])
    path = tmp_path_factory.mktemp("bomb") / "bomb.xlsx"
    chunk = b"A" * (1024 * 1024)
    with (
        zipfile.ZipFile(io.BytesIO(plain)) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            if b"BOMB" not in data:  # openpyxl writes the text inline in the sheet part
                target.writestr(info, data)
                continue
            head, tail = data.split(b"BOMB")
            with target.open(info.filename, "w", force_zip64=True) as part:
                part.write(head)
                for _ in range(400):
                    part.write(chunk)
                part.write(tail)
    return Path(path).read_bytes()


def test_a_small_file_with_a_400_mb_cell_is_refused_without_unpacking_it(bomb: bytes) -> None:
    assert len(bomb) < 2 * 1024 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(DomainError) as refused:
            read_table(bomb, filename="bomb.xlsx", columns=COLUMNS, required=("name",))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert refused.value.code == SpreadsheetError.FILE_TOO_LARGE
    assert "解压后超过" in refused.value.message
    assert peak < 32 * 1024 * 1024


def test_an_over_long_cell_is_refused_with_its_row_and_column() -> None:
    content = _xlsx([["姓名", "公民身份号码"], ["王伟", "1"], ["李娜", "x" * 3000]])

    with pytest.raises(DomainError) as refused:
        read_table(content, filename="a.xlsx", columns=COLUMNS, required=("name",))

    assert refused.value.code == SpreadsheetError.CELL_TOO_LONG
    assert "第3行第2列" in refused.value.message


def test_too_many_columns_rows_or_bytes_are_refused() -> None:
    wide = _xlsx([["姓名"], ["王伟", *["x"] * 60]])
    long = _xlsx([["姓名"], *([f"人{i}"] for i in range(12))])
    limits = Limits(max_rows=10)

    with pytest.raises(DomainError) as columns:
        read_table(wide, filename="a.xlsx", columns=COLUMNS, required=("name",))
    with pytest.raises(DomainError) as rows:
        read_table(long, filename="a.xlsx", columns=COLUMNS, required=("name",), limits=limits)
    with pytest.raises(DomainError) as size:
        list(read_rows(long, filename="a.xlsx", limits=Limits(max_bytes=100)))

    assert columns.value.code == SpreadsheetError.TOO_MANY_COLUMNS
    assert "超过 50 列" in columns.value.message
    assert rows.value.code == SpreadsheetError.TOO_MANY_ROWS
    assert "一次最多导入 10 行" in rows.value.message
    assert size.value.code == SpreadsheetError.FILE_TOO_LARGE


def test_read_table_names_missing_columns_and_keeps_row_errors() -> None:
    def cell(value: object, key: str) -> str:
        if key == "id_number" and isinstance(value, int):
            raise RowError("公民身份号码须设为文本格式")
        return "" if value is None else str(value).strip()

    missing = _xlsx([["姓名", "备注"], ["王伟", ""]])
    mixed = _xlsx([["姓名", "公民身份号码"], ["王伟 ", "610"], [None, None], ["李娜", 61052]])

    with pytest.raises(DomainError) as refused:
        read_table(missing, filename="a.xlsx", columns=COLUMNS, required=("name", "id_number"))
    table = read_table(
        mixed, filename="a.xlsx", columns=COLUMNS, required=("name", "id_number"), cell=cell
    )

    assert refused.value.message == "第1行缺少列：公民身份号码"
    assert table == [(2, {"name": "王伟", "id_number": "610"}), (4, "公民身份号码须设为文本格式")]


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "a.xlsx", "文件是空的"),
        (b"PK\x03\x04broken", "a.xlsx", "文件无法读取，请确认是有效的 Excel（.xlsx）文件"),
        (b"%PDF-1.4", "a.pdf", "请上传 Excel 文件（.xlsx）"),
    ],
)
def test_unreadable_files_get_a_chinese_message(
    content: bytes, filename: str, message: str
) -> None:
    with pytest.raises(DomainError) as refused:
        list(read_rows(content, filename=filename))

    assert refused.value.message == message


def test_csv_in_utf8_or_gbk_and_binary_csv_refused() -> None:
    utf8 = "编号\nTG-20261201-0018\n\n610523193601300543\n".encode()
    gbk = "编号\n王伟\n".encode("gbk")

    assert first_column(utf8, filename="a.csv") == [
        (1, ["编号"]),
        (2, ["TG-20261201-0018"]),
        (4, ["610523193601300543"]),
    ]
    assert first_column(gbk, filename="a.csv")[1] == (2, ["王伟"])
    with pytest.raises(DomainError) as refused:
        first_column(b"\x00\x01binary", filename="a.csv")
    assert refused.value.code == SpreadsheetError.UNREADABLE


@pytest.mark.django_db
def test_the_people_import_refuses_the_bomb_with_a_chinese_message(bomb: bytes, make_staff) -> None:
    from bianmin.core.permissions import Role
    from bianmin.people.enums import ImportStatus
    from bianmin.people.imports import person_import_run, person_import_start

    job = person_import_start(
        actor=make_staff(Role.SHIFT_LEADER), filename="bomb.xlsx", content=bomb
    )
    job = person_import_run(import_id=job.pk)

    assert job.status == ImportStatus.REJECTED
    assert "解压后超过" in job.errors[0]["message"]


def test_read_sheets_streams_every_sheet_with_the_same_limits() -> None:
    book = Workbook()
    book.active.title = "县民政局"
    book.active.append(["事项名称"])
    book.active.append(["结婚登记"])
    second = book.create_sheet("县税务局")
    second.append(["事项名称"])
    second.append([None])
    second.append(["个税汇算" * 10])
    buffer = io.BytesIO()
    book.save(buffer)
    content = buffer.getvalue()

    sheets = [
        (title, [(number, values[:1]) for number, values in rows])
        for title, rows in read_sheets(content, filename="g.xlsx")
    ]

    assert sheets == [
        ("县民政局", [(1, ("事项名称",)), (2, ("结婚登记",))]),
        ("县税务局", [(1, ("事项名称",)), (2, (None,)), (3, ("个税汇算" * 10,))]),
    ]
    short = Limits(max_cell_chars=20)
    with pytest.raises(DomainError) as too_long:
        [list(rows) for _title, rows in read_sheets(content, filename="g.xlsx", limits=short)]
    assert too_long.value.code == SpreadsheetError.CELL_TOO_LONG
    assert "第3行第1列内容过长" in too_long.value.message
    with pytest.raises(DomainError) as not_xlsx:
        list(read_sheets(b"name\nx\n", filename="g.csv"))
    assert not_xlsx.value.code == SpreadsheetError.NOT_SPREADSHEET
