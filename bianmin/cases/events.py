"""What the cases context announces to the contexts above it (see `bianmin.core.events`)."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class CaseAccepted:
    """受理: the case is accepted at the window."""

    center_id: int
    case_id: int
    case_number: str
    officer_id: int | None
    item_code: str
    at: datetime
    applicant_id: int | None = None


@dataclass(frozen=True)
class CasePickedUp:
    """领证: the certificate is handed over."""

    center_id: int
    case_id: int
    case_number: str
    officer_id: int | None
    item_code: str
    at: datetime
    applicant_id: int | None = None
