"""Handwritten signatures from the signature pad (static/devices/signature.js): a PNG data URL
from the page, checked here before it is stored (encrypted) and drawn into a PDF."""

from __future__ import annotations

import base64
import binascii
import io

from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from bianmin.core.codes import CoreError
from bianmin.core.errors import DomainError

MAX_BYTES = 300_000
MAX_SIDE = 2000
PREFIX = "data:image/png;base64,"


def signature_png(data_url: str, *, required: bool = False) -> bytes | None:
    """The PNG of a signature pad's data URL; None when empty (DomainError when required),
    DomainError for anything that is not a small PNG with some ink on it."""
    text = (data_url or "").strip()
    if not text:
        if required:
            raise DomainError(_("请申请人在签名板上签名"), code=CoreError.SIGNATURE_MISSING)
        return None
    if not text.startswith(PREFIX) or len(text) > MAX_BYTES * 4 // 3 + len(PREFIX) + 4:
        raise DomainError(_("签名格式不正确，请重新签名"), code=CoreError.SIGNATURE_INVALID)
    try:
        png = base64.b64decode(text[len(PREFIX) :], validate=True)
        with Image.open(io.BytesIO(png)) as image:
            if image.format != "PNG" or max(image.size) > MAX_SIDE:
                raise DomainError(_("签名格式不正确，请重新签名"), code=CoreError.SIGNATURE_INVALID)
            flat = Image.new("RGBA", image.size, "white")
            flat.alpha_composite(image.convert("RGBA"))  # a pad's canvas is transparent
            darkest = flat.convert("L").getextrema()[0]
            inked = isinstance(darkest, int | float) and darkest < 200
    except (binascii.Error, UnidentifiedImageError, OSError, ValueError) as exc:
        raise DomainError(
            _("签名格式不正确，请重新签名"), code=CoreError.SIGNATURE_INVALID
        ) from exc
    if not inked:
        raise DomainError(_("签名为空，请申请人签名"), code=CoreError.SIGNATURE_MISSING)
    return png
