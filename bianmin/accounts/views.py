from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from bianmin.accounts.forms import LoginForm, StaffCreateForm, TotpForm
from bianmin.accounts.middleware import SESSION_KEY
from bianmin.accounts.selectors import staff_list
from bianmin.accounts.services import (
    LoginError,
    staff_create,
    staff_login,
    staff_set_authorizations,
    totp_provisioning,
    totp_verify,
)
from bianmin.catalogue.selectors import item_list
from bianmin.core.errors import DomainError
from bianmin.core.navigation import panels_for, screens_for
from bianmin.core.permissions import Perm, has_perm
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


def _require(request: HttpRequest, perm: Perm) -> None:
    if not has_perm(request.user, perm):
        raise HttpForbidden


@login_required
def staff_list_view(request: HttpRequest) -> HttpResponse:
    """人员与授权: every staff member of the center, with role, all-round flag and items."""
    _require(request, Perm.AUTHORIZATION_GRANT)
    staff = staff_list(user=request.user).prefetch_related("authorizations__item")
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST":
        _require(request, Perm.STAFF_MANAGE)
        if form.is_valid():
            try:
                created = staff_create(
                    actor=request.user,
                    center=request.user.center,  # type: ignore[union-attr]
                    **form.cleaned_data,
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"已创建账户 {created.username}")
                return redirect("accounts:staff_list")
    return render(
        request,
        "accounts/staff_list.html",
        {
            "staff": staff,
            "form": form,
            "may_create": has_perm(request.user, Perm.STAFF_MANAGE),
        },
    )


@login_required
def staff_authorizations_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Perm.AUTHORIZATION_GRANT)
    member = staff_list(user=request.user).filter(pk=pk).first()
    if member is None:
        raise Http404
    items = list(item_list())
    if request.method == "POST":
        chosen = set(request.POST.getlist("items"))
        staff_set_authorizations(
            actor=request.user,
            staff=member,
            all_round=request.POST.get("all_round") == "1",
            items=[i for i in items if i.code in chosen],
        )
        messages.success(request, f"已保存 {member.full_name} 的交叉授权")
        return redirect("accounts:staff_list")
    granted = set(member.authorizations.values_list("item__code", flat=True))
    return render(
        request,
        "accounts/staff_authorizations.html",
        {"member": member, "items": items, "granted": granted},
    )
