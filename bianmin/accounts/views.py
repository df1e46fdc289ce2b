from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from bianmin.accounts.forms import LoginForm, TotpForm
from bianmin.accounts.middleware import SESSION_KEY
from bianmin.accounts.navigation import panels_for, screens_for
from bianmin.accounts.services import (
    LoginError,
    staff_login,
    totp_provisioning,
    totp_verify,
)
from bianmin.core.errors import DomainError
from bianmin.core.qr import qr_svg


def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            staff = staff_login(request=request, **form.cleaned_data)
        except LoginError as exc:
            form.add_error(None, exc.message)
        else:
            login(request, staff)
            if staff.needs_two_factor:
                return redirect("accounts:totp")
            return _next(request)
    return render(request, "accounts/login.html", {"form": form})


def _next(request: HttpRequest) -> HttpResponse:
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect("accounts:home")


@login_required
def totp_view(request: HttpRequest) -> HttpResponse:
    staff = request.user
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            totp_verify(staff=staff, code=form.cleaned_data["code"])  # type: ignore[arg-type]
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            request.session[SESSION_KEY] = True
            return _next(request)
    context = {"form": form, "binding": staff.totp_confirmed_at is None}  # type: ignore[union-attr]
    if context["binding"]:
        secret, uri = totp_provisioning(staff=staff)  # type: ignore[arg-type]
        context |= {"secret": secret, "qr": qr_svg(uri)}
    return render(request, "accounts/totp.html", context)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "您已安全退出")
    return redirect("accounts:login")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's home: its screens as large tiles, and the panels its role follows."""
    return render(
        request,
        "accounts/home.html",
        {
            "tiles": screens_for(request.user),
            "panels": panels_for(request.user),
        },
    )
