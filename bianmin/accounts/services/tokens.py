"""API bearer tokens for window PCs, kiosks and scripts.

A token is issued for one account in its current role and center and expires after
``API_TOKEN_DAYS``. It stops at once when the account is disabled, paused (``locked_until``),
moved to another center or given another role. Directors, inspectors and administrators (the
two-factor roles) get a token only right after passing TOTP, never with the password alone.
Only the SM3 hash is kept, so a token is shown once.
"""

import copy
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.accounts.errors import AccountsError
from bianmin.accounts.models import ApiToken, Staff
from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.caching import Generation, KeptHere
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


# --- the look-up, cached --------------------------------------------------------------------
#
# Every staff API request looks its token up (one joined query over the token, the account and
# its center). The answer is cached under a generation that every change to an account, a
# token or a center bumps — post_save/post_delete signals (accounts.apps) plus
# `api_token_revoke_all`, the one queryset `.update()` that changes who may use a token — now
# and again at commit. A look-up reads the generation BEFORE it reads the database, so an
# answer read before a change committed is stored under a generation that the change's commit
# has already left behind: a disabled, paused, moved or re-roled account's token still stops at
# once. Expiry, revocation and the pause (`locked_until`) are checked against the clock on every
# request, cached or not. Code that changes Staff, ApiToken or Center rows with `.update()`,
# `bulk_update` or raw SQL must call `api_token_cache_forget()` (none does today besides the
# revocation below and `last_used_at`, which decides nothing). The cache must be shared by every
# process that serves the API (Redis with several workers; `make run`'s one process may use the
# local-memory cache). A key names one look-up for good (its generation moves with every
# change), so each process also keeps the answers it has read (`KeptHere`): a staff request
# then costs one round trip to Redis (the generation), not two and an unpickling. Each request
# gets its own copy of the account.

TOKEN_CACHE_SECONDS = 300
_LOOKUP_GENERATION = Generation("accounts:tokens:gen", read_together=True)
_TOKENS_HERE: KeptHere[ApiToken] = KeptHere(max_entries=4096)


def api_token_cache_forget() -> None:
    """Every cached token look-up is stale."""
    _LOOKUP_GENERATION.bump()


def _token_lookup(key_hash: str) -> tuple[ApiToken | None, str]:
    """The token's row with its account and center, and the cache key it is kept under."""
    generation = _LOOKUP_GENERATION.current()
    key = f"accounts:token:{generation}:{key_hash}"
    row = _TOKENS_HERE.get(key)
    if row is None:
        row = (
            ApiToken.objects.select_related("staff", "staff__center")
            .filter(key_hash=key_hash, revoked_at__isnull=True)
            .first()
        )
        if row is not None:
            cache.set(key, row, TOKEN_CACHE_SECONDS)
            _TOKENS_HERE.keep(key, row)
    return row, key


def api_token_authenticate(token: str) -> Staff | None:
    now = clock.now()
    row, key = _token_lookup(sm3_hex(token.encode()))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
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
        row.last_used_at = now
        # Only the time of use changed: keep the cached answer with it, under the generation
        # read before the database was (a newer one must not receive this older answer).
        cache.set(key, row, TOKEN_CACHE_SECONDS)
    return copy.copy(staff)  # the kept row's account is shared by this process's requests


def api_token_revoke_all(*, staff: Staff) -> int:
    revoked = ApiToken.objects.filter(staff=staff, revoked_at__isnull=True).update(
        revoked_at=clock.now()
    )
    api_token_cache_forget()  # an .update() sends no signal
    return revoked
