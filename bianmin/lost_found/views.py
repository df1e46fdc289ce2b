"""Thin HTML layer: the sanitation worker's phone intake, the staff screens (items, matches,
claims, disposal, expiry, statistics, settings) and the citizens' public pages."""

from __future__ import annotations

import contextlib
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from bianmin.accounts.selectors import center_default, center_get
from bianmin.core import clock
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Perm, has_perm
from bianmin.core.public_urls import public_url
from bianmin.core.qr import qr_svg
from bianmin.lost_found import selectors, services
from bianmin.lost_found.documents import handover_pdf, label_pdf
from bianmin.lost_found.enums import (
    DisposalMethod,
    DocumentType,
    FoundCategory,
    FoundItemStatus,
    LostReportStatus,
)
from bianmin.lost_found.forms import parse_day, parse_found_at, read_photos
from bianmin.lost_found.throttle import throttle


def _need(request: HttpRequest, perm: Perm) -> Any:
    if not has_perm(request.user, perm):
        raise HttpForbidden
    return request.user


def _decimal(value: str) -> Decimal | None:
    try:
        return Decimal(value.strip()) if value and value.strip() else None
    except InvalidOperation:
        return None


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# --- the sanitation worker's phone page ------------------------------------------------------


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    """拾物登记: large category buttons, the phone camera, place and time; one minute."""
    actor = _need(request, Perm.FOUND_ITEM_REGISTER)
    ctx: dict[str, Any] = {
        "categories": FoundCategory.choices,
        "document_types": DocumentType.choices,
        "now": clock.local(clock.now()).strftime("%Y-%m-%dT%H:%M"),
        "form": {},
        "error": "",
    }
    status = 200
    if request.method == "POST":
        post = request.POST
        ctx["form"] = post
        try:
            item = services.found_item_register(
                actor=actor,
                data=services.FoundItemInput(
                    category=post.get("category", ""),
                    description=post.get("description", ""),
                    found_at=parse_found_at(post.get("found_at", "")),
                    place=post.get("place", ""),
                    finder_name=post.get("finder_name", ""),
                    finder_team=post.get("finder_team", ""),
                    document_type=post.get("document_type", ""),
                    document_number=post.get("document_number", ""),
                    is_perishable=post.get("is_perishable") == "on",
                    cash_amount=_decimal(post.get("cash_amount", "")),
                    latitude=_decimal(post.get("latitude", "")),
                    longitude=_decimal(post.get("longitude", "")),
                    photos=read_photos(request.FILES.getlist("photos")),
                ),
            )
        except DomainError as exc:
            ctx["error"] = exc.message
            status = 400
        else:
            return redirect("lost_found:intake_done", number=item.number)
    ctx["mine"] = selectors.found_item_list(user=actor).filter(registered_by_id=actor.pk)[:10]
    return render(request, "lost_found/intake.html", ctx, status=status)


@login_required
def intake_done(request: HttpRequest, number: str) -> HttpResponse:
    actor = _need(request, Perm.FOUND_ITEM_REGISTER)
    item = selectors.found_item_get(user=actor, number=number)
    return render(request, "lost_found/intake_done.html", {"item": item})


# --- staff screens ---------------------------------------------------------------------------


@login_required
def items(request: HttpRequest) -> HttpResponse:
    actor = _need(request, Perm.FOUND_ITEM_MANAGE)
    status = request.GET.get("status", "")
    category = request.GET.get("category", "")
    text = request.GET.get("q", "")[:50]
    rows = [
        (item, selectors.item_dates(item))
        for item in selectors.found_item_list(
            user=actor, status=status, category=category, text=text
        )[:200]
    ]
    return render(
        request,
        "lost_found/items.html",
        {
            "rows": rows,
            "statuses": FoundItemStatus.choices,
            "categories": FoundCategory.choices,
            "status": status,
            "category": category,
            "q": text,
            "candidates": selectors.match_candidates(user=actor).count(),
            "pending_disposals": selectors.disposals_pending(user=actor).count(),
        },
    )


def _detail_context(request: HttpRequest, actor: Any, number: str) -> dict[str, Any]:
    item = selectors.found_item_get(user=actor, number=number)
    return {
        "item": item,
        "dates": selectors.item_dates(item),
        "photos": selectors.photos_of(item=item),
        "matches": selectors.matches_for_item(user=actor, item=item),
        "claim": selectors.claim_for_item(item=item),
        "points": selectors.collection_points(user=actor),
        "methods": DisposalMethod.choices,
        "events": item.events.select_related("actor").all(),
        "disposals": item.disposals.select_related("requested_by", "decided_by").all(),
        "can_dispose": has_perm(actor, Perm.FOUND_ITEM_DISPOSE),
    }


@login_required
def item_detail(request: HttpRequest, number: str) -> HttpResponse:
    actor = _need(request, Perm.FOUND_ITEM_MANAGE)
    return render(request, "lost_found/item_detail.html", _detail_context(request, actor, number))


@login_required
@require_POST
def item_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """One form per step on the item page: receive, publish, claim, disposal, match decision."""
    actor = _need(request, Perm.FOUND_ITEM_MANAGE)
    post = request.POST
    try:
        if action == "receive":
            services.found_item_receive(
                actor=actor,
                number=number,
                collection_point_id=int(post.get("collection_point") or 0),
                storage_location=post.get("storage_location", ""),
                condition=post.get("condition", ""),
                control_description=post.get("control_description", ""),
            )
        elif action == "publish":
            services.found_item_publish(actor=actor, number=number)
        elif action == "claim":
            services.claim_handover(
                actor=actor,
                number=number,
                data=services.ClaimInput(
                    id_number=post.get("id_number", ""),
                    control_answers=post.get("control_answers", ""),
                    face_check_id=post.get("face_check_id", "").strip(),
                    is_proxy=post.get("is_proxy") == "on",
                    proxy_authorization=post.get("proxy_authorization", ""),
                    keeping_cost_paid=_decimal(post.get("keeping_cost_paid", "")),
                    reward_note=post.get("reward_note", ""),
                ),
            )
        elif action == "dispose":
            services.disposal_request(
                actor=actor, number=number, method=post.get("method", ""), note=post.get("note", "")
            )
        elif action in {"match_confirm", "match_reject"}:
            services.match_decide(
                actor=actor,
                match_id=int(post.get("match_id") or 0),
                confirm=action == "match_confirm",
            )
        else:
            raise HttpForbidden
    except DomainError as exc:
        ctx = _detail_context(request, actor, number)
        ctx["error"] = exc.message
        return render(request, "lost_found/item_detail.html", ctx, status=exc.status)
    except ValueError:
        ctx = _detail_context(request, actor, number)
        ctx["error"] = "提交的内容不正确，请重新选择。"
        return render(request, "lost_found/item_detail.html", ctx, status=400)
    return redirect("lost_found:item_detail", number=number)


@login_required
def item_label(request: HttpRequest, number: str) -> HttpResponse:
    actor = _need(request, Perm.FOUND_ITEM_MANAGE)
    item = selectors.found_item_get(user=actor, number=number)
    return _pdf(label_pdf(item=item, request=request), f"label-{item.number}.pdf")


@login_required
def item_handover(request: HttpRequest, number: str) -> HttpResponse:
    actor = _need(request, Perm.FOUND_ITEM_MANAGE)
    item = selectors.found_item_get(user=actor, number=number)
    claim = selectors.claim_for_item(item=item)
    if claim is None:
        return redirect("lost_found:item_detail", number=number)
    return _pdf(handover_pdf(item=item, claim=claim), f"handover-{item.number}.pdf")


@login_required
def item_photo(request: HttpRequest, photo_id: int) -> HttpResponse:
    if not has_perm(request.user, Perm.FOUND_ITEM_REGISTER):
        raise HttpForbidden
    photo = selectors.photo_get(user=request.user, photo_id=photo_id)
    return HttpResponse(bytes(photo.content), content_type=photo.content_type)


@login_required
def matches(request: HttpRequest) -> HttpResponse:
    actor = _need(request, Perm.FOUND_ITEM_MANAGE)
    return render(
        request,
        "lost_found/matches.html",
        {
            "matches": selectors.match_candidates(user=actor)[:100],
            "reports": selectors.lost_report_list(user=actor, status=LostReportStatus.OPEN)[:100],
        },
    )


@login_required
@require_POST
def match_action(request: HttpRequest) -> HttpResponse:
    actor = _need(request, Perm.FOUND_ITEM_MANAGE)
    # Already decided or gone: the list below shows the current state either way.
    with contextlib.suppress(DomainError, ValueError):
        services.match_decide(
            actor=actor,
            match_id=int(request.POST.get("match_id") or 0),
            confirm=request.POST.get("decision") == "confirm",
        )
    return redirect("lost_found:matches")


@login_required
def expiry(request: HttpRequest) -> HttpResponse:
    actor = _need(request, Perm.FOUND_ITEM_MANAGE)
    return render(
        request,
        "lost_found/expiry.html",
        {"rows": selectors.expiry_list(user=actor), "today": clock.today()},
    )


@login_required
def disposals(request: HttpRequest) -> HttpResponse:
    actor = _need(request, Perm.FOUND_ITEM_MANAGE)
    error = ""
    status = 200
    if request.method == "POST":
        try:
            services.disposal_decide(
                actor=actor,
                disposal_id=int(request.POST.get("disposal_id") or 0),
                approve=request.POST.get("decision") == "approve",
                decision_note=request.POST.get("decision_note", ""),
            )
        except DomainError as exc:
            error, status = exc.message, exc.status
        except ValueError:
            error, status = "提交的内容不正确。", 400
        else:
            return redirect("lost_found:disposals")
    return render(
        request,
        "lost_found/disposals.html",
        {
            "pending": selectors.disposals_pending(user=actor),
            "can_decide": has_perm(actor, Perm.FOUND_ITEM_DISPOSE),
            "error": error,
        },
        status=status,
    )


@login_required
def stats(request: HttpRequest) -> HttpResponse:
    actor = _need(request, Perm.LOST_FOUND_STATS)
    return render(request, "lost_found/stats.html", {"stats": selectors.statistics(user=actor)})


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    actor = _need(request, Perm.LOST_FOUND_CONFIGURE)
    error = ""
    status = 200
    if request.method == "POST":
        post = request.POST
        try:
            if post.get("form") == "point":
                services.collection_point_save(
                    actor=actor,
                    code=post.get("code", ""),
                    name=post.get("name", ""),
                    address=post.get("address", ""),
                )
            else:
                retention = post.get("retention_days", "").strip()
                services.category_rule_save(
                    actor=actor,
                    category=post.get("category", ""),
                    photo_public=post.get("photo_public") == "on",
                    retention_days=int(retention) if retention else None,
                    perishable_days=int(post.get("perishable_days") or 3),
                )
        except DomainError as exc:
            error, status = exc.message, exc.status
        except ValueError:
            error, status = "天数应为整数。", 400
        else:
            return redirect("lost_found:settings")
    return render(
        request,
        "lost_found/settings.html",
        {
            "rules": selectors.category_rules(user=actor),
            "points": selectors.collection_points(user=actor),
            "error": error,
        },
        status=status,
    )


# --- public pages (no login; throttled; nothing that proves ownership) -----------------------


def public_search(request: HttpRequest) -> HttpResponse:
    ctx: dict[str, Any] = {
        "categories": FoundCategory.choices,
        "q": request.GET.get("q", "")[:50],
        "category": request.GET.get("category", ""),
        "date_from": request.GET.get("from", ""),
        "date_to": request.GET.get("to", ""),
        "rows": [],
        "error": "",
        "searched": bool(request.GET),
    }
    status = 200
    try:
        throttle(request, "search")
        start = parse_day(ctx["date_from"], field="起始日期") if ctx["date_from"] else None
        end = parse_day(ctx["date_to"], field="截止日期") if ctx["date_to"] else None
        found = selectors.public_search(
            q=ctx["q"], category=ctx["category"], date_from=start, date_to=end
        )
        ctx["rows"] = [selectors.public_row(item) for item in found]
    except DomainError as exc:
        ctx["error"], status = exc.message, exc.status
    return render(request, "lost_found/public_search.html", ctx, status=status)


def public_item(request: HttpRequest, number: str) -> HttpResponse:
    try:
        throttle(request, "search")
        item = selectors.public_item_get(number=number)
    except DomainError as exc:
        return render(
            request, "lost_found/public_item.html", {"error": exc.message}, status=exc.status
        )
    return render(
        request,
        "lost_found/public_item.html",
        {
            "row": selectors.public_row(item),
            "category_label": item.get_category_display(),
            "photos": selectors.public_photo_ids(item=item),
            "center": item.center,
        },
    )


def public_photo(request: HttpRequest, photo_id: int) -> HttpResponse:
    photo = selectors.public_photo_get(photo_id=photo_id)
    return HttpResponse(bytes(photo.content), content_type=photo.content_type)


def public_report(request: HttpRequest) -> HttpResponse:
    ctx: dict[str, Any] = {"categories": FoundCategory.choices, "form": {}, "error": ""}
    status = 200
    if request.method == "POST":
        post = request.POST
        ctx["form"] = post
        try:
            throttle(request, "report")
            center = center_default()
            if center is None:
                raise DomainError("服务中心尚未设置。")
            report = services.lost_report_create(
                center_id=center.pk,
                category=post.get("category", ""),
                description=post.get("description", ""),
                lost_on=parse_day(post.get("lost_on", ""), field="遗失日期"),
                place=post.get("place", ""),
                phone=post.get("phone", ""),
            )
        except DomainError as exc:
            ctx["error"], status = exc.message, exc.status
        else:
            ctx["number"] = report.number
    ctx["today"] = clock.today().isoformat()
    return render(request, "lost_found/public_report.html", ctx, status=status)


def public_follow(request: HttpRequest) -> HttpResponse:
    ctx: dict[str, Any] = {"number": "", "report": None, "error": ""}
    status = 200
    if request.method == "POST":
        number = request.POST.get("number", "").strip()[:24]
        ctx["number"] = number
        try:
            throttle(request, "follow")
        except DomainError as exc:
            ctx["error"], status = exc.message, exc.status
        else:
            report = selectors.lost_report_follow(
                number=number, phone_last4=request.POST.get("phone_last4", "").strip()
            )
            if report is None:
                ctx["error"], status = "没有找到该登记，请核对登记号和手机号后四位。", 404
            ctx["report"] = report
    return render(request, "lost_found/public_follow.html", ctx, status=status)


def public_poster(request: HttpRequest) -> HttpResponse:
    """The QR poster for the hall and the 公众号 menu: links to the public search page."""
    url = public_url(reverse("lost_found:public_search"), request)
    return render(request, "lost_found/public_poster.html", {"url": url, "qr": qr_svg(url)})


# --- the self-service kiosk (touch only: categories and the keypad, no typing) ------------------

KIOSK_PLACES = ["服务大厅", "大厅门口", "停车场", "卫生间", "其他地方"]
KIOSK_COLOURS = ["黑色", "白色", "灰色", "红色", "蓝色", "棕色", "其他颜色"]


def _kiosk_center(code: str) -> Any:
    center = center_get(code=code.upper())
    if center is None or not center.is_active:
        raise Http404("没有这个便民服务中心")
    return center


def kiosk_found(request: HttpRequest, center_code: str) -> HttpResponse:
    """招领查询 at the kiosk: tap a category → the published found items."""
    center = _kiosk_center(center_code)
    category = request.GET.get("category", "")[:20]
    ctx: dict[str, Any] = {
        "center": center,
        "categories": FoundCategory.choices,
        "category": category,
        "rows": None,
        "error": "",
    }
    status = 200
    if category:
        try:
            throttle(request, "search")
            found = selectors.public_search(category=category)
            ctx["rows"] = [selectors.public_row(item) for item in found]
        except DomainError as exc:
            ctx["error"], status = exc.message, exc.status
    return render(request, "lost_found/kiosk_found.html", ctx, status=status)


def kiosk_report(request: HttpRequest, center_code: str) -> HttpResponse:
    """寻物登记 at the kiosk: category, colour, place and date by touch; the phone on the keypad."""
    center = _kiosk_center(center_code)
    ctx: dict[str, Any] = {
        "center": center,
        "categories": FoundCategory.choices,
        "places": KIOSK_PLACES,
        "colours": KIOSK_COLOURS,
        "today": clock.today().isoformat(),
        "error": "",
        "number": "",
    }
    status = 200
    if request.method == "POST":
        post = request.POST
        category = post.get("category", "")
        labels = dict(FoundCategory.choices)
        try:
            throttle(request, "report")
            colour = post.get("colour", "") if post.get("colour") in KIOSK_COLOURS else ""
            report = services.lost_report_create(
                center_id=center.pk,
                category=category,
                description=f"{colour}{labels.get(category, '')}".strip(),
                lost_on=parse_day(post.get("lost_on", ""), field="遗失日期"),
                place=post.get("place", "") if post.get("place") in KIOSK_PLACES else "",
                phone=post.get("phone", ""),
            )
        except DomainError as exc:
            ctx["error"], status = exc.message, exc.status
        else:
            ctx["number"] = report.number
    return render(request, "lost_found/kiosk_report.html", ctx, status=status)
