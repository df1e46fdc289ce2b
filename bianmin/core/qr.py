"""QR codes for pages (SVG) and printouts (PNG), through segno."""

import io

import segno


def qr_svg(data: str, *, scale: int = 4) -> str:
    """Inline SVG markup for an HTML page."""
    buffer = io.BytesIO()
    segno.make(data, error="m").save(
        buffer, kind="svg", scale=scale, xmldecl=False, svgns=True, border=2
    )
    return buffer.getvalue().decode()


def qr_png(data: str, *, scale: int = 6) -> bytes:
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()
