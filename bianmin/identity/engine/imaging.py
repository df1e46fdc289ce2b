"""Safe image decoding for uploaded photos and camera frames.

Size limits are checked on the raw bytes and on the header dimensions *before* the
pixels are decoded, so a decompression bomb or a huge photo costs almost nothing.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from .errors import ImageError

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 12_000_000
MIN_SIDE = 64
ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "BMP"})


def decode_image(
    data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS
) -> np.ndarray:
    """Decode ``data`` into an HxWx3 uint8 RGB array (EXIF rotation applied).

    Raises :class:`ImageError` with codes ``empty_image``, ``file_too_large``,
    ``not_an_image``, ``unsupported_format``, ``image_too_large``, ``image_too_small``,
    ``truncated_image`` or ``corrupt_image``.
    """
    if not data:
        raise ImageError("empty_image")
    if len(data) > max_bytes:
        raise ImageError("file_too_large", f"{len(data)} bytes > {max_bytes}")
    with warnings.catch_warnings():
        # Pillow's own bomb guard warns between MAX_IMAGE_PIXELS and 2x; make it an error.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data))  # reads the header only
        except UnidentifiedImageError as exc:
            raise ImageError("not_an_image") from exc
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageError("image_too_large", str(exc)) from exc
        except (OSError, SyntaxError, ValueError) as exc:
            raise ImageError("corrupt_image", str(exc)) from exc
        if img.format not in ALLOWED_FORMATS:
            raise ImageError("unsupported_format", str(img.format))
        width, height = img.size
        if width * height > max_pixels:
            raise ImageError("image_too_large", f"{width}x{height} > {max_pixels} px")
        if min(width, height) < MIN_SIDE:
            raise ImageError("image_too_small", f"{width}x{height}")
        if img.format == "JPEG" and not _jpeg_has_end_marker(data):
            raise ImageError("truncated_image", "no JPEG EOI marker")
        try:
            if ImageFile.LOAD_TRUNCATED_IMAGES:  # someone relaxed the global; do not trust it
                raise ImageError("corrupt_image", "ImageFile.LOAD_TRUNCATED_IMAGES is set")
            img.load()
            oriented = ImageOps.exif_transpose(img) or img
            rgb = oriented.convert("RGB")
        except ImageError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageError("image_too_large", str(exc)) from exc
        except OSError as exc:
            code = "truncated_image" if "truncated" in str(exc).lower() else "corrupt_image"
            raise ImageError(code, str(exc)) from exc
        except (SyntaxError, ValueError, EOFError) as exc:
            raise ImageError("corrupt_image", str(exc)) from exc
    return np.ascontiguousarray(np.asarray(rgb, dtype=np.uint8))


def _jpeg_has_end_marker(data: bytes) -> bool:
    # Writers may append a few padding bytes after EOI; look at the tail only.
    return b"\xff\xd9" in data[-64:]


def as_rgb_array(image: np.ndarray | bytes) -> np.ndarray:
    """Accept encoded bytes or an RGB/gray array; return a contiguous HxWx3 uint8 array."""
    if isinstance(image, bytes | bytearray | memoryview):
        return decode_image(bytes(image))
    arr = np.asarray(image)
    if arr.ndim == 2:
        arr = np.stack([arr] * 3, axis=-1)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4):
        raise ImageError("not_an_image", f"array shape {arr.shape}")
    arr = arr[:, :, :3]
    if arr.dtype != np.uint8:
        arr = np.clip(arr, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(arr)


def to_gray(image: np.ndarray) -> np.ndarray:
    """ITU-R BT.601 luma as float32."""
    img = image.astype(np.float32)
    return img[:, :, 0] * 0.299 + img[:, :, 1] * 0.587 + img[:, :, 2] * 0.114


def resize_to_max_side(image: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    """Downscale so the long side is at most ``max_side``; return (image, scale<=1)."""
    h, w = image.shape[:2]
    long_side = max(h, w)
    if long_side <= max_side:
        return image, 1.0
    scale = max_side / long_side
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = Image.fromarray(image).resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    return np.asarray(small), scale
