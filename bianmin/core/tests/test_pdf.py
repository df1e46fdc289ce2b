"""The PDF kernel: Chinese text (rare name characters included) is embedded, renders and
extracts back exactly. Uses poppler's command-line tools; needs no database."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from bianmin.core import pdf
from bianmin.core.pdf import Document, PdfFontError

# Rare characters seen in citizens' names: Ext-B (𠮷), Ext-A (䶮), and URO characters outside
# GB 2312 (served by the full Noto face rather than the cached core).
RARE_NAME_CHARS = "𠮷䶮喆堃犇赟昇珺玥彧"
# Ext-B characters Noto Sans CJK SC lacks: only HanaMinB (fonts-hanazono) draws them.
HANAZONO_ONLY = "𤆍𡒄"
APPLICANT = "吉𠮷"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} (poppler-utils) is not installed")
    return path


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=60).stdout


def _receipt() -> Document:
    doc = Document(title="取号凭条", page="receipt80")
    doc.heading("某某县公安局\n便民服务中心")
    doc.big_number("A023")
    doc.paragraph("您前面还有 5 人等候，请留意叫号屏幕与语音提示。", align="center")
    doc.rule()
    doc.field_rows(
        [
            ("业务类型", "居民身份证换领"),
            ("申请人", APPLICANT),
            ("同行人", RARE_NAME_CHARS),
            ("取号时间", "2025-03-18 09:42"),
        ]
    )
    doc.qr("https://bianmin.example.gov.cn/q/A023", size_mm=28, caption="微信扫码查看排队进度")
    return doc


def _a4() -> Document:
    doc = Document(title="受理回执", page="a4")
    doc.heading("业务受理回执")
    doc.field_rows(
        [
            ("受理编号", "SL-20250318-000123"),
            ("申请人", APPLICANT),
            ("生僻字", RARE_NAME_CHARS + HANAZONO_ONLY),
            ("承诺时限", "自受理之日起五个工作日内办结，逾期未办结的可拨打监督电话反映。"),
        ]
    )
    doc.section("已收材料")
    doc.table(
        ["序号", "材料名称", "份数"],
        [
            ["1", "居民户口簿", "1"],
            ["2", "迁入地房屋产权证明或租赁合同及房屋所有权人同意落户的书面意见" * 2, "1"],
        ],
        widths=(1, 8, 1),
    )
    doc.paragraph("请妥善保管本回执，凭本回执领取办理结果。", indent=True)
    doc.qr("https://bianmin.example.gov.cn/c/SL-20250318-000123", caption="扫码查询办理进度")
    doc.signature_line("申请人签名：")
    return doc


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pdf")
    files = {}
    for name, doc in (("receipt", _receipt()), ("a4", _a4())):
        path = out / f"{name}.pdf"
        path.write_bytes(doc.output())
        files[name] = path
    return files


@pytest.mark.parametrize("name", ["receipt", "a4"])
def test_text_extracts_back_exactly(rendered: dict[str, Path], name: str) -> None:
    text = _run(_tool("pdftotext"), "-enc", "UTF-8", str(rendered[name]), "-")
    assert APPLICANT in text
    assert RARE_NAME_CHARS in text
    assert "居民" in text
    compact = "".join(text.split())
    if name == "receipt":
        assert "A023" in text
        assert "某某县公安局便民服务中心" in compact
    else:
        assert RARE_NAME_CHARS + HANAZONO_ONLY in text
        assert "自受理之日起五个工作日内办结，逾期未办结的可拨打监督电话反映。" in compact
        assert "第1页/共1页" in compact


@pytest.mark.parametrize("name", ["receipt", "a4"])
def test_fonts_are_embedded_subsets(rendered: dict[str, Path], name: str) -> None:
    listing = _run(_tool("pdffonts"), str(rendered[name]))
    rows = [line.split() for line in listing.splitlines()[2:] if line.strip()]
    assert rows, listing
    for row in rows:
        # name type(may be several words) encoding emb sub uni object-id generation
        emb, sub, uni = row[-5], row[-4], row[-3]
        assert (emb, sub, uni) == ("yes", "yes", "yes"), listing
    names = " ".join(row[0] for row in rows)
    assert "NotoSansCJKSC" in names
    if name == "a4":
        assert "HanaMinB" in names  # the Ext-B fallback was needed and embedded
        assert "NotoSerifCJKSC" in names  # A4 body text is set in the serif face


def test_no_glyph_is_missing(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        _a4().output()
        _receipt().output()
    missing = [
        r.getMessage() for r in caplog.records if "missing the following glyphs" in r.getMessage()
    ]
    assert not missing


def _ink_rows(image: Image.Image) -> list[int]:
    """Indices of pixel rows holding dark ink."""
    grey = image.convert("L")
    width, height = grey.size
    data = grey.tobytes()
    return [y for y in range(height) if min(data[y * width : (y + 1) * width]) < 128]


def test_receipt_renders_ink_and_fits_its_content(
    rendered: dict[str, Path], tmp_path: Path
) -> None:
    prefix = tmp_path / "receipt"
    subprocess.run(
        [_tool("pdftoppm"), "-r", "100", "-png", str(rendered["receipt"]), str(prefix)],
        check=True,
        timeout=60,
    )
    pages = sorted(tmp_path.glob("receipt*.png"))
    assert len(pages) == 1
    image = Image.open(pages[0])
    width, height = image.size
    assert abs(width - 80 / 25.4 * 100) < 3  # 80 mm at 100 dpi
    ink = _ink_rows(image)
    assert ink, "blank page"
    assert ink[0] < 0.1 * height  # heading at the very top
    assert ink[-1] > 0.8 * height  # the page was trimmed to the content
    inked = len(ink) / height
    assert 0.3 < inked < 0.95, inked
    # The ticket number is big: a run of consecutive inked rows taller than 8 mm.
    longest, run = 0, 0
    for previous, current in zip([-2, *ink], ink, strict=False):
        run = run + 1 if current == previous + 1 else 1
        longest = max(longest, run)
    assert longest > 8 / 25.4 * 100


def test_a4_page_size_and_text_areas(rendered: dict[str, Path], tmp_path: Path) -> None:
    info = _run(_tool("pdfinfo"), str(rendered["a4"]))
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert size is not None
    assert (round(float(size[1])), round(float(size[2]))) == (595, 842)
    prefix = tmp_path / "a4"
    subprocess.run(
        [_tool("pdftoppm"), "-r", "100", "-png", str(rendered["a4"]), str(prefix)],
        check=True,
        timeout=60,
    )
    image = Image.open(next(tmp_path.glob("a4*.png")))
    ink = _ink_rows(image)
    height = image.size[1]
    assert ink[0] < 0.12 * height  # heading near the top margin
    assert ink[-1] > 0.9 * height  # page-number footer at the bottom


def test_long_a4_documents_break_pages_with_numbered_footers() -> None:
    doc = Document(title="清单", page="a4")
    doc.table(["序号", "事项"], [[str(i), f"第{i}项 户籍业务"] for i in range(1, 121)])
    text = subprocess.run(
        [_tool("pdftotext"), "-enc", "UTF-8", "-", "-"],
        input=doc.output(),
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode()
    compact = "".join(text.split())
    pages = int(re.findall(r"共(\d+)页", compact)[0])
    assert pages >= 3
    assert f"第{pages}页/共{pages}页" in compact
    assert "第120项户籍业务" in compact


def test_contents_list_sections_with_their_pages_and_bookmarks() -> None:
    doc = Document(title="汇编", page="a4")
    doc.heading("汇编")
    doc.contents("目录")
    for chapter in range(1, 41):  # 120 entries: the contents need more than one page
        doc.section(f"第{chapter}章", toc_level=0)
        for item in range(1, 3):
            doc.section(f"{chapter}.{item} 事项", toc_level=1)
            doc.paragraph("户籍业务办理须知。" * 20)
    data = doc.output()
    assert b"/Outlines" in data  # the sections are PDF bookmarks too
    text = subprocess.run(
        [_tool("pdftotext"), "-layout", "-enc", "UTF-8", "-", "-"],
        input=data,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode()
    pages = text.split("\f")[:-1]
    listed = {
        m[1]: int(m[2])
        for page in pages
        for m in re.finditer(r"^\s*(第\d+章|\d+\.\d+ 事项)\s*\.{3,}\s*(\d+)\s*$", page, re.M)
    }
    assert len(listed) == 120
    assert listed["第1章"] > 2  # the contents themselves took two pages or more
    for name, number in listed.items():
        heading = re.compile(rf"^\s*{re.escape(name)}\s*$", re.M)
        assert heading.search(pages[number - 1]), (name, number)
        assert not any(heading.search(p) for p in pages[: number - 1]), name
    compact = "".join(pages[-1].split())
    assert f"第{len(pages)}页/共{len(pages)}页" in compact


def test_contents_need_a4_and_are_unique() -> None:
    with pytest.raises(ValueError, match="a4"):
        Document(title="x", page="receipt80").contents()
    doc = Document(title="x")
    doc.contents()
    with pytest.raises(ValueError, match="at most one"):
        doc.contents()


def test_output_is_repeatable_and_reuses_the_warm_fonts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The promise behind "fast after warm-up", checked without a clock: the second document
    neither reloads the font kit nor parses the full CJK face (only the small core subset is
    embedded for GB 2312 text)."""
    doc = Document(title="取号凭条", page="receipt80")
    doc.heading("便民服务中心")
    doc.big_number("B105")
    doc.field_rows([("业务类型", "户籍迁入"), ("申请人", "张三")])
    doc.qr("https://bianmin.example.gov.cn/q/B105")
    first = doc.output()
    loads: list[int] = []
    original = pdf.fonts._load_kit

    def counting_load() -> object:
        loads.append(1)
        return original()

    monkeypatch.setattr(pdf.fonts, "_load_kit", counting_load)

    second = doc.output()

    assert first[:8] == second[:8] == b"%PDF-1.6"
    assert loads == []  # the per-process prototypes were reused
    assert len(second) < 200_000, len(second)  # subsets only, never a whole CJK face


def test_input_validation() -> None:
    with pytest.raises(ValueError, match="page kind"):
        Document(title="x", page="a5")  # type: ignore[arg-type]
    doc = Document(title="x")
    with pytest.raises(ValueError, match="one cell per header"):
        doc.table(["a", "b"], [["1"]])
    with pytest.raises(ValueError, match="one weight"):
        doc.table(["a", "b"], [["1", "2"]], widths=(1,))


def test_missing_cjk_font_names_the_packages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf.fonts, "DEFAULT_FONT_DIRS", (str(tmp_path),))
    monkeypatch.setattr(pdf.fonts, "_setting", lambda name, default: default)
    with pytest.raises(PdfFontError, match="fonts-noto-cjk fonts-hanazono"):
        pdf.fonts.find_font_files()


def test_font_dirs_setting_is_searched_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        pdf.fonts,
        "_setting",
        lambda name, default: [str(tmp_path)] if name == "BIANMIN_PDF_FONT_DIRS" else default,
    )
    assert pdf.fonts._font_dirs()[0] == tmp_path
