"""Shared helpers of the ratings services: permissions, settings, tokens, refusals."""

from __future__ import annotations

import secrets
from typing import Any

from django.utils.translation import gettext as _

from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.crypto import sm3_hex
from bianmin.core.errors import DomainError, NotFound, PermissionDenied
from bianmin.core.permissions import Perm, has_perm
from bianmin.ratings.errors import RatingError
from bianmin.ratings.models import RatingSettings
from bianmin.ratings.pipeline import Refused


def require(actor: StaffActor, perm: Perm, message: str) -> int:
    """The actor's own center, when the role holds `perm`; else PermissionDenied."""
    if not has_perm(actor, perm):
        raise PermissionDenied(message, code=RatingError.PERMISSION_DENIED)
    return home_center_id(actor)


def settings_for(center_id: int) -> RatingSettings:
    found, _created = RatingSettings.objects.get_or_create(center_id=center_id)
    return found


def new_secret(nbytes: int = 12) -> str:
    return secrets.token_urlsafe(nbytes)


def digest(secret: str) -> str:
    return sm3_hex(("ratings|" + str(secret)).encode())


def refused(exc: Refused, status: int = 400) -> DomainError:
    return DomainError(str(exc), code=exc.code, status=status)


def not_found(what: str = "") -> NotFound:
    return NotFound(what or _("没有找到该记录"), code=RatingError.NOT_FOUND)


def pk_of(value: Any) -> int | None:
    return getattr(value, "pk", None)


def new_request_key() -> str:
    """An idempotency key for a form (a double submit records one complaint)."""
    return secrets.token_hex(16)
