"""Directors, inspectors and administrators must pass TOTP before any staff page or API call.

A session that passed the password but not the second factor gets the TOTP step on pages and
``401 {"code": "two_factor_required"}`` on ``/api/``. Bearer-token calls carry no session;
their tokens are issued to these roles only after TOTP (services/tokens.py).
"""

from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from bianmin.accounts.errors import AccountsError

EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz")
API_PREFIX = "/api/"


def two_factor_missing(user: Any) -> bool:
    """True for a signed-in session of a two-factor role that has not passed TOTP yet."""
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "needs_two_factor", False)
        and not (hasattr(user, "is_verified") and user.is_verified())
    )


def two_factor_message() -> str:
    return _("请先完成动态口令验证")


class TwoFactorRequiredMiddleware:
    """Sync and async (uvicorn): a sync-only middleware costs an ASGI stack two thread hops per
    request. Requests without a session cookie (API tokens, the public) are not signed in."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        if self._may_be_signed_in(request) and two_factor_missing(request.user):
            return self._refuse(request)
        return self.get_response(request)

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        if self._may_be_signed_in(request):
            user = await request.auser()  # type: ignore[attr-defined]
            if two_factor_missing(user):
                return self._refuse(request)
        response: HttpResponse = await self.get_response(request)
        return response

    @staticmethod
    def _may_be_signed_in(request: HttpRequest) -> bool:
        """A session is found only by its cookie: without one (API tokens, the public) the user
        is anonymous, and loading the session and the user to learn so is skipped."""
        return settings.SESSION_COOKIE_NAME in request.COOKIES and not request.path.startswith(
            EXEMPT_PREFIXES
        )

    @staticmethod
    def _refuse(request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            return JsonResponse(
                {"code": AccountsError.TWO_FACTOR_REQUIRED, "message": two_factor_message()},
                status=401,
                json_dumps_params={"ensure_ascii": False},
            )
        return redirect("accounts:totp")
