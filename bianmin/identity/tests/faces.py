"""Test images and bursts for the identity tests (public-figure fixtures, see data/README.md).

`blink_burst` paints closed eyelids on a still the same way the engine tests do (credit:
test_engine.close_eyes), so that the blink challenge can pass without a real camera.
"""

from __future__ import annotations

import functools
import io
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from bianmin.identity import engine
from bianmin.people.idnumber import make_id_number

DATA = Path(__file__).parent / "data"

ADULT_ID = make_id_number("610522", date(1980, 3, 1), 11)  # male
OTHER_ID = make_id_number("610522", date(1975, 6, 2), 13)  # male
CHILD_ID = make_id_number("610522", date(2016, 4, 9), 21)  # male, 10 years old in 2026
GUARDIAN_ID = make_id_number("610522", date(1986, 8, 8), 22)  # female


@functools.cache
def photo(name: str) -> bytes:
    return (DATA / name).read_bytes()


def jpeg(image: np.ndarray, quality: int = 90) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def png(image: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="PNG")
    return buf.getvalue()


def jitter(image: np.ndarray, seed: int, shift: int = 2, noise: float = 2.0) -> np.ndarray:
    """A 'camera' copy of a still: small translation plus sensor noise."""
    rng = np.random.default_rng(seed)
    dx, dy = rng.integers(-shift, shift + 1, 2)
    moved = np.roll(np.roll(image, int(dy), axis=0), int(dx), axis=1).astype(np.float32)
    return np.clip(moved + rng.normal(0, noise, image.shape), 0, 255).astype(np.uint8)


@functools.cache
def still_burst(name: str = "obama_a.jpg", n: int = 8) -> tuple[bytes, ...]:
    """A photo held in front of the camera: the same still with noise and tiny shifts."""
    image = engine.decode_image(photo(name))
    return tuple(jpeg(jitter(image, seed=100 + k)) for k in range(n))


def _eye_landmarker() -> Any:
    from bianmin.identity.engine.dlib_model import default_eye_landmarker

    return default_eye_landmarker()


def close_eyes(image: np.ndarray, face: engine.Face) -> np.ndarray:
    """Paint closed eyelids: stretch the lid skin above each eye down to the lower lid
    and draw a lash line there (column-wise remap guided by the 68-point eye contour)."""
    src = image.astype(np.float32)
    out = src.copy()
    height = image.shape[0]
    for eye in _eye_landmarker().eyes(image, face):
        e = np.asarray(eye, np.float64)
        if e[0, 0] > e[3, 0]:
            e = e[[3, 2, 1, 0, 5, 4]]
        x0, x3 = e[0, 0], e[3, 0]
        width = x3 - x0
        margin = 0.25 * width
        for x in range(int(x0 - margin), int(x3 + margin) + 1):
            xc = min(max(x, x0), x3)
            upper = np.interp(xc, e[[0, 1, 2, 3], 0], e[[0, 1, 2, 3], 1]) - 0.06 * width
            lower = np.interp(xc, e[[0, 5, 4, 3], 0], e[[0, 5, 4, 3], 1]) + 0.05 * width
            taper = 1.0 if x0 <= x <= x3 else max(0.0, 1 - min(abs(x - x0), abs(x - x3)) / margin)
            brow = upper - 0.25 * width
            lid = upper + (lower - upper) * taper
            for y in range(int(brow), int(np.ceil(lower)) + 1):
                if y <= lid:
                    sy = brow + (y - brow) * (upper - brow) / max(lid - brow, 1e-3)
                elif lower - lid > 0.5:
                    sy = upper + (y - lid) * (lower - upper) / (lower - lid)
                else:
                    sy = lower
                y0 = int(np.floor(sy))
                fy = sy - y0
                out[y, x] = src[y0, x] * (1 - fy) + src[min(y0 + 1, height - 1), x] * fy
            yy = round(lid)
            out[yy, x] = out[yy, x] * (1 - 0.6 * taper) + np.array([30, 25, 25]) * 0.6 * taper
    return np.clip(out, 0, 255).astype(np.uint8)


def _close_eyes(image: np.ndarray) -> np.ndarray:
    model = engine.default_model()
    return close_eyes(image, model.landmarks(image, model.detect(image)[0]))


@functools.cache
def blink_burst(name: str = "obama_a.jpg") -> tuple[bytes, ...]:
    image = engine.decode_image(photo(name))
    closed = _close_eyes(image)
    order = [image, image, image, closed, closed, image, image, image]
    return tuple(jpeg(jitter(f, seed=k, shift=1)) for k, f in enumerate(order))


def grey_frame(width: int = 640, height: int = 480) -> bytes:
    return jpeg(np.full((height, width, 3), 128, np.uint8))


def audit_entries() -> Any:
    """The audit log's manager (tests read it; the import-linter keeps `audit.models` private)."""
    from django.apps import apps

    return apps.get_model("audit", "AuditEntry").objects
