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

from collections.abc import Callable, Sequence
from typing import Literal

from fpdf import FPDF
from fpdf.fonts import TTFFont

from bianmin.core.pdf.fonts import PdfFontError, _FontKit, _kit, find_font_files, warm_up
from bianmin.core.pdf.render import _A4_HEIGHT, _LAYOUTS, _RECEIPT_DRAFT_HEIGHT, _Renderer
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


PageKind = Literal["a4", "receipt80"]

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
        self._contents_title: str | None = None
        self._contents_pages = 1  # reserved for the table of contents; measured by output()

    # -- content ----------------------------------------------------------------------------

    def heading(self, text: str) -> None:
        """Centred bold title (e.g. 受理回执)."""
        self._ops.append(lambda r: r.heading(text))

    def section(self, text: str, *, toc_level: int | None = None) -> None:
        """Left-aligned bold sub-title (e.g. 需补正材料).

        With ``toc_level`` (0 = chapter, 1 = item under it, ...) the section is listed, with
        the page it starts on, in the :meth:`contents` and in the PDF's bookmarks.
        """
        self._ops.append(lambda r: r.section(text, toc_level))

    def contents(self, title: str = "目录") -> None:
        """Table of contents here (A4 only): each ``section(..., toc_level=…)`` on one line,
        indented by level, with a dotted leader and its page number. It is drawn when the
        document is complete; the pages it needs are measured, so content after it moves on.
        """
        if self.page != "a4":
            raise ValueError("A table of contents needs page='a4'")
        if self._contents_title is not None:
            raise ValueError("A document has at most one table of contents")
        self._contents_title = title
        self._ops.append(lambda r: r.contents(title, self._contents_pages))

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

    def bar_chart(
        self,
        labels: Sequence[str],
        series: Sequence[tuple[str, Sequence[float]]],
        *,
        height_mm: float = 40,
        caption: str | None = None,
    ) -> None:
        """Grouped bar chart (A4 reports), drawn as vectors with the embedded fonts: one
        ``(name, values)`` per series, one value per label."""
        frozen_labels = [str(label) for label in labels]
        frozen = [(str(name), [float(v) for v in values]) for name, values in series]
        self._ops.append(lambda r: r.bar_chart(frozen_labels, frozen, height_mm, caption))

    def qr(self, url: str, *, size_mm: float = 30, caption: str | None = None) -> None:
        """Centred QR code (drawn as vectors: crisp on thermal printers), optional caption."""
        self._ops.append(lambda r: r.qr(url, size_mm, caption))

    def signature_line(self, label: str, *, date: bool = True) -> None:
        """``label`` followed by a line to sign on, then 日期：  年  月  日 unless ``date=False``."""
        self._ops.append(lambda r: r.signature_line(label, date))

    def signature_image(self, label: str, png: bytes, *, height_mm: float = 16) -> None:
        """``label`` followed by the handwritten signature (a PNG from the signature pad)."""
        self._ops.append(lambda r: r.signature_image(label, png, height_mm))

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
            self._contents_pages = 1
            draft = self._render(kit, height=_A4_HEIGHT, pages=1)
            pages = draft.pdf.page_no()
            if self._contents_title is not None:
                self._contents_pages = draft.measure_contents(self._contents_title)
                pages += self._contents_pages - 1
            final = self._render(kit, height=_A4_HEIGHT, pages=pages)
        _close_fonts(draft.pdf)
        try:
            return bytes(final.pdf.output())
        finally:
            _close_fonts(final.pdf)


def _close_fonts(pdf: FPDF) -> None:
    for font in pdf.fonts.values():
        if isinstance(font, TTFFont):
            font.close()
