"""What every standards service shares: permission checks, the center's settings, errors."""

from typing import Any

from django.utils.translation import gettext as _

from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.errors import DomainError, NotFound, PermissionDenied
from bianmin.core.permissions import Perm, has_perm
from bianmin.standards.errors import StandardsError
from bianmin.standards.models import TrainingSettings


class StandardsInvalid(DomainError):
    code = StandardsError.INVALID


def require(actor: StaffActor, perm: Perm) -> int:
    """The actor's center, when their role holds `perm`; otherwise refused."""
    if not has_perm(actor, perm):
        raise PermissionDenied(_("您没有此项操作的权限。"), code=StandardsError.PERMISSION_DENIED)
    return home_center_id(actor)


def not_found(what: str) -> NotFound:
    # The same answer for "no such record" and "another center's": nobody learns what exists.
    return NotFound(_("没有找到该%s。") % what, code=StandardsError.NOT_FOUND)


def training_settings(center_id: int) -> TrainingSettings:
    found, _created = TrainingSettings.objects.get_or_create(center_id=center_id)
    return found


def same_center(actor: StaffActor, row: Any, what: str) -> None:
    if row is None or row.center_id != actor.center_id:
        raise not_found(what)
