"""Staff accounts: creation and scope, sign-in limits, TOTP, API tokens, 交叉授权, center hours."""

from bianmin.accounts.services.hours import (
    HoursInput,
    center_day_hours_delete,
    center_day_hours_set,
    center_week_set,
    center_week_set_standard,
)
from bianmin.accounts.services.login import (
    LoginError,
    locked_message,
    staff_login,
    totp_provisioning,
    totp_verify,
)
from bianmin.accounts.services.staff import (
    authorization_grant,
    authorization_revoke,
    ensure_same_center,
    staff_create,
    staff_set_authorizations,
    staff_set_locked,
)
from bianmin.accounts.services.tokens import (
    api_token_authenticate,
    api_token_cache_forget,
    api_token_create,
    api_token_revoke_all,
    token_may_be_issued,
)

__all__ = [
    "HoursInput",
    "LoginError",
    "api_token_authenticate",
    "api_token_cache_forget",
    "api_token_create",
    "api_token_revoke_all",
    "authorization_grant",
    "authorization_revoke",
    "center_day_hours_delete",
    "center_day_hours_set",
    "center_week_set",
    "center_week_set_standard",
    "ensure_same_center",
    "locked_message",
    "staff_create",
    "staff_login",
    "staff_set_authorizations",
    "staff_set_locked",
    "token_may_be_issued",
    "totp_provisioning",
    "totp_verify",
]
