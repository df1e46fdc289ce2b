"""What the family desk announces to the contexts above it (see `bianmin.core.events`)."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class DeskRequestClosed:
    """A desk request (咨询/帮办/代办) is concluded with its final reply."""

    center_id: int
    request_id: int
    number: str
    officer_id: int | None
    at: datetime
