from typing import Any

from django.db.models import QuerySet

from bianmin.accounts.models import Authorization, Center, Staff
from bianmin.core.permissions import Role


def staff_may_serve(*, staff: Any, item_id: int) -> bool:
    """交叉授权: all-round officers serve every item; others the items they are authorized for."""
    if staff.is_all_round:
        return True
    return Authorization.objects.filter(staff_id=staff.pk, item_id=item_id).exists()


def staff_item_ids(*, staff: Any) -> set[int] | None:
    """The item ids an officer may serve, or None for all (all-round)."""
    if staff.is_all_round:
        return None
    return set(Authorization.objects.filter(staff_id=staff.pk).values_list("item_id", flat=True))


def staff_list(*, user: Any, role: Role | None = None) -> QuerySet[Staff]:
    qs = Staff.objects.select_related("center").filter(is_active=True)
    if user.center_id is not None:
        qs = qs.filter(center_id=user.center_id)
    if role is not None:
        qs = qs.filter(role=role)
    return qs.order_by("username")


def center_get(*, code: str) -> Center | None:
    return Center.objects.filter(code=code).first()


def center_default() -> Center | None:
    return Center.objects.filter(is_active=True).order_by("pk").first()
