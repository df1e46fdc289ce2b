"""Staff accounts and 交叉授权, each scoped to the actor's center (ADR 0006)."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.accounts.errors import AccountsError
from bianmin.accounts.models import Authorization, Center, Staff
from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core.actors import StaffActor
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.permissions import Perm, Role, has_perm


def ensure_same_center(*, actor: StaffActor, center_id: int | None) -> None:
    """Refuse a change to another center's staff or settings; a province-wide administrator
    is the one explicit exception."""
    if getattr(actor, "is_province_wide", False):
        return
    if actor.center_id is None or actor.center_id != center_id:
        raise PermissionDenied(_("只能管理本中心的工作人员和设置"), code=AccountsError.OTHER_CENTER)


@transaction.atomic
def staff_create(
    *,
    actor: StaffActor | None,
    username: str,
    full_name: str,
    role: Role,
    center: Center | None,
    password: str = "",
    password_hash: str = "",
    is_all_round: bool = False,
    badge_number: str = "",
) -> Staff:
    """`actor` None is the system (demo loader, commands). `password_hash` (from make_password)
    lets a batch share one slow hashing step."""
    if actor is not None:
        if not has_perm(actor, Perm.STAFF_MANAGE):
            raise PermissionDenied(_("只有系统管理员可以创建账户"))
        ensure_same_center(actor=actor, center_id=center.pk if center else None)
    if Staff.objects.filter(username=username).exists():
        raise DomainError(_("用户名 %s 已存在") % username, code=AccountsError.DUPLICATE_USERNAME)
    staff = Staff(
        username=username,
        full_name=full_name,
        role=role,
        center=center,
        is_all_round=is_all_round,
        badge_number=badge_number,
    )
    if password_hash:
        staff.password = password_hash
    else:
        staff.set_password(password)
    staff.save()
    audit_record(
        actor=actor,
        action=AuditAction.STAFF_CREATED,
        target=staff,
        center=center,
        after={"username": username, "role": role, "all_round": is_all_round},
    )
    return staff


@transaction.atomic
def staff_set_locked(*, actor: StaffActor | None, staff: Staff, until: datetime | None) -> Staff:
    """Stop an account until `until` (None: let it sign in again). Sign-in and every API token
    of the account stop at once. `actor` None is IT at the server (`manage.py lock_staff`)."""
    if actor is not None:
        if not has_perm(actor, Perm.STAFF_MANAGE):
            raise PermissionDenied(_("只有系统管理员可以停用账户"))
        ensure_same_center(actor=actor, center_id=staff.center_id)
    before = staff.locked_until.isoformat() if staff.locked_until else None
    staff.locked_until = until
    staff.save(update_fields=["locked_until"])
    audit_record(
        actor=actor,
        action=AuditAction.ACCOUNT_LOCKED,
        target=staff,
        center_id=staff.center_id,
        before={"until": before},
        after={"until": until.isoformat() if until else None},
    )
    return staff


def _require_grant(actor: StaffActor, staff: Staff) -> None:
    if not has_perm(actor, Perm.AUTHORIZATION_GRANT):
        raise PermissionDenied(_("您没有授予交叉授权的权限"))
    ensure_same_center(actor=actor, center_id=staff.center_id)


@transaction.atomic
def authorization_grant(*, actor: StaffActor | None, staff: Staff, item: Any) -> Authorization:
    """`actor` None is the system: a passed certification exam (standards) grants by itself."""
    if actor is not None:
        _require_grant(actor, staff)
    authorization, created = Authorization.objects.get_or_create(  # type: ignore[misc]
        staff=staff, item=item, defaults={"granted_by": actor}
    )
    if created:
        audit_record(
            actor=actor,
            action=AuditAction.AUTHORIZATION_GRANTED,
            target=staff,
            center_id=staff.center_id,
            after={"item": item.code},
        )
    return authorization


@transaction.atomic
def authorization_revoke(*, actor: StaffActor | None, staff: Staff, item: Any) -> None:
    """`actor` None is the system: an expired certificate (standards) removes the grant it
    made — never one a director gave by hand (`granted_by` set), which stays until a director
    takes it back."""
    grants = Authorization.objects.filter(staff=staff, item=item)
    if actor is not None:
        _require_grant(actor, staff)
    else:
        grants = grants.filter(granted_by__isnull=True)
    deleted, _count = grants.delete()
    if deleted:
        audit_record(
            actor=actor,
            action=AuditAction.AUTHORIZATION_REVOKED,
            target=staff,
            center_id=staff.center_id,
            after={"item": item.code},
        )


@transaction.atomic
def staff_set_authorizations(
    *, actor: StaffActor, staff: Staff, all_round: bool, items: list[Any]
) -> Staff:
    """The director's 交叉授权 screen: the all-round flag plus the exact set of items."""
    _require_grant(actor, staff)
    wanted = {item.pk: item for item in items}
    current = dict(Authorization.objects.filter(staff=staff).values_list("item_id", "pk"))
    for item_id in set(current) - set(wanted):
        Authorization.objects.filter(pk=current[item_id]).delete()
    Authorization.objects.bulk_create(
        Authorization(staff=staff, item=wanted[item_id], granted_by=actor)  # type: ignore[misc]
        for item_id in set(wanted) - set(current)
    )
    before = {"all_round": staff.is_all_round, "items": sorted(current)}
    staff.is_all_round = all_round
    staff.save(update_fields=["is_all_round"])
    audit_record(
        actor=actor,
        action=AuditAction.AUTHORIZATION_GRANTED,
        target=staff,
        before=before,
        after={"all_round": all_round, "items": sorted(wanted)},
    )
    return staff
