"""What every desk service shares: who is asking, the party rules, the center's settings."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.errors import DomainError, NotFound, PermissionDenied
from bianmin.core.permissions import Perm, has_perm
from bianmin.family_desk.errors import DeskError
from bianmin.family_desk.models import DeskRequest, DeskSettings, FamilyMember
from bianmin.family_desk.pipeline import Party


class DeskInvalid(DomainError):
    code = DeskError.INVALID


@dataclass(frozen=True)
class Asker:
    """Who is using the desk: an officer (staff account) or a signed-in family member."""

    center_id: int
    staff: StaffActor | None = None
    family: FamilyMember | None = None

    @classmethod
    def of_staff(cls, staff: StaffActor) -> "Asker":
        return cls(center_id=home_center_id(staff), staff=staff)

    @classmethod
    def of_family(cls, member: FamilyMember) -> "Asker":
        return cls(center_id=member.center_id, family=member)

    @property
    def audit_actor(self) -> Any:
        return self.staff

    @property
    def center_code(self) -> str:
        holder: Any = self.family if self.family is not None else self.staff
        return str(holder.center.code)

    @property
    def label(self) -> str:
        if self.family is not None:
            return f"family:{self.family.pk}"
        return f"staff:{getattr(self.staff, 'pk', '')}"


def require_perm(actor: StaffActor, perm: Perm, message: str) -> None:
    if not has_perm(actor, perm) or actor.center_id is None:
        raise PermissionDenied(message, code=DeskError.PERMISSION_DENIED)


def parties_of(request: DeskRequest, asker: Asker) -> frozenset[Party]:
    """Which sides of the request the asker is on; empty means the request is not theirs."""
    if asker.center_id != request.center_id:
        return frozenset()
    out: set[Party] = set()
    if asker.family is not None:
        if request.requester_family_id == asker.family.pk:
            out.add(Party.REQUESTER)
        return frozenset(out)
    staff = asker.staff
    if staff is None:
        return frozenset()
    if request.requester_staff_id == staff.pk:
        out.add(Party.REQUESTER)
    if request.handler_id is not None and request.handler_id == staff.pk:
        out.add(Party.HANDLER)
    if has_perm(staff, Perm.DESK_HANDLE):
        out.add(Party.DESK)
    return frozenset(out)


def not_found() -> NotFound:
    # The same answer for "no such request" and "not yours": nobody learns what exists.
    return NotFound(_("没有找到该诉求。"), code=DeskError.NOT_FOUND)


def desk_settings(center_id: int) -> DeskSettings:
    settings, _created = DeskSettings.objects.get_or_create(center_id=center_id)
    return settings
