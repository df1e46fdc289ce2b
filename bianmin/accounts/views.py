from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from bianmin.accounts.forms import (
    DayHoursForm,
    LoginForm,
    StaffCreateForm,
    TotpForm,
    WeekdayHoursForm,
)
from bianmin.accounts.selectors import center_day_hours_list, center_week, staff_list
from bianmin.accounts.services import (
    LoginError,
    center_day_hours_delete,
    center_day_hours_set,
    center_week_set,
    staff_create,
    staff_login,
    staff_set_authorizations,
    totp_provisioning,
    totp_verify,
)
from bianmin.accounts.services.login import totp_is_bound
from bianmin.catalogue.selectors import item_list
from bianmin.core import clock
from bianmin.core.errors import DomainError
from bianmin.core.navigation import landing_for, panels_for, screens_for
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
    limits = {
        "max_failures": settings.LOGIN_MAX_FAILURES,
        "cooloff": settings.LOGIN_COOLOFF_MINUTES,
    }
    return render(request, "accounts/login.html", {"form": form} | limits)


def _next(request: HttpRequest) -> HttpResponse:
    """The page the user asked for, else their role's work screen."""
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect(landing_for(request.user) or "accounts:home")


@login_required
def totp_view(request: HttpRequest) -> HttpResponse:
    staff: Any = request.user
    form = TotpForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            device = totp_verify(staff=staff, code=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error("code", exc.message)
            status = exc.status if exc.status == 429 else 200
        else:
            otp_login(request, device)
            return _next(request)
    context: dict[str, Any] = {"form": form, "binding": not totp_is_bound(staff=staff)}
    if context["binding"]:
        secret, uri = totp_provisioning(staff=staff)
        context |= {"secret": secret, "qr": qr_svg(uri)}
    return render(request, "accounts/totp.html", context, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "您已安全退出")
    return redirect("accounts:login")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The home page: the director's console (panels), and every role's screens as a menu."""
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
    user: Any = request.user
    staff = staff_list(user=user).prefetch_related("authorizations__item")
    form = StaffCreateForm(request.POST or None, province_wide=user.is_province_wide)
    if request.method == "POST":
        _require(request, Perm.STAFF_MANAGE)
        if form.is_valid():
            data = {"center": user.center} | form.cleaned_data
            try:
                created = staff_create(actor=user, **data)
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
            "may_create": has_perm(user, Perm.STAFF_MANAGE),
        },
    )


@login_required
def staff_authorizations_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Perm.AUTHORIZATION_GRANT)
    user: Any = request.user
    member = staff_list(user=user).filter(pk=pk).first()
    if member is None:
        raise Http404
    items = list(item_list())
    if request.method == "POST":
        chosen = set(request.POST.getlist("items"))
        staff_set_authorizations(
            actor=user,
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


@login_required
def hours_view(request: HttpRequest) -> HttpResponse:
    """服务时间: the director sets the week (with lunch break) and single dates."""
    _require(request, Perm.HALL_CONFIGURE)
    user: Any = request.user
    center = user.center
    if center is None:
        raise Http404
    week = center_week(center_id=center.pk)
    data = request.POST if request.POST.get("form") == "week" else None
    forms = [
        WeekdayHoursForm(data, weekday=d, initial=_initial(week.get(d), center, d))
        for d in range(7)
    ]
    day_form = DayHoursForm(
        request.POST if request.POST.get("form") == "day" else None,
        initial={"is_open": True},
    )
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("form") == "week" and all(f.is_valid() for f in forms):
                center_week_set(
                    actor=user, center=center, week={f.weekday: f.hours() for f in forms}
                )
                messages.success(request, "已保存每周服务时间")
                return redirect("accounts:hours")
            if request.POST.get("form") == "day" and day_form.is_valid():
                center_day_hours_set(
                    actor=user,
                    center=center,
                    day=day_form.cleaned_data["day"],
                    hours=day_form.hours(),
                    note=day_form.cleaned_data["note"],
                )
                messages.success(request, "已保存特定日期的服务时间")
                return redirect("accounts:hours")
        except DomainError as exc:
            error = exc.message
    return render(
        request,
        "accounts/hours.html",
        {
            "center": center,
            "forms": forms,
            "day_form": day_form,
            "days": center_day_hours_list(center_id=center.pk, since=clock.today()),
            "error": error,
        },
    )


@login_required
@require_POST
def hours_day_delete_view(request: HttpRequest, day: str) -> HttpResponse:
    _require(request, Perm.HALL_CONFIGURE)
    user: Any = request.user
    form = DayHoursForm({"day": day})
    form.is_valid()
    if user.center is None or "day" not in form.cleaned_data:
        raise Http404
    center_day_hours_delete(actor=user, center=user.center, day=form.cleaned_data["day"])
    messages.success(request, "已删除该日期的特别安排")
    return redirect("accounts:hours")


def _initial(row: Any, center: Any, weekday: int) -> dict[str, Any]:
    if row is None:  # no week set yet: what `center_hours` answers today
        hours = {"opens_at": center.opens_at, "closes_at": center.closes_at}
        return {"is_open": weekday < 5} | hours
    return {
        "is_open": row.is_open,
        "opens_at": row.opens_at,
        "closes_at": row.closes_at,
        "lunch_from": row.lunch_from,
        "lunch_to": row.lunch_to,
    }
