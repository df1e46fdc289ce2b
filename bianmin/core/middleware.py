"""Request plumbing: forwarded headers only from our proxies, a request id on every request
(so audit entries of one request can be found together), and domain errors as 4xx pages."""

import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.html import escape
from django.utils.translation import gettext as _

from bianmin.core import context


class ForwardedForMiddleware:
    """Drop ``X-Forwarded-For`` unless the request comes from a configured proxy
    (``settings.TRUSTED_PROXIES``), so nothing downstream (django-ninja's throttles, logs,
    ``core.client_ip``) can be told another address by the client itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        trusted = set(getattr(settings, "TRUSTED_PROXIES", ()) or ())
        if str(request.META.get("REMOTE_ADDR") or "") not in trusted:
            request.META.pop("HTTP_X_FORWARDED_FOR", None)
        return self.get_response(request)


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request.headers.get("X-Request-Id") or uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = context.request_id.set(request_id[:64])
        try:
            response = self.get_response(request)
        finally:
            context.request_id.reset(token)
        response["X-Request-Id"] = request_id[:64]
        return response


class DomainErrorMiddleware:
    """A DomainError that escapes a view becomes its 4xx page (or fragment), never a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.shortcuts import render

        from bianmin.core.codes import CoreError
        from bianmin.core.errors import DomainError
        from bianmin.core.htmx import is_htmx

        if isinstance(exception, OverflowError):
            # A number or date beyond what the database or calendar holds (`/cases/<huge id>/`).
            exception = DomainError(_("输入的数字或日期超出范围"), code=CoreError.OUT_OF_RANGE)
        if not isinstance(exception, DomainError):
            return None
        if is_htmx(request):
            return HttpResponse(
                f'<p class="error" role="alert">{escape(exception.message)}</p>',
                status=exception.status,
            )
        return render(
            request, "error.html", {"message": exception.message}, status=exception.status
        )
