"""Helpers shared by the case screens."""

from __future__ import annotations

from typing import cast

from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import HttpRequest

from bianmin.core.actors import StaffActor
from bianmin.core.permissions import Perm, has_perm

MAX_UPLOAD_BYTES = 5 * 1024 * 1024

GROUPS = {"low_income": "特困群体（低保、五保等）", "student": "中小学生"}


def _staff(request: HttpRequest) -> StaffActor:
    """The signed-in staff member (every view here is behind login_required)."""
    return cast(StaffActor, request.user)


def _need(request: HttpRequest, *perms: Perm) -> None:
    if not any(has_perm(request.user, p) for p in perms):
        raise HttpForbidden


def _notify(request: HttpRequest) -> bool:
    """The pickup SMS goes with the arrival when the box is ticked (and the user may send)."""
    return request.POST.get("notify") == "on" and has_perm(request.user, Perm.SMS_SEND)
