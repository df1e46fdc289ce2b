"""Events the appointments context publishes (`bianmin.core.events.publish`); the contexts
above it (ratings) subscribe in their `AppConfig.ready()`. Handlers run inside our transaction."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class HomeVisitDone:
    """The team finished a home visit: the case was accepted at the applicant's home."""

    center_id: int
    visit_id: int
    number: str
    case_id: int | None
    officer_ids: tuple[int, ...]
    done_at: datetime


@dataclass(frozen=True)
class HomeVisitDelivered:
    """The team delivered the certificate to the home (the case is picked up)."""

    center_id: int
    visit_id: int
    number: str
    case_id: int | None
    officer_ids: tuple[int, ...]
    delivered_at: datetime
