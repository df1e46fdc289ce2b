"""Staff accounts: creation, login with lockout, TOTP two-factor, API tokens, authorizations."""

import secrets
from datetime import timedelta
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils.translation import gettext as _

from bianmin.accounts.models import ApiToken, Authorization, Center, Staff
from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.crypto import sm3_hex
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.permissions import Perm, Role, has_perm

TOTP_ISSUER = "便民服务中心"


class LoginError(DomainError):
    code = "login_failed"


@transaction.atomic
def staff_create(
    *,
    actor: Any,
    username: str,
    full_name: str,
    role: Role,
    center: Center | None,
    password: str = "",
    password_hash: str = "",
    is_all_round: bool = False,
    badge_number: str = "",
) -> Staff:
    """`password_hash` (from make_password) lets a batch share one slow hashing step."""
    if actor is not None and not has_perm(actor, Perm.STAFF_MANAGE):
        raise PermissionDenied(_("只有系统管理员可以创建账户"))
    if Staff.objects.filter(username=username).exists():
        raise DomainError(_("用户名 %s 已存在") % username, code="duplicate_username")
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


def staff_login(*, request: HttpRequest, username: str, password: str) -> Staff:
    """Authenticate with lockout after repeated failures. Messages never tell whether the
    username exists."""
    staff = Staff.objects.filter(username=username).first()
    now = clock.now()
    if staff is not None and staff.locked_until and staff.locked_until > now:
        minutes = int((staff.locked_until - now).total_seconds() // 60) + 1
        raise LoginError(
            _("登录失败次数过多，账户已锁定，请 %d 分钟后再试或联系系统管理员") % minutes,
            code="locked",
        )
    user = authenticate(request, username=username, password=password)
    if user is None:
        if staff is not None:
            _record_failure(staff)
        raise LoginError(_("用户名或密码错误"))
    with transaction.atomic():
        Staff.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        audit_record(actor=user, action=AuditAction.LOGIN, target=user)
    return user  # type: ignore[return-value]


def _record_failure(staff: Staff) -> None:
    with transaction.atomic():
        Staff.objects.filter(pk=staff.pk).update(failed_logins=F("failed_logins") + 1)
        staff.refresh_from_db(fields=["failed_logins"])
        audit_record(
            actor=None,
            action=AuditAction.LOGIN_FAILED,
            target=staff,
            center_id=staff.center_id,
            after={"failures": staff.failed_logins},
        )
        if staff.failed_logins >= settings.LOGIN_MAX_FAILURES:
            until = clock.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
            Staff.objects.filter(pk=staff.pk).update(locked_until=until, failed_logins=0)
            audit_record(
                actor=None,
                action=AuditAction.ACCOUNT_LOCKED,
                target=staff,
                center_id=staff.center_id,
                after={"until": until.isoformat()},
            )


def totp_provisioning(*, staff: Staff) -> tuple[str, str]:
    """(secret, otpauth URI) for binding an authenticator app; creates the secret once."""
    if not staff.totp_secret:
        staff.totp_secret = pyotp.random_base32()
        staff.save(update_fields=["totp_secret"])
    uri = pyotp.TOTP(staff.totp_secret).provisioning_uri(
        name=staff.username, issuer_name=TOTP_ISSUER
    )
    return staff.totp_secret, uri


def totp_verify(*, staff: Staff, code: str) -> None:
    """Check a six-digit code; binds the authenticator on first success."""
    code = (code or "").strip().replace(" ", "")
    if not staff.totp_secret or not code.isdigit() or len(code) != 6:
        raise DomainError(_("请输入认证器上显示的6位数字"), code="totp_format")
    if not pyotp.TOTP(staff.totp_secret).verify(code, valid_window=1):
        raise DomainError(_("动态口令不正确或已过期"), code="totp_invalid")
    if staff.totp_confirmed_at is None:
        with transaction.atomic():
            staff.totp_confirmed_at = clock.now()
            staff.save(update_fields=["totp_confirmed_at"])
            audit_record(actor=staff, action=AuditAction.TOTP_BOUND, target=staff)


def api_token_create(*, staff: Staff, label: str = "") -> str:
    """A new bearer token; only its hash is kept, so it is shown once."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        ApiToken.objects.create(staff=staff, key_hash=sm3_hex(token.encode()), label=label)
        audit_record(
            actor=staff, action=AuditAction.API_TOKEN_CREATED, target=staff, after={"label": label}
        )
    return token


def api_token_authenticate(token: str) -> Staff | None:
    row = (
        ApiToken.objects.select_related("staff", "staff__center")
        .filter(key_hash=sm3_hex(token.encode()), revoked_at__isnull=True)
        .first()
    )
    if row is None or not row.staff.is_active:
        return None
    now = clock.now()
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.staff


@transaction.atomic
def authorization_grant(*, actor: Any, staff: Staff, item: Any) -> Authorization:
    if not has_perm(actor, Perm.AUTHORIZATION_GRANT):
        raise PermissionDenied(_("您没有授予交叉授权的权限"))
    authorization, created = Authorization.objects.get_or_create(
        staff=staff, item=item, defaults={"granted_by": actor}
    )
    if created:
        audit_record(
            actor=actor,
            action=AuditAction.AUTHORIZATION_GRANTED,
            target=staff,
            after={"item": item.code},
        )
    return authorization


@transaction.atomic
def authorization_revoke(*, actor: Any, staff: Staff, item: Any) -> None:
    if not has_perm(actor, Perm.AUTHORIZATION_GRANT):
        raise PermissionDenied(_("您没有撤销交叉授权的权限"))
    deleted, _count = Authorization.objects.filter(staff=staff, item=item).delete()
    if deleted:
        audit_record(
            actor=actor,
            action=AuditAction.AUTHORIZATION_REVOKED,
            target=staff,
            after={"item": item.code},
        )


@transaction.atomic
def staff_set_authorizations(
    *, actor: Any, staff: Staff, all_round: bool, items: list[Any]
) -> Staff:
    """The director's 交叉授权 screen: the all-round flag plus the exact set of items."""
    if not has_perm(actor, Perm.AUTHORIZATION_GRANT):
        raise PermissionDenied(_("您没有授予交叉授权的权限"))
    if actor.center_id is not None and staff.center_id != actor.center_id:
        raise PermissionDenied(_("只能为本中心的民警授权"))
    wanted = {item.pk: item for item in items}
    current = dict(Authorization.objects.filter(staff=staff).values_list("item_id", "pk"))
    for item_id in set(current) - set(wanted):
        Authorization.objects.filter(pk=current[item_id]).delete()
    Authorization.objects.bulk_create(
        Authorization(staff=staff, item=wanted[item_id], granted_by=actor)
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
