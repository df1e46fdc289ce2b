"""The staff actor every service takes: what a context may ask of the signed-in officer.

Services receive the officer as ``actor: StaffActor``. The accounts context's ``Staff`` model
satisfies this protocol; no other context imports that model to name the type.
"""

from typing import Any, Protocol, cast

from bianmin.core.errors import PermissionDenied


class StaffActor(Protocol):
    pk: Any
    username: str
    role: str
    is_all_round: bool  # 全科: may serve every item

    @property
    def center_id(self) -> int | None: ...  # None: a province-scope account

    @property
    def center(self) -> Any: ...

    def has_perm(self, perm: str, obj: Any = None) -> bool: ...


def actor_of(request: Any) -> StaffActor:
    """The signed-in staff member of a view behind `login_required`, as a service's actor."""
    return cast(StaffActor, request.user)


def is_province_scope(actor: object) -> bool:
    """A province-scope account (ADR 0006, 0007): active, signed in, and bound to no center, or an
    administrator that accounts flags ``province_wide``. What such an account may do is still its
    role's permissions: each context pairs this with ``has_perm`` (and, where it matters, a role).
    """
    if not getattr(actor, "is_authenticated", False) or not getattr(actor, "is_active", False):
        return False
    if not getattr(actor, "role", None):
        return False
    return getattr(actor, "center_id", None) is None or bool(
        getattr(actor, "is_province_wide", False)
    )


def home_center_id(actor: StaffActor) -> int:
    """The center a center-scoped action runs in. A province-scope account has none, and is
    refused work that belongs to one center (it acts through province screens instead)."""
    if actor.center_id is None:
        raise PermissionDenied("省级账号不属于任何中心，不能办理本中心业务")
    return actor.center_id
