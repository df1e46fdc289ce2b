from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string

from bianmin.catalogue.conditions import CONDITIONS
from bianmin.catalogue.errors import CatalogueError
from bianmin.catalogue.forms import ItemEditForm
from bianmin.catalogue.selectors import (
    guide_groups,
    guide_item,
    guide_list_cached,
    guide_list_key,
    item_get,
    item_list,
)
from bianmin.catalogue.services import item_update
from bianmin.core.actors import actor_of
from bianmin.core.errors import DomainError
from bianmin.core.pages import public_page
from bianmin.core.permissions import Perm, has_perm


def public_catalogue(request: HttpRequest) -> HttpResponse:
    """办事指南: what to bring, the fee and the time limit of every item (public, phone-friendly)."""
    center_code = _center_code(request)
    key = guide_list_key(center_code=center_code)

    def build() -> str:
        return render_to_string(
            "catalogue/_guide_list.html", {"groups": guide_groups(center_code=center_code)}
        )

    def context() -> dict[str, str]:
        return {"guide": guide_list_cached(key=key, build=build)}

    # The same page for every anonymous phone until the guide changes: rendered once per key
    return public_page(request, "catalogue/public_list.html", context, key=key)


def public_item(request: HttpRequest, code: str) -> HttpResponse:
    item, variants = guide_item(code=code, center_code=_center_code(request))
    return render(
        request,
        "catalogue/public_item.html",
        {"item": item, "variants": variants, "conditions": CONDITIONS},
    )


def _center_code(request: HttpRequest) -> str:
    """The center whose own waivers count too (`?center=TG`); province-wide ones always do."""
    return request.GET.get("center", "")[:16]


@login_required
def manage_item(request: HttpRequest, code: str) -> HttpResponse:
    if not has_perm(request.user, Perm.CATALOGUE_EDIT):
        raise HttpForbidden
    item = item_get(code=code)
    initial = {
        "name": item.name,
        "fee_yuan": item.fee_fen / 100,
        "promised_workdays": item.promised_workdays,
        "statutory_limit": item.statutory_limit,
        "allows_accept_with_gaps": item.allows_accept_with_gaps,
        "average_service_minutes": item.average_service_minutes,
        "is_active": item.is_active,
    }
    if request.method == "POST" and request.POST.get("section") in {"material", "variant"}:
        return _save_list_entry(request, item)
    form = ItemEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        data["fee_fen"] = int(data.pop("fee_yuan") * 100)
        changes = {k: v for k, v in data.items() if getattr(item, k) != v}
        try:
            item_update(actor=actor_of(request), item=item, changes=changes, reason=reason)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已保存 {item.code} {item.name}")
            return redirect("catalogue:manage_item", code=item.code)
    return render(
        request,
        "catalogue/manage_item.html",
        {
            "item": item,
            "form": form,
            "revisions": item.revisions.select_related("changed_by")[:20],
            "conditions": CONDITIONS,
        },
    )


@login_required
def manage_list(request: HttpRequest) -> HttpResponse:
    if not has_perm(request.user, Perm.CATALOGUE_EDIT):
        raise HttpForbidden
    return render(request, "catalogue/manage_list.html", {"items": item_list(active_only=False)})


@login_required
def calendar_manage(request: HttpRequest) -> HttpResponse:
    """工作日历: overrides, confirmed years, and the warning for provisional years."""
    from datetime import date

    from bianmin.catalogue.services import calendar_override_save, calendar_year_save
    from bianmin.core import clock
    from bianmin.core.models import CalendarOverride, CalendarYear
    from bianmin.core.services import calendar_warnings
    from bianmin.core.workdays import package_last_year

    if not has_perm(request.user, Perm.CALENDAR_EDIT):
        raise HttpForbidden
    if request.method == "POST":
        try:
            if request.POST.get("confirm_year"):
                calendar_year_save(
                    actor=actor_of(request),
                    year=int(request.POST["confirm_year"]),
                    source=request.POST.get("source", ""),
                )
            else:
                calendar_override_save(
                    actor=actor_of(request),
                    day=date.fromisoformat(request.POST.get("day", "")),
                    is_workday=request.POST.get("is_workday") == "1",
                    note=request.POST.get("note", ""),
                )
        except (ValueError, KeyError):
            messages.error(request, "日期格式不正确")
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已保存")
            return redirect("catalogue:calendar")
    today = clock.today()
    return render(
        request,
        "catalogue/calendar.html",
        {
            "overrides": CalendarOverride.objects.filter(day__year__gte=today.year),
            "years": CalendarYear.objects.all(),
            "warnings": calendar_warnings(today=today),
            "package_last_year": package_last_year(),
        },
    )


def _save_list_entry(request: HttpRequest, item: Any) -> HttpResponse:
    """Add, change or remove one material or fee variant of an item (director only)."""
    from decimal import Decimal, InvalidOperation

    from bianmin.catalogue.services import fee_variant_save, material_remove, material_save

    post = request.POST
    reason = post.get("reason", "")
    try:
        if post["section"] == "material" and post.get("remove"):
            material_remove(
                actor=actor_of(request), item=item, code=post.get("code", ""), reason=reason
            )
        elif post["section"] == "material":
            material_save(
                actor=actor_of(request),
                item=item,
                code=post.get("code", ""),
                name=post.get("name", ""),
                requirement=post.get("requirement", ""),
                legal_basis=post.get("legal_basis", ""),
                required_when=post.get("required_when", "always"),
                is_primary=post.get("is_primary") == "1",
                reason=reason,
            )
        else:
            try:
                fee_fen = int(Decimal(post.get("fee_yuan", "")) * 100)
            except InvalidOperation:
                raise DomainError(
                    "工本费应为数字，例如 15 或 15.00", code=CatalogueError.BAD_AMOUNT
                ) from None
            fee_variant_save(
                actor=actor_of(request),
                item=item,
                code=post.get("code", ""),
                name=post.get("name", ""),
                fee_fen=fee_fen,
                reason=reason,
            )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已保存 {item.code} 的修改")
    return redirect("catalogue:manage_item", code=item.code)
