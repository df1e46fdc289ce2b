"""Layout and drawing for the PDF kernel: the renderer behind `Document`."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

import segno
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
from fpdf.outline import OutlineSection

from bianmin.core.pdf.fonts import _PT, _RARE_FAMILIES, _attach_font, _FontKit

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

    def block(self, text: str, height: float, align: Align) -> None:
        """Full-width wrapped text (禁则 kept), then the cursor at the left margin below it."""
        self.pdf.multi_cell(
            0,
            height,
            self.wrap(text),
            align=align,
            wrapmode=WrapMode.CHAR,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )

    # -- operations ---------------------------------------------------------------------------

    def heading(self, text: str) -> None:
        pdf, size = self.pdf, self.layout.heading_pt
        self.font("sans", "B", size)
        self.block(text, self.line_height(size, 1.4), Align.C)
        pdf.ln(size * _PT * 0.5)

    def section(self, text: str, toc_level: int | None = None) -> None:
        pdf, size = self.pdf, self.layout.section_pt
        self.ensure_room(self.line_height(size) * 3)
        pdf.ln(size * _PT * 0.4)
        if toc_level is not None:  # outline entry (PDF bookmark + contents line) on this page
            pdf.start_section(text, level=toc_level)
        self.font("sans", "B", size)
        self.block(text, self.line_height(size, 1.4), Align.L)
        pdf.ln(size * _PT * 0.3)

    def contents(self, title: str, pages: int) -> None:
        """Reserve ``pages`` pages here; the contents are drawn once every section is known."""
        if not self.layout.paged:
            raise ValueError("A table of contents needs a paged layout (page='a4')")
        self.pdf.insert_toc_placeholder(
            lambda pdf, outline: self.draw_contents(title, outline), pages=pages
        )

    def draw_contents(self, title: str, outline: Sequence[OutlineSection]) -> None:
        """One line per section: indented by level, dotted leader, page number on the right."""
        pdf, layout = self.pdf, self.layout
        pdf.set_x(pdf.l_margin)  # fpdf2 calls this at output time with the cursor anywhere
        self.font("sans", "B", layout.section_pt)
        pdf.cell(pdf.epw, self.line_height(layout.section_pt, 1.4), title, align=Align.C)
        pdf.ln(self.line_height(layout.section_pt, 1.4))
        pdf.ln(layout.section_pt * _PT * 0.3)
        size = layout.body_pt
        height = self.line_height(size, 1.7)
        for entry in outline:
            indent = entry.level * 2 * size * _PT  # two characters per level
            self.font("sans", "B" if entry.level == 0 else "", size)
            number = str(entry.page_number)
            number_w = pdf.get_string_width(number) + 0.5
            room = pdf.epw - indent - number_w - pdf.get_string_width(" ...")
            name = entry.name
            if pdf.get_string_width(name) > room:  # one line per entry keeps the page count
                while name and pdf.get_string_width(name + "…") > room:
                    name = name[:-1]
                name += "…"
            if pdf.will_page_break(height):
                pdf.add_page()
            link = pdf.add_link(page=entry.page_number)
            pdf.set_x(pdf.l_margin + indent)
            name_w = pdf.get_string_width(name) + 0.5
            pdf.cell(name_w, height, name, link=link)
            self.font("sans", "", size)
            leader_w = pdf.epw - indent - name_w - number_w
            dots = "." * max(int((leader_w - 2) / pdf.get_string_width(".")), 0)
            pdf.set_text_color(_RULE_GREY)
            pdf.cell(leader_w, height, dots, align=Align.R, link=link)
            pdf.set_text_color(0)
            pdf.cell(number_w, height, number, align=Align.R, link=link)
            pdf.ln(height)

    def measure_contents(self, title: str) -> int:
        """Draw the contents after the end (measuring pass only): how many pages they take."""
        pdf = self.pdf
        placeholder = pdf.toc_placeholder
        if placeholder is None:
            return 0
        pdf.add_page()
        first = pdf.page_no()
        pdf.set_y(placeholder.y)
        self.draw_contents(title, pdf._outline)
        return pdf.page_no() - first + 1

    def paragraph(self, text: str, size: float | None, align: str, indent: bool) -> None:
        pdf = self.pdf
        size = size or self.layout.body_pt
        self.font(self.layout.body_family, "", size)
        if indent:  # Chinese convention: two full-width spaces before each paragraph
            text = "\n".join("\u3000\u3000" + line.lstrip() for line in text.split("\n"))
        self.block(text, self.line_height(size, 1.6), _ALIGN[align])
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

    def bar_chart(
        self,
        labels: Sequence[str],
        series: Sequence[tuple[str, Sequence[float]]],
        height_mm: float,
        caption: str | None,
    ) -> None:
        """Grouped vertical bars drawn as vectors, one shade per series, with a legend."""
        pdf, layout = self.pdf, self.layout
        size = layout.caption_pt
        label_h = self.line_height(size, 1.3)
        self.ensure_room(height_mm + label_h * 3 + 4)
        left, top, width = pdf.l_margin + 8, pdf.get_y() + label_h, pdf.epw - 8
        peak = max([v for _n, values in series for v in values] + [0.0]) or 1.0
        shades = [(60, 90, 150), (170, 180, 195), (90, 150, 110), (200, 140, 60)]
        slot = width / max(len(labels), 1)
        bar = slot * 0.7 / max(len(series), 1)
        self.font("sans", "", size)
        pdf.set_draw_color(_RULE_GREY)
        pdf.set_line_width(0.2)
        pdf.line(left, top + height_mm, left + width, top + height_mm)
        for i, label in enumerate(labels):
            x0 = left + i * slot + slot * 0.15
            for k, (_name, values) in enumerate(series):
                value = float(values[i]) if i < len(values) else 0.0
                h = height_mm * value / peak
                pdf.set_fill_color(*shades[k % len(shades)])
                if h > 0:
                    pdf.rect(x0 + k * bar, top + height_mm - h, bar, h, style="F")
                if k == 0:
                    text = f"{value:g}"
                    pdf.set_xy(x0 + k * bar - 2, top + height_mm - h - label_h)
                    pdf.cell(bar + 4, label_h, text, align=Align.C)
            pdf.set_xy(left + i * slot, top + height_mm + 0.5)
            pdf.cell(slot, label_h, str(label), align=Align.C)
        y = top + height_mm + label_h + 1.5
        x = left
        for k, (name, _values) in enumerate(series):
            pdf.set_fill_color(*shades[k % len(shades)])
            pdf.rect(x, y + label_h / 2 - 1.5, 3, 3, style="F")
            pdf.set_xy(x + 4, y)
            pdf.cell(pdf.get_string_width(name) + 6, label_h, name)
            x = pdf.get_x()
        pdf.set_fill_color(0)
        pdf.set_draw_color(0)
        pdf.set_xy(pdf.l_margin, y + label_h)
        if caption:
            self.block(caption, label_h, Align.C)
        pdf.ln(2)

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
            self.block(caption, caption_h, Align.C)
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

    def signature_image(self, label: str, png: bytes, height_mm: float) -> None:
        pdf, layout = self.pdf, self.layout
        size = layout.body_pt
        height = self.line_height(size, 1.6)
        self.ensure_room(height_mm + height)
        pdf.ln(height * 0.4)
        self.font("sans", "", size)
        label_w = pdf.get_string_width(label) + 1
        top = pdf.get_y()
        pdf.set_xy(pdf.l_margin, top + height_mm - height)
        pdf.cell(label_w, height, label)
        pdf.image(io.BytesIO(png), x=pdf.l_margin + label_w, y=top, h=height_mm)
        pdf.set_y(top + height_mm)
        pdf.ln(height * 0.4)

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
