"""Builders of the appointments tests: a visit request, a team, a face photo on white."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from bianmin.appointments import services
from bianmin.people.idnumber import make_id_number

FACE = Path(__file__).resolve().parents[2] / "identity" / "tests" / "data" / "obama_b.jpg"
SIGNATURE = "data:image/png;base64," + "iVBORw0KGgo" * 20


def white_photo() -> bytes:
    """A real face (the identity tests' fixture) with its borders painted white (白底)."""
    image = Image.open(FACE).convert("RGB")
    w, h = image.size
    band = max(2, min(w, h) // 20) + 2
    draw = ImageDraw.Draw(image)
    for box in ((0, 0, w, band), (0, 0, band, h), (w - band, 0, w, h)):
        draw.rectangle(box, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=92)
    return buffer.getvalue()


def visit_input(n: int = 1, **overrides: Any) -> services.VisitInput:
    values: dict[str, Any] = {
        "name": "张桂兰",
        "id_number": make_id_number("610522", date(1938, 3, 1 + n % 27), 20 + n),
        "phone": "13700000000",
        "town": "城关街道",
        "community": "东街社区",
        "address": f"东风街{n}号",
        "reason": "bedridden",
        "item_codes": ["HZ02"],
        "requester_kind": "family",
        "contact_name": "张明",
        "contact_phone": "13912345678",
        "health_note": "脑梗后长期卧床",
        "preferred_weekdays": [1, 3],
    }
    values.update(overrides)
    return services.VisitInput(**values)
