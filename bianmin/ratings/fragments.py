"""What ratings adds to other contexts' pages: the shift leader's board panel, and the rating
invitation on the hall's live position page after 办结 (through `core.navigation`'s slots)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string


def alerts_panel(user: object) -> dict[str, Any]:
    """Open and overdue rectifications, callbacks due, appeals and complaints waiting."""
    from bianmin.ratings.selectors import rectification_alerts

    center_id = getattr(user, "center_id", None)
    if center_id is None:
        return {"rating_alerts": None}
    return {"rating_alerts": rectification_alerts(center_id=center_id)}


def position_fragment(request: Any, *, ticket: Any) -> str:
    """A button to rate the visit (the token is issued only when the citizen opens it)."""
    from bianmin.ratings.selectors import ticket_rating_state

    state = ticket_rating_state(ticket_id=str(ticket.pk))
    if state is None:
        return ""
    return render_to_string(
        "ratings/_position_fragment.html", {"ticket": ticket, "rated": state}, request=request
    )


def register_position_fragment() -> None:
    from bianmin.core.navigation import Fragment, register_fragment

    register_fragment(Fragment("hall.position.finished", "rating", position_fragment, order=10))
