"""What the hall announces to the contexts above it (see `bianmin.core.events`)."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class TicketFinished:
    """办结 at a window: the visit is over (ratings offer the five faces for it)."""

    center_id: int
    ticket_id: str
    number: str
    officer_id: int | None
    window_code: str
    item_codes: tuple[str, ...]
    finished_at: datetime
    has_phone: bool  # the citizen left a phone (read it with `ticket_phone` only then)
