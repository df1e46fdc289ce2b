"""API authentication shared by every context's router: bearer tokens or the staff session."""

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.security import HttpBearer, SessionAuth

from bianmin.accounts.errors import AccountsError
from bianmin.accounts.middleware import two_factor_message, two_factor_missing
from bianmin.accounts.services import api_token_authenticate
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.permissions import Perm, has_perm

router = Router(tags=["工作人员"])


class StaffBearer(HttpBearer):
    openapi_description = (
        "`manage.py create_api_token USERNAME` 生成的令牌（有效期默认 90 天；主任、督察、"
        "系统管理员须加 `--totp 动态口令`）"
    )

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        staff = api_token_authenticate(token)
        if staff is not None:
            request.user = staff
        return staff


class StaffSession(SessionAuth):
    """The pages' own htmx/fetch calls, with the session cookie and CSRF."""

    def __call__(self, request: HttpRequest) -> Any:
        # Without a signed-in session there is nothing to check CSRF for: answer 401, not 403.
        if not getattr(request.user, "is_authenticated", False):
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None or not getattr(user, "role", None):
            return None
        if two_factor_missing(user):
            raise DomainError(
                two_factor_message(), code=AccountsError.TWO_FACTOR_REQUIRED, status=401
            )
        return user


staff_auth = [StaffBearer(), StaffSession()]


def require(request: HttpRequest, perm: Perm) -> Any:
    """The authenticated staff member, if their role holds `perm`."""
    user = request.auth  # type: ignore[attr-defined]
    if not has_perm(user, perm):
        raise PermissionDenied("您没有执行此操作的权限")
    return user


@router.get("/me", auth=staff_auth, summary="当前工作人员")
def me(request: HttpRequest) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    return {
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "center": user.center.code if user.center else None,
    }
