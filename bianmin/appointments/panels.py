"""The director's console panel: today's bookings and the seed's number of home visits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bianmin.appointments import selectors
from bianmin.core import clock


def director_panel(user: Any) -> dict[str, Any]:
    center_id = getattr(user, "center_id", None)
    if center_id is None:
        return {}
    today = clock.today()
    return {
        "today": selectors.period_figures(center_id=center_id, start=today, end=today),
        "quarter": selectors.period_figures(
            center_id=center_id, start=today - timedelta(days=89), end=today
        ),
        "visits_total": selectors.visits_total(center_id=center_id),
    }
