"""Fonts for the PDF kernel: discovery, the cached core subsets, per-process prototypes
(see the package docstring)."""

from __future__ import annotations

import copy
import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from fontTools import subset as ft_subset
from fontTools.ttLib import TTCollection, TTFont
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

logger = logging.getLogger("bianmin.core.pdf")

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
    """Read an optional Django setting; fall back to ``default`` outside a configured Django
    (the PDF module is also used by command-line benchmarks)."""
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
        Path(__file__).resolve().parents[3] / "var" / "fonts",
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
