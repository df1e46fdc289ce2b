"""API bearer tokens for window PCs, kiosks and scripts.

A token is issued for one account in its current role and center and expires after
``API_TOKEN_DAYS``. It stops at once when the account is disabled, paused (``locked_until``),
moved to another center or given another role. Directors, inspectors and administrators (the
two-factor roles) get a token only right after passing TOTP, never with the password alone.
Only the SM3 hash is kept, so a token is shown once.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.accounts.errors import AccountsError
from bianmin.accounts.models import ApiToken, Staff
from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.crypto import sm3_hex
from bianmin.core.errors import PermissionDenied


def token_may_be_issued(*, staff: Staff, two_factor_verified: bool) -> bool:
    return staff.is_active and (two_factor_verified or not staff.needs_two_factor)


def api_token_create(
    *, staff: Staff, label: str = "", two_factor_verified: bool = False, days: int | None = None
) -> str:
    """A new bearer token for `staff`; `two_factor_verified` says they just passed TOTP."""
    if not token_may_be_issued(staff=staff, two_factor_verified=two_factor_verified):
        raise PermissionDenied(
            _("该角色须先通过动态口令验证才能签发接口令牌"),
            code=AccountsError.TOKEN_NOT_ALLOWED,
        )
    token = secrets.token_urlsafe(32)
    expires_at = clock.now() + timedelta(days=days or settings.API_TOKEN_DAYS)
    with transaction.atomic():
        ApiToken.objects.create(
            staff=staff,
            key_hash=sm3_hex(token.encode()),
            label=label,
            role=staff.role,
            center_id=staff.center_id,
            expires_at=expires_at,
        )
        audit_record(
            actor=staff,
            action=AuditAction.API_TOKEN_CREATED,
            target=staff,
            after={"label": label, "expires_at": expires_at.isoformat()},
        )
    return token


def api_token_authenticate(token: str) -> Staff | None:
    now = clock.now()
    row = (
        ApiToken.objects.select_related("staff", "staff__center")
        .filter(key_hash=sm3_hex(token.encode()), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if row is None:
        return None
    staff = row.staff
    if (
        not staff.is_active
        or staff.role != row.role
        or staff.center_id != row.center_id
        or (staff.locked_until is not None and staff.locked_until > now)
    ):
        return None
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return staff


def api_token_revoke_all(*, staff: Staff) -> int:
    return ApiToken.objects.filter(staff=staff, revoked_at__isnull=True).update(
        revoked_at=clock.now()
    )
