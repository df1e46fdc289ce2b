"""Helpers every fees screen shares."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import HttpRequest

from bianmin.core.actors import StaffActor
from bianmin.core.permissions import Perm, has_perm
from bianmin.fees.enums import Group
from bianmin.hall.selectors import session_current


def need(request: HttpRequest, *perms: Perm) -> None:
    if not any(has_perm(request.user, perm) for perm in perms):
        raise HttpForbidden


def actor_of(request: HttpRequest) -> StaffActor:
    """The signed-in staff member (every fees screen requires a login)."""
    return cast(StaffActor, request.user)


def center_of(request: HttpRequest) -> int:
    """The user's center; staff without one (administrators) see no fees data."""
    return int(getattr(request.user, "center_id", None) or 0)


def day_param(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


def current_window(user: StaffActor) -> str:
    """The window the officer is signed in at ('' when not signed in at one)."""
    session = session_current(officer_id=user.pk)
    return session.window.code if session is not None else ""


def evidence_rows(data: Any) -> list[dict[str, Any]]:
    chosen = set(data.getlist("groups")) if hasattr(data, "getlist") else set(data or ())
    return [
        {
            "value": g.value,
            "label": g.label,
            "checked": g.value in chosen,
            "evidence": (data.get(f"evidence_{g.value}", "") if hasattr(data, "get") else ""),
        }
        for g in Group
    ]
