import io

import pytest
from openpyxl import Workbook, load_workbook

from bianmin.core.errors import DomainError
from bianmin.family_desk.models import Procedure, Unit
from bianmin.family_desk.services import (
    GuideFileRejected,
    guide_booklet_pdf,
    guide_export_xlsx,
    guide_import,
    guide_template_xlsx,
)
from bianmin.family_desk.services.transfer import COLUMNS

HEAD: list[object] = list(COLUMNS)


def _book(sheets: dict[str, list[list[object]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _row(**values: object) -> list[object]:
    fields = dict.fromkeys(HEAD, "")
    fields.update(values)
    return list(fields.values())


def test_a_flat_sheet_imports(daytime, desk):
    content = _book(
        {
            "办事指南": [
                HEAD,
                _row(
                    单位="县税务局",
                    事项名称="个税汇算",
                    所需材料="身份证；银行卡",
                    时限工作日=15,
                    人生事件="退休、购房",
                ),
            ]
        }
    )
    result = guide_import(actor=desk, filename="guide.xlsx", content=content)
    assert (result.created, result.updated, result.units) == (1, 0, 1)
    procedure = Procedure.objects.get()
    assert procedure.material_lines == ["身份证", "银行卡"]
    assert procedure.time_limit_workdays == 15
    assert procedure.life_events == ["retirement", "home_purchase"]
    assert procedure.history.first().history_change_reason == "Excel 导入：guide.xlsx"


def test_one_sheet_per_unit_without_a_unit_column(daytime, desk):
    head: list[object] = [h for h in HEAD if h != "单位"]
    row: list[object] = ["", "", "", "结婚登记", *[""] * (len(head) - 4)]
    notes: list[object] = ["随便写"]
    content = _book({"县民政局": [head, row], "填写说明": [notes]})
    guide_import(actor=desk, filename="x.xlsx", content=content)
    assert Unit.objects.get().name == "县民政局"
    assert Procedure.objects.get().name == "结婚登记"


def test_errors_are_listed_row_by_row_and_nothing_is_written(daytime, desk):
    content = _book(
        {
            "办事指南": [
                HEAD,
                _row(单位="县税务局", 事项名称="好的一行"),
                _row(单位="县税务局", 事项名称=""),
                _row(单位="县税务局", 事项名称="坏时限", 时限工作日="三天"),
                _row(单位="县税务局", 事项名称="坏事件", 人生事件="升职"),
                _row(单位="县税务局", 事项名称="好的一行"),
            ]
        }
    )
    with pytest.raises(GuideFileRejected) as caught:
        guide_import(actor=desk, filename="bad.xlsx", content=content)
    errors = caught.value.errors
    assert any("第3行" in e and "事项名称" in e for e in errors)
    assert any("第4行" in e and "时限工作日" in e for e in errors)
    assert any("第5行" in e and "升职" in e for e in errors)
    assert any("第6行" in e and "重复" in e for e in errors)
    assert "未写入任何数据" in caught.value.message
    assert Procedure.objects.count() == 0
    assert Unit.objects.count() == 0


def test_a_file_that_is_not_excel_is_refused(daytime, desk):
    with pytest.raises(GuideFileRejected, match="不是有效的 Excel"):
        guide_import(actor=desk, filename="guide.xlsx", content=b"%PDF-1.4 not a workbook")


def test_the_guide_goes_through_the_shared_reader_and_its_caps(daytime, desk):
    too_long = _book(
        {"办事指南": [HEAD, _row(单位="县税务局", 事项名称="个税汇算", 政策依据="法" * 5001)]}
    )
    with pytest.raises(GuideFileRejected) as caught:
        guide_import(actor=desk, filename="guide.xlsx", content=too_long)
    assert caught.value.code == "import_invalid"
    assert "第2行第14列内容过长（超过 5000 字）" in caught.value.message
    assert not Procedure.objects.exists()
    with pytest.raises(GuideFileRejected, match="文件是空的"):
        guide_import(actor=desk, filename="guide.xlsx", content=b"")


def test_only_the_desk_imports(daytime, officer):
    with pytest.raises(DomainError) as caught:
        guide_import(actor=officer, filename="x.xlsx", content=guide_template_xlsx())
    assert caught.value.status == 403


def test_reimporting_the_export_updates_in_place(daytime, desk, procedure):
    exported = guide_export_xlsx(center_id=desk.center_id)
    sheet = load_workbook(io.BytesIO(exported), read_only=True)["办事指南"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEAD
    assert rows[1][4] == "购房提取住房公积金"
    result = guide_import(actor=desk, filename="export.xlsx", content=exported)
    assert (result.created, result.updated) == (0, 1)
    assert Procedure.objects.count() == 1


def test_the_template_imports_as_empty_and_says_so(daytime, desk):
    with pytest.raises(GuideFileRejected, match="没有数据行"):
        guide_import(actor=desk, filename="template.xlsx", content=guide_template_xlsx())


def test_the_booklet_has_a_table_of_contents(daytime, desk, procedure):
    import subprocess

    from bianmin.family_desk.tests.factories import UnitFactory

    UnitFactory(center=procedure.center, name="县档案馆", order=200)

    pdf = guide_booklet_pdf(center_id=desk.center_id, center_name="潼关县公安便民服务中心")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "目录" in text
    assert "1.1 购房提取住房公积金" in text
    # The contents come before the chapter itself.
    assert text.index("目录") < text.index("一、") < text.rindex("1.1 购房提取住房公积金")
    assert "二、县档案馆" in text  # a unit without procedures still has its chapter
    assert "共2个单位、1个事项" in text


def _page_texts(pdf: bytes) -> list[str]:
    import subprocess

    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return text.split("\f")[:-1]  # pdftotext ends every page with a form feed


@pytest.mark.parametrize("units", [3, 12])  # 12 units: the contents take a second page
def test_the_contents_give_the_page_each_unit_and_procedure_starts_on(daytime, center, units):
    import re

    from bianmin.family_desk.tests.factories import ProcedureFactory, UnitFactory

    for u in range(units):
        unit = UnitFactory(center=center, name=f"县第{u + 1}单位", order=u)
        for p in range(4):
            ProcedureFactory(center=center, unit=unit, name=f"单位{u + 1}事项{p + 1}")
    pages = _page_texts(
        guide_booklet_pdf(center_id=center.pk, center_name="潼关县公安便民服务中心")
    )
    assert len(pages) >= 4
    entries = {}
    for number, page in enumerate(pages, start=1):
        for match in re.finditer(
            r"^\s*(\S+、县第\d+单位|\d+\.\d+ 单位\d+事项\d+)\s*\.{3,}\s*(\d+)\s*$", page, re.M
        ):
            entries[match[1]] = (int(match[2]), number)
    assert len(entries) == units * 5  # every unit and every procedure is listed
    contents_pages = {where for _, where in entries.values()}
    assert contents_pages == set(range(1, len(contents_pages) + 1))
    assert (len(contents_pages) > 1) == (units == 12)
    for name, (page_number, listed_on) in entries.items():
        assert page_number > listed_on
        target = pages[page_number - 1]
        # The title stands on that page (as a title, not a contents line) and on no earlier one.
        heading = re.compile(rf"^\s*{re.escape(name)}\s*$", re.M)
        assert heading.search(target), (name, page_number)
        assert not any(heading.search(p) for p in pages[: page_number - 1]), name
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        assert f"第{number}页/共{total}页" in re.sub(r"\s", "", page)
