"""The demo residents' cards the simulated reader serves, each with its 102×126 chip photo."""

from __future__ import annotations

import base64
import io
import zlib
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from PIL import Image, ImageDraw

from bianmin.people.idnumber import make_id_number

CHIP_PHOTO_SIZE = (102, 126)


def chip_photo(seed: str) -> str:
    """A small head-and-shoulders JPEG (the chip's photo size), base64; the same per seed."""
    tone = zlib.crc32(seed.encode()) % 60
    img = Image.new("RGB", CHIP_PHOTO_SIZE, (236, 240, 246))
    draw = ImageDraw.Draw(img)
    skin = (225 - tone // 2, 190 - tone // 3, 160 - tone // 3)
    draw.ellipse((31, 20, 71, 68), fill=skin)
    draw.rectangle((44, 64, 58, 80), fill=skin)
    draw.pieslice((12, 74, 90, 160), 180, 360, fill=(40 + tone, 50, 80))
    draw.arc((31, 14, 71, 54), 180, 360, fill=(30, 30, 30), width=9)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return base64.b64encode(buf.getvalue()).decode()


@dataclass
class Card:
    name: str
    gender: str  # "male" | "female"
    nation: str
    birth_date: date
    address: str
    id_number: str
    authority: str
    valid_from: date
    valid_to: date | None  # None: 长期
    photo: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if not self.photo:
            self.photo = chip_photo(self.id_number)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("birth_date", "valid_from", "valid_to"):
            data[key] = data[key].isoformat() if data[key] else ""
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Card:
        def day(value: str) -> date | None:
            return date.fromisoformat(value) if value else None

        return cls(
            name=data["name"],
            gender=data["gender"],
            nation=data.get("nation", "汉"),
            birth_date=date.fromisoformat(data["birth_date"]),
            address=data.get("address", ""),
            id_number=data["id_number"],
            authority=data.get("authority", ""),
            valid_from=day(data.get("valid_from", "")) or date(2020, 1, 1),
            valid_to=day(data.get("valid_to", "")),
            photo=data.get("photo", ""),
        )


def _card(name: str, gender: str, region: str, born: date, seq: int, **kw: Any) -> Card:
    return Card(
        name=name,
        gender=gender,
        nation=kw.get("nation", "汉"),
        birth_date=born,
        address=kw.get("address", "陕西省渭南市潼关县城关街道北街12号"),
        id_number=make_id_number(region, born, seq),
        authority=kw.get("authority", "潼关县公安局"),
        valid_from=kw.get("valid_from", date(2019, 6, 3)),
        valid_to=kw.get("valid_to", date(2039, 6, 3)),
    )


# The same residents as tests/support/case_builders (王建国) and the demo's fixed residents.
DEMO_CARDS: list[Card] = [
    _card("王建国", "male", "610522", date(1990, 5, 1), 123),
    _card("李秀英", "female", "610522", date(1958, 3, 14), 246, valid_to=None),
    _card("马晓燕", "female", "610502", date(2001, 11, 23), 88, nation="回"),
]
