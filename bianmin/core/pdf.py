"""PDF kernel: every printable document (queue ticket, receipts, notices) is built here.

Usage::

    doc = Document(title="受理回执", page="receipt80")
    doc.heading("某某县公安局便民服务中心")
    doc.field_rows([("受理编号", "SL-2025-000123"), ("申请人", "吉𠮷")])
    doc.qr("https://example.org/q/abc", caption="扫码查询办理进度")
    pdf_bytes = doc.output()

Fonts are embedded (subset), so a receipt prints the same on every machine:

* primary faces: Noto Sans CJK SC (regular, bold) and Noto Serif CJK SC from the Debian
  package ``fonts-noto-cjk`` (read straight from the ``.ttc`` collection: fpdf2 handles both
  collections and CID-keyed CFF outlines);
* fallbacks for characters the primary faces lack (CJK Extension B and beyond):
  HanaMinA / HanaMinB from ``fonts-hanazono``.

Speed: fpdf2 subsets the whole font at output time, which is slow for a 65 000-glyph CJK
face (0.5-0.6 s CPU measured). So each primary face is split once (cached under
``var/fonts/``) into a small "core" font holding Latin, punctuation and the GB 2312
repertoire; the full face stays registered as a fallback and is only parsed at output time
when a document actually uses a character outside the core. Parsed font metrics are kept per
process and shared by all documents; fonts are attached to a document only when used.

Settings (all optional; the module also works without Django):

* ``BIANMIN_PDF_FONT_DIRS``: extra directories searched (before the Debian defaults);
* ``BIANMIN_PDF_FONT_CACHE_DIR``: where derived core fonts go (default ``<repo>/var/fonts``).
"""

from __future__ import annotations

import copy
import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

import segno
from fontTools import subset as ft_subset
from fontTools.ttLib import TTCollection, TTFont
from fpdf import FPDF, FontFace
from fpdf.enums import (
    Align,
    MethodReturnValue,
    TableBordersLayout,
    TextEmphasis,
    WrapMode,
    XPos,
    YPos,
)
from fpdf.fonts import SubsetMap, TTFFont

from bianmin.core.qr import qr_png, qr_svg  # re-exported: the HTML-side QR helpers

__all__ = [
    "Document",
    "PageKind",
    "PdfFontError",
    "find_font_files",
    "qr_png",
    "qr_svg",
    "warm_up",
]

logger = logging.getLogger(__name__)

PageKind = Literal["a4", "receipt80"]

DEFAULT_FONT_DIRS: tuple[str, ...] = (
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/truetype/hanazono",
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.local/share/fonts",
    "~/.fonts",
)
INSTALL_HINT = (
    "Install the Debian packages with `sudo apt-get install fonts-noto-cjk fonts-hanazono` "
    "(the Makefile does this), or point the BIANMIN_PDF_FONT_DIRS setting at a directory "
    "holding NotoSansCJK-Regular.ttc and HanaMinA.ttf / HanaMinB.ttf."
)

# Bump when the core repertoire or the derivation changes: old cache files are then ignored.
_CORE_VERSION = 2
_PT = 25.4 / 72  # one typographic point in millimetres


class PdfFontError(RuntimeError):
    """No usable Chinese font was found: the operator must install one."""


# --------------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------------


def _setting(name: str, default: Any) -> Any:
    """Read an optional Django setting; fall back to ``default`` outside a configured Django."""
    try:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured
    except ImportError:  # pragma: no cover - Django is a project dependency
        return default
    try:
        return getattr(settings, name, default)
    except ImproperlyConfigured:
        return default


def _font_dirs() -> list[Path]:
    configured = _setting("BIANMIN_PDF_FONT_DIRS", None) or ()
    if isinstance(configured, str | os.PathLike):
        configured = (configured,)
    dirs: list[Path] = []
    for entry in (*configured, *DEFAULT_FONT_DIRS):
        path = Path(entry).expanduser()
        if path.is_dir() and path not in dirs:
            dirs.append(path)
    return dirs


def _cache_dir() -> Path:
    configured = _setting("BIANMIN_PDF_FONT_CACHE_DIR", None)
    candidates = [Path(configured)] if configured else []
    candidates += [
        Path(__file__).resolve().parents[2] / "var" / "fonts",
        Path(tempfile.gettempdir()) / "bianmin-fonts",
    ]
    for candidate in candidates:
        try:
            candidate.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(candidate, os.W_OK):
            return candidate
    raise PdfFontError(f"No writable font cache directory among {candidates}")


# --------------------------------------------------------------------------------------------
# Font discovery
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _FaceSpec:
    family: str  # fpdf2 family name used by the renderer
    style: Literal["", "B"]
    files: tuple[str, ...]  # candidate file names, the first one found wins
    face: str | None  # family name of the face to pick inside a .ttc/.otc collection
    split: bool  # primary face: derive a small "core" font, keep the full face as fallback


_FACES: tuple[_FaceSpec, ...] = (
    _FaceSpec(
        "sans",
        "",
        ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf", "NotoSansSC-Regular.otf"),
        "Noto Sans CJK SC",
        split=True,
    ),
    _FaceSpec(
        "sans",
        "B",
        ("NotoSansCJK-Bold.ttc", "NotoSansCJKsc-Bold.otf", "NotoSansSC-Bold.otf"),
        "Noto Sans CJK SC",
        split=True,
    ),
    _FaceSpec(
        "serif",
        "",
        ("NotoSerifCJK-Regular.ttc", "NotoSerifCJKsc-Regular.otf", "NotoSerifSC-Regular.otf"),
        "Noto Serif CJK SC",
        split=True,
    ),
    _FaceSpec("rarea", "", ("HanaMinA.ttf",), None, split=False),
    _FaceSpec("rareb", "", ("HanaMinB.ttf",), None, split=False),
)
_RARE_FAMILIES = ("rarea", "rareb")


@dataclass(frozen=True, slots=True)
class FontFile:
    path: Path
    index: int  # face number inside a collection, 0 for plain files


def _find_file(name: str, dirs: Iterable[Path]) -> Path | None:
    for directory in dirs:
        direct = directory / name
        if direct.is_file():
            return direct
    for directory in dirs:
        found = next((p for p in directory.rglob(name) if p.is_file()), None)
        if found is not None:
            return found
    return None


def _collection_index(path: Path, face: str | None) -> int:
    if face is None or path.suffix.lower() not in (".ttc", ".otc"):
        return 0
    collection = TTCollection(path, lazy=True)
    try:
        for index, font in enumerate(collection.fonts):
            name = font["name"]
            families = {name.getBestFamilyName(), name.getDebugName(1), name.getDebugName(16)}
            if face in families:
                return index
    finally:
        collection.close()
    raise PdfFontError(f"{path} holds no face named {face!r}. {INSTALL_HINT}")


def find_font_files() -> dict[tuple[str, str], FontFile]:
    """Locate the font files, keyed by ``(family, style)``; raise if no CJK font is usable."""
    dirs = _font_dirs()
    found: dict[tuple[str, str], FontFile] = {}
    for spec in _FACES:
        path = next(
            (p for p in (_find_file(name, dirs) for name in spec.files) if p is not None), None
        )
        if path is not None:
            found[(spec.family, spec.style)] = FontFile(path, _collection_index(path, spec.face))
    if ("sans", "") not in found:
        searched = ", ".join(str(d) for d in dirs) or "(no font directory exists)"
        raise PdfFontError(
            f"No Chinese (CJK) font found for PDF output; searched {searched}. " + INSTALL_HINT
        )
    missing = [spec.files[0] for spec in _FACES if (spec.family, spec.style) not in found]
    if missing:
        logger.warning(
            "PDF fonts missing: %s. Rare characters may print as blank boxes. %s",
            ", ".join(missing),
            INSTALL_HINT,
        )
    return found


# --------------------------------------------------------------------------------------------
# Derived "core" fonts (cached on disk)
# --------------------------------------------------------------------------------------------


def _is_core(codepoint: int) -> bool:
    """Latin, symbols, CJK punctuation, full-width forms and the GB 2312 repertoire."""
    if codepoint < 0x2E80 or 0x3000 <= codepoint <= 0x303F or 0xFF00 <= codepoint <= 0xFFEF:
        return True
    try:
        chr(codepoint).encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _derive_core(source: FontFile, cache_dir: Path) -> Path:
    stat = source.path.stat()
    fingerprint = f"{_CORE_VERSION}|{source.path}|{source.index}|{stat.st_size}|{stat.st_mtime_ns}"
    digest = hashlib.sha256(fingerprint.encode()).hexdigest()[:12]
    font = TTFont(source.path, fontNumber=source.index, lazy=True, recalcBBoxes=False)
    try:
        suffix = ".otf" if "CFF " in font or "CFF2" in font else ".ttf"
        target = cache_dir / f"{source.path.stem}-{source.index}-core-{digest}{suffix}"
        if target.is_file():
            return target
        logger.info("Deriving core PDF font %s from %s (one-off, a few seconds)", target, source)
        options = ft_subset.Options()
        options.layout_features = []
        options.notdef_outline = True
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "VORG", "vhea", "vmtx"]
        # Per-document subsetting is cheaper without subroutines to trace.
        options.desubroutinize = True
        subsetter = ft_subset.Subsetter(options)
        subsetter.populate(unicodes=[cp for cp in font.getBestCmap() if _is_core(cp)])
        subsetter.subset(font)
        # The core is BMP-only: one Windows Unicode BMP subtable is all fpdf2 needs.
        cmap = font["cmap"]
        windows_bmp = [t for t in cmap.tables if (t.platformID, t.platEncID) == (3, 1)]
        if windows_bmp:
            cmap.tables = windows_bmp
        handle, tmp_name = tempfile.mkstemp(dir=cache_dir, suffix=suffix + ".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                font.save(stream)
            os.chmod(tmp_name, 0o644)  # mkstemp makes 0600; other workers' users must read it
            os.replace(tmp_name, target)  # atomic: concurrent workers never see half a file
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return target
    finally:
        font.close()


# --------------------------------------------------------------------------------------------
# Per-process font prototypes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _FontKit:
    fonts: dict[str, TTFFont]  # parsed prototypes by fpdf2 font key ("sans", "sansB", "sansx"...)
    fallback_keys: tuple[str, ...]
    available: frozenset[tuple[str, str]]  # (family, style) usable by the renderer


_kit_lock = threading.Lock()
_kit_cache: _FontKit | None = None


def _load_kit() -> _FontKit:
    files = find_font_files()
    cache_dir = _cache_dir()
    loader = FPDF()  # scratch instance: fpdf2 parses fonts through add_font()
    plan: list[tuple[str, str, Path, int]] = []
    for (family, style), source in files.items():
        spec = next(s for s in _FACES if (s.family, s.style) == (family, style))
        if spec.split:
            plan.append((family, style, _derive_core(source, cache_dir), 0))
            plan.append((f"{family}x", style, source.path, source.index))
        else:
            plan.append((family, style, source.path, source.index))
    for family, style, path, index in plan:
        loader.add_font(family, style, path, collection_font_number=index)
    fonts: dict[str, TTFFont] = {}
    for key, font in loader.fonts.items():
        assert isinstance(font, TTFFont)
        font.close()  # each document opens its own fontTools handle
        fonts[key] = font
    fallbacks = [f"{family}{style}" for family, style, _, _ in plan if family.endswith("x")]
    fallbacks += [family for family, _, _, _ in plan if family in _RARE_FAMILIES]
    return _FontKit(fonts=fonts, fallback_keys=tuple(fallbacks), available=frozenset(files))


def _kit() -> _FontKit:
    global _kit_cache
    if _kit_cache is None:
        with _kit_lock:
            if _kit_cache is None:
                _kit_cache = _load_kit()
    return _kit_cache


def warm_up() -> None:
    """Locate, derive and parse the fonts now (e.g. at worker start) instead of on first use."""
    _kit()


def _attach_font(pdf: FPDF, proto: TTFFont) -> None:
    """Register a parsed font in ``pdf`` without re-parsing the font file.

    Mirrors what ``FPDF.add_font`` does, sharing the read-only metrics (cmap, widths, glyph
    ids, descriptor) with the prototype, the same way fpdf2's own ``TTFFont.__deepcopy__`` does
    for ``FPDFRecorder``. Output subsets ``ttfont`` in place, so each document gets a fresh,
    lazily-loaded fontTools handle.
    """
    font = copy.copy(proto)
    font.i = len(pdf.fonts) + 1
    font.ttfont = TTFont(
        proto.ttffile,
        recalcTimestamp=False,
        recalcBBoxes=False,  # the descriptor's bbox comes from the prototype; saves ~40%
        fontNumber=proto.collection_font_number,
        lazy=True,
    )
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None
    font.subset = SubsetMap(font)
    pdf.fonts[font.fontkey] = font
    if font.is_cff and font.is_cid_keyed:
        pdf._set_min_pdf_version("1.6")


# --------------------------------------------------------------------------------------------
# QR codes
# --------------------------------------------------------------------------------------------


def _make_qr(url: str) -> segno.QRCode:
    return segno.make(url, error="m", micro=False)


# --------------------------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Layout:
    width: float
    margin_x: float
    margin_top: float
    margin_bottom: float
    heading_pt: float
    section_pt: float
    body_pt: float
    table_pt: float
    caption_pt: float
    big_pt: float
    body_family: str
    bordered: bool
    paged: bool  # A4 breaks pages; a receipt is one page whose height fits the content


_LAYOUTS: dict[str, _Layout] = {
    "a4": _Layout(
        width=210,
        margin_x=20,
        margin_top=20,
        margin_bottom=20,
        heading_pt=18,
        section_pt=13,
        body_pt=11,
        table_pt=10.5,
        caption_pt=9,
        big_pt=72,
        body_family="serif",
        bordered=True,
        paged=True,
    ),
    "receipt80": _Layout(
        width=80,
        margin_x=4,  # 80 mm rolls have a 72 mm printable width
        margin_top=4,
        margin_bottom=8,
        heading_pt=13,
        section_pt=10.5,
        body_pt=9,
        table_pt=8.5,
        caption_pt=8,
        big_pt=44,
        body_family="sans",
        bordered=False,
        paged=False,
    ),
}
_A4_HEIGHT = 297.0
_RECEIPT_DRAFT_HEIGHT = 3000.0  # tall enough for any ticket; trimmed on the final pass
_ALIGN = {"left": Align.L, "center": Align.C, "right": Align.R, "justify": Align.J}
# Chinese line breaking (禁则): these never start a line.
_NO_LINE_START = frozenset("，。、；：？！）］｝」』】〕〉》’”…—·%,.;:?!)]}")
_LABEL_FILL = 240
_RULE_GREY = 110


class _PDF(FPDF):
    """FPDF with family-aware fallback fonts and a Chinese page footer."""

    def __init__(self, *, kit: _FontKit, layout: _Layout, height: float, total_pages: int):
        super().__init__(unit="mm", format=(layout.width, height))
        self._kit = kit
        self._total_pages = total_pages
        self.footer_enabled = False
        # fpdf2 embeds every registered font, used or not, so fonts are attached on first use
        # (set_font / get_fallback_font below). fpdf2 only asks get_fallback_font() when
        # fallback fonts are declared, hence the direct assignment instead of
        # set_fallback_fonts(), which insists on fonts being registered up front.
        self._fallback_font_ids = list(kit.fallback_keys)

    def ensure_font(self, key: str) -> bool:
        if key in self.fonts:
            return True
        proto = self._kit.fonts.get(key)
        if proto is None:
            return False
        _attach_font(self, proto)
        return True

    def set_font(
        self, family: str | None = None, style: str | TextEmphasis = "", size: float = 0
    ) -> None:
        text_style = style.style if isinstance(style, TextEmphasis) else style
        bold = "B" if "B" in text_style.upper() else ""
        self.ensure_font(f"{(family or self.font_family).lower()}{bold}")
        super().set_font(family, style, size)

    def get_fallback_font(self, char: str, style: str = "") -> str | None:
        # The full face of the current family first (same design, same weight), then the rare
        # character fonts. fpdf2's default would pick the first fallback having the glyph.
        codepoint = ord(char)
        bold = "B" if "B" in style or "B" in self.font_style else ""
        family = self.font_family.removesuffix("x")
        for key in (f"{family}x{bold}", f"{family}x", *_RARE_FAMILIES):
            proto = self._kit.fonts.get(key)
            if proto is not None and codepoint in proto.cmap:
                self.ensure_font(key)
                return key
        return None

    def footer(self) -> None:
        if not self.footer_enabled:
            return
        self.set_y(-12)
        self.set_font("sans", "", 8)
        self.set_text_color(_RULE_GREY)
        self.cell(0, 5, f"第 {self.page_no()} 页 / 共 {self._total_pages} 页", align="C")
        self.set_text_color(0)


class _Renderer:
    """Draws the recorded operations onto one FPDF instance."""

    def __init__(self, kit: _FontKit, layout: _Layout, *, title: str, height: float, pages: int):
        self.kit = kit
        self.layout = layout
        self.pdf = pdf = _PDF(kit=kit, layout=layout, height=height, total_pages=pages)
        pdf.set_title(title)
        pdf.set_lang("zh-CN")
        pdf.set_creator("bianmin")
        pdf.set_margins(layout.margin_x, layout.margin_top, layout.margin_x)
        pdf.set_auto_page_break(layout.paged, margin=layout.margin_bottom if layout.paged else 0)
        pdf.footer_enabled = layout.paged
        pdf.add_page()
        pdf.set_font("sans", "", layout.body_pt)

    # -- helpers ------------------------------------------------------------------------------

    def font(self, family: str, style: Literal["", "B"] = "", size: float | None = None) -> None:
        if (family, style) not in self.kit.available:
            family = family if (family, "") in self.kit.available else "sans"
            style = style if (family, style) in self.kit.available else ""
        self.pdf.set_font(family, style, size or self.layout.body_pt)

    def face(self, family: str, style: Literal["", "B"], size: float, **kw: Any) -> FontFace:
        if (family, style) not in self.kit.available:
            family = family if (family, "") in self.kit.available else "sans"
            style = style if (family, style) in self.kit.available else ""
        self.pdf.ensure_font(family + style)  # fpdf2 tables check registration up front
        return FontFace(family=family, emphasis=style, size_pt=size, **kw)

    @staticmethod
    def line_height(size_pt: float, factor: float = 1.5) -> float:
        return size_pt * _PT * factor

    def wrap(self, text: str, width: float = 0) -> str:
        """Break ``text`` into lines with the current font, keeping punctuation off line starts.

        fpdf2 wraps CJK text character by character but knows no 禁则, so a line could start
        with "。". When that happens the preceding character moves down with it.
        """
        width = width or self.pdf.epw
        out: list[str] = []
        for paragraph in text.split("\n"):
            rest = paragraph
            for _ in range(200):  # one round per fixed break; bounded for safety
                lines = cast(
                    "list[str]",
                    self.pdf.multi_cell(
                        width,
                        text=rest,
                        dry_run=True,
                        padding=0,
                        output=MethodReturnValue.LINES,
                        wrapmode=WrapMode.CHAR,
                    ),
                )
                if "".join(lines) != rest:  # fpdf2 dropped or added characters: don't meddle
                    out.append(rest)
                    break
                bad = next(
                    (
                        i
                        for i in range(1, len(lines))
                        if lines[i][:1] in _NO_LINE_START and len(lines[i - 1]) > 1
                    ),
                    None,
                )
                if bad is None:
                    out.extend(lines or [""])
                    break
                out.extend(lines[: bad - 1])
                out.append(lines[bad - 1][:-1])
                rest = rest[sum(len(line) for line in lines[:bad]) - 1 :]
            else:
                out.append(rest)
        return "\n".join(out)

    def ensure_room(self, height: float) -> None:
        if self.pdf.will_page_break(height):
            self.pdf.add_page()

    # -- operations ---------------------------------------------------------------------------

    def heading(self, text: str) -> None:
        pdf, size = self.pdf, self.layout.heading_pt
        self.font("sans", "B", size)
        pdf.multi_cell(
            0,
            self.line_height(size, 1.4),
            self.wrap(text),
            align=Align.C,
            wrapmode=WrapMode.CHAR,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.ln(size * _PT * 0.5)

    def section(self, text: str) -> None:
        pdf, size = self.pdf, self.layout.section_pt
        self.ensure_room(self.line_height(size) * 3)
        pdf.ln(size * _PT * 0.4)
        self.font("sans", "B", size)
        pdf.multi_cell(
            0,
            self.line_height(size, 1.4),
            self.wrap(text),
            align=Align.L,
            wrapmode=WrapMode.CHAR,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.ln(size * _PT * 0.3)

    def paragraph(self, text: str, size: float | None, align: str, indent: bool) -> None:
        pdf = self.pdf
        size = size or self.layout.body_pt
        self.font(self.layout.body_family, "", size)
        if indent:  # Chinese convention: two full-width spaces before each paragraph
            text = "\n".join("\u3000\u3000" + line.lstrip() for line in text.split("\n"))
        pdf.multi_cell(
            0,
            self.line_height(size, 1.6),
            self.wrap(text),
            align=_ALIGN[align],
            wrapmode=WrapMode.CHAR,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.ln(size * _PT * 0.5)

    def field_rows(self, rows: Sequence[tuple[str, str]]) -> None:
        pdf, layout = self.pdf, self.layout
        size = layout.body_pt
        self.font("sans", "B", size)
        label_width = max((pdf.get_string_width(label) for label, _ in rows), default=0) + 4
        label_width = min(max(label_width, 0.18 * pdf.epw), 0.45 * pdf.epw)
        label_style = self.face(
            "sans", "B", size, fill_color=_LABEL_FILL if layout.bordered else None
        )
        value_style = self.face(layout.body_family, "", size)
        with pdf.table(
            col_widths=(label_width, pdf.epw - label_width),
            first_row_as_headings=False,
            borders_layout=TableBordersLayout.ALL if layout.bordered else TableBordersLayout.NONE,
            line_height=self.line_height(size, 1.45),
            padding=(1.6, 2.0) if layout.bordered else (0.6, 0.8),
            text_align=(Align.L, Align.L),
            v_align="MIDDLE",
            wrapmode=WrapMode.CHAR,
            width=pdf.epw,
        ) as table:
            for label, value in rows:
                row = table.row()
                row.cell(str(label), style=label_style)
                row.cell(str(value), style=value_style)
        pdf.ln(size * _PT * 0.8)

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float] | None,
    ) -> None:
        pdf, layout = self.pdf, self.layout
        size = layout.table_pt
        self.font(layout.body_family, "", size)
        with pdf.table(
            col_widths=tuple(widths) if widths else None,
            first_row_as_headings=True,
            headings_style=self.face("sans", "B", size, fill_color=_LABEL_FILL),
            borders_layout=(
                TableBordersLayout.ALL if layout.bordered else TableBordersLayout.HORIZONTAL_LINES
            ),
            line_height=self.line_height(size, 1.4),
            padding=(1.4, 1.6) if layout.bordered else (0.8, 0.6),
            text_align="LEFT",
            v_align="MIDDLE",
            wrapmode=WrapMode.CHAR,
            width=pdf.epw,
        ) as table:
            for cells in (header, *rows):
                row = table.row()
                for cell in cells:
                    row.cell(str(cell))
        pdf.ln(size * _PT * 0.8)

    def big_number(self, text: str) -> None:
        pdf, size = self.pdf, self.layout.big_pt
        self.ensure_room(self.line_height(size, 1.2))
        self.font("sans", "B", size)
        pdf.cell(
            0,
            self.line_height(size, 1.15),
            text,
            align=Align.C,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.ln(1)

    def qr(self, url: str, size_mm: float, caption: str | None) -> None:
        pdf, layout = self.pdf, self.layout
        caption_h = self.line_height(layout.caption_pt, 1.4) if caption else 0
        self.ensure_room(size_mm + caption_h + 2)
        code = _make_qr(url)
        matrix = [list(row) for row in code.matrix_iter(scale=1, border=2)]
        module = size_mm / len(matrix)
        left = pdf.l_margin + (pdf.epw - size_mm) / 2
        top = pdf.get_y()
        pdf.set_fill_color(0)
        for r, row in enumerate(matrix):  # one rectangle per horizontal run of dark modules
            c = 0
            while c < len(row):
                if not row[c]:
                    c += 1
                    continue
                start = c
                while c < len(row) and row[c]:
                    c += 1
                pdf.rect(
                    left + start * module,
                    top + r * module,
                    (c - start) * module,
                    module + 0.01,
                    style="F",
                )
        pdf.set_y(top + size_mm)
        if caption:
            self.font("sans", "", layout.caption_pt)
            pdf.multi_cell(
                0,
                caption_h,
                self.wrap(caption),
                align=Align.C,
                wrapmode=WrapMode.CHAR,
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
        pdf.ln(2)

    def signature_line(self, label: str, date: bool) -> None:
        pdf, layout = self.pdf, self.layout
        size = layout.body_pt
        height = self.line_height(size, 1.6)
        self.ensure_room(height * 3)
        pdf.ln(height * 0.6)
        self.font("sans", "", size)
        narrow = layout.width < 150
        label_w = pdf.get_string_width(label) + 1
        line_w = (pdf.epw - label_w) if narrow else min(60.0, pdf.epw * 0.4)
        pdf.cell(label_w, height, label)
        x, y = pdf.get_x(), pdf.get_y() + height - 1.2
        pdf.set_draw_color(0)
        pdf.set_line_width(0.25)
        pdf.line(x, y, x + line_w, y)
        pdf.set_x(x + line_w + (0 if narrow else 8))
        if date:
            if narrow:
                pdf.ln(height * 1.3)
            pdf.cell(0, height, "日期：\u3000\u3000\u3000\u3000年\u3000\u3000月\u3000\u3000日")
        pdf.ln(height * 1.2)

    def rule(self) -> None:
        pdf = self.pdf
        y = pdf.get_y() + 1.5
        pdf.set_draw_color(_RULE_GREY)
        pdf.set_line_width(0.2)
        if self.layout.bordered:
            pdf.line(pdf.l_margin, y, pdf.l_margin + pdf.epw, y)
        else:  # cut-line look on paper rolls
            pdf.set_dash_pattern(dash=1.2, gap=0.8)
            pdf.line(pdf.l_margin, y, pdf.l_margin + pdf.epw, y)
            pdf.set_dash_pattern()
        pdf.set_draw_color(0)
        pdf.set_y(y + 2.5)

    def spacer(self, height_mm: float) -> None:
        self.pdf.ln(height_mm)


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


_Op = Callable[[_Renderer], None]


class Document:
    """A printable document: record content with the methods below, then call :meth:`output`.

    ``page="a4"`` gives a portrait A4 page (serif body, 黑体-style headings, bordered tables,
    page numbers in the footer); ``page="receipt80"`` gives an 80 mm paper-roll slip whose
    height fits the content. Content is recorded and laid out at :meth:`output` time (twice:
    a measuring pass, then the final one), so ``output()`` may be called repeatedly.
    """

    def __init__(self, *, title: str, page: PageKind = "a4") -> None:
        if page not in _LAYOUTS:
            raise ValueError(f"Unknown page kind {page!r}; expected one of {sorted(_LAYOUTS)}")
        self.title = title
        self.page: PageKind = page
        self._ops: list[_Op] = []

    # -- content ----------------------------------------------------------------------------

    def heading(self, text: str) -> None:
        """Centred bold title (e.g. 受理回执)."""
        self._ops.append(lambda r: r.heading(text))

    def section(self, text: str) -> None:
        """Left-aligned bold sub-title (e.g. 需补正材料)."""
        self._ops.append(lambda r: r.section(text))

    def paragraph(
        self,
        text: str,
        *,
        size: float | None = None,
        align: Literal["left", "center", "right", "justify"] = "justify",
        indent: bool = False,
    ) -> None:
        """Wrapped body text; ``size`` in points (default 11 on A4, 9 on receipts).

        ``indent=True`` starts every line of ``text`` with two full-width spaces (公文 style).
        """
        self._ops.append(lambda r: r.paragraph(text, size, align, indent))

    def field_rows(self, rows: Sequence[tuple[str, str]]) -> None:
        """Label/value pairs: a bordered form grid on A4, two aligned columns on receipts."""
        frozen = [(str(label), str(value)) for label, value in rows]
        if frozen:
            self._ops.append(lambda r: r.field_rows(frozen))

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float] | None = None,
    ) -> None:
        """Table with a shaded header row; long Chinese text wraps inside the cells.

        ``widths`` are relative weights (``(1, 3, 1)``), one per column; default: equal.
        """
        head = [str(cell) for cell in header]
        body = [[str(cell) for cell in row] for row in rows]
        if any(len(row) != len(head) for row in body):
            raise ValueError("Every table row needs exactly one cell per header column")
        if widths is not None and len(widths) != len(head):
            raise ValueError("widths needs exactly one weight per header column")
        weights = tuple(widths) if widths is not None else None
        self._ops.append(lambda r: r.table(head, body, weights))

    def big_number(self, text: str) -> None:
        """The queue ticket number, huge and centred."""
        self._ops.append(lambda r: r.big_number(text))

    def qr(self, url: str, *, size_mm: float = 30, caption: str | None = None) -> None:
        """Centred QR code (drawn as vectors: crisp on thermal printers), optional caption."""
        self._ops.append(lambda r: r.qr(url, size_mm, caption))

    def signature_line(self, label: str, *, date: bool = True) -> None:
        """``label`` followed by a line to sign on, then 日期：  年  月  日 unless ``date=False``."""
        self._ops.append(lambda r: r.signature_line(label, date))

    def rule(self) -> None:
        """Horizontal separator (dashed cut-line on receipts)."""
        self._ops.append(lambda r: r.rule())

    def spacer(self, height_mm: float = 4) -> None:
        """Vertical white space."""
        self._ops.append(lambda r: r.spacer(height_mm))

    # -- rendering ----------------------------------------------------------------------------

    def _render(self, kit: _FontKit, *, height: float, pages: int) -> _Renderer:
        renderer = _Renderer(kit, _LAYOUTS[self.page], title=self.title, height=height, pages=pages)
        for op in self._ops:
            op(renderer)
        return renderer

    def output(self) -> bytes:
        """Lay the document out and return the PDF bytes (fonts embedded as subsets)."""
        kit = _kit()
        layout = _LAYOUTS[self.page]
        if self.page == "receipt80":
            draft = self._render(kit, height=_RECEIPT_DRAFT_HEIGHT, pages=1)
            height = max(draft.pdf.get_y() + layout.margin_bottom, 40.0)
            final = self._render(kit, height=round(height, 1), pages=1)
        else:
            draft = self._render(kit, height=_A4_HEIGHT, pages=1)
            final = self._render(kit, height=_A4_HEIGHT, pages=draft.pdf.page_no())
        _close_fonts(draft.pdf)
        try:
            return bytes(final.pdf.output())
        finally:
            _close_fonts(final.pdf)


def _close_fonts(pdf: FPDF) -> None:
    for font in pdf.fonts.values():
        if isinstance(font, TTFFont):
            font.close()
