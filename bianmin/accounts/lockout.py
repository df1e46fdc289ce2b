"""Password-guessing limits, kept by django-axes.

Two buckets, counted over the cool-off window (``LOGIN_COOLOFF_MINUTES``):

* one account from one client (``LOGIN_MAX_FAILURES``, 5 by default);
* one client over all accounts (``LOGIN_MAX_FAILURES_PER_CLIENT``, 20 by default).

A full bucket makes *that client* wait; the account itself is never locked, so nobody can lock
an officer out from another address. Unknown usernames count exactly like known ones, so the
answer never tells whether an account exists. The client is ``core.client_ip`` (forwarded
headers only from configured proxies).
"""

from datetime import timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse


def cool_off(request: HttpRequest | None = None) -> timedelta:
    return timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES)


def failure_limit(request: HttpRequest | None, credentials: dict[str, Any] | None) -> int:
    return int(settings.LOGIN_MAX_FAILURES)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """The login page the view already rendered (with the Chinese message), as 429."""
    if original_response is None:
        from bianmin.accounts.services.login import locked_message

        return HttpResponse(locked_message(), status=429, content_type="text/plain; charset=utf-8")
    original_response.status_code = 429
    return original_response


class AccountsAxesHandler(AxesDatabaseHandler):
    """AXES_LOCKOUT_PARAMETERS lists [username + client] first and [client] second; each
    bucket has its own limit (axes itself would apply one limit to both)."""

    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        limits = [settings.LOGIN_MAX_FAILURES, settings.LOGIN_MAX_FAILURES_PER_CLIENT]
        for attempts, limit in zip(
            self.get_user_attempts(request, credentials), limits, strict=False
        ):
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            if failures >= limit:
                return True
        return False
