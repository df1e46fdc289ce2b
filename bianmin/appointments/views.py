"""Thin HTML layer: the citizens' phone pages (book, confirmation, cancel / move, home-visit
request), the kiosk tiles (book, check in, cancel), the guide desk, the director's settings
and the home-visit screens (list, review, teams, planner, day sheet, on-site, delivery)."""

from __future__ import annotations

import base64
import contextlib
import json
import os
from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from bianmin.accounts.selectors import staff_of_center
from bianmin.appointments import selectors, services
from bianmin.appointments.enums import (
    HOME_VISIT_ITEMS,
    AppointmentStatus,
    BookingChannel,
    FingerprintStatus,
    HomeVisitReason,
    HomeVisitStatus,
    OpeningKind,
    RequesterKind,
)
from bianmin.appointments.forms import parse_day, parse_int, parse_time
from bianmin.appointments.services.booking import FACT_KEYS, bookable_item
from bianmin.appointments.services.common import center_by_code, local_now
from bianmin.appointments.throttle import throttle
from bianmin.catalogue.conditions import CONDITIONS, is_required
from bianmin.catalogue.selectors import item_get, item_list
from bianmin.core import clock
from bianmin.core.client_ip import client_ip
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Perm, has_perm
from bianmin.core.public_urls import public_url
from bianmin.core.qr import qr_svg
from bianmin.hall.enums import IssueChannel

FACT_LABELS = {
    "lost": "证件遗失",
    "damaged": "证件损坏",
    "proxy": "委托他人代办",
    "non_local": "非本地户籍",
    "student": "学生减免",
    "guardian": "监护人代为申请",
}
WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


def _need(request: HttpRequest, perm: Perm) -> Any:
    if not has_perm(request.user, perm):
        raise HttpForbidden
    return request.user


def _bookable_items() -> list[Any]:
    return list(item_list())


def _days(center_id: int) -> list[Any]:
    rules = selectors.rules_get(center_id=center_id)
    today = clock.today()
    return [today + timedelta(days=i) for i in range(rules.max_days_ahead + 1)]


def _facts_from(post: Any) -> dict[str, bool]:
    return {k: True for k in FACT_KEYS if post.get(f"fact_{k}")}


def materials_for(item: Any, facts: dict[str, Any]) -> list[dict[str, str]]:
    """The item's materials this person must bring (conditional ones by their answers)."""
    out = []
    for material in item.materials.all():
        if is_required(material.required_when, facts):
            out.append(
                {
                    "name": material.name,
                    "requirement": material.requirement,
                    "when": ""
                    if material.required_when == "always"
                    else CONDITIONS[material.required_when].label,
                }
            )
    return out


# --- public booking (phone and kiosk) --------------------------------------------------------


def _book_page(request: HttpRequest, center_code: str, *, kiosk: bool) -> HttpResponse:
    center = center_by_code(center_code)
    get = request.GET if request.method == "GET" else request.POST
    ctx: dict[str, Any] = {
        "center": center,
        "items": _bookable_items(),
        "days": _days(center.pk),
        "facts": FACT_LABELS,
        "form": get,
        "error": "",
        "slots": [],
        "kiosk": kiosk,
        "checked_facts": list(_facts_from(get)),
    }
    item_code, day_text = get.get("item_code", ""), get.get("date", "")
    status = 200
    try:
        if item_code and day_text:
            throttle(request, "slots")
            item = bookable_item(item_code)
            ctx["item"] = item
            ctx["slots"] = selectors.slots_for(
                center_id=center.pk, item=item, day=parse_day(day_text)
            )
        if request.method == "POST":
            throttle(request, "book")
            booking = services.appointment_book(
                actor=None,
                data=services.BookingInput(
                    center_code=center.code,
                    item_code=item_code,
                    day=parse_day(day_text),
                    start=request.POST.get("start", ""),
                    name=request.POST.get("name", ""),
                    id_number=request.POST.get("id_number", ""),
                    phone=request.POST.get("phone", ""),
                    facts=_facts_from(request.POST),
                    request_key=request.POST.get("request_key", ""),
                ),
                channel=BookingChannel.KIOSK if kiosk else BookingChannel.PHONE,
            )
            name = "appointments:kiosk_done" if kiosk else "appointments:confirmation"
            return redirect(reverse(name, args=[center.code, booking.code]))
    except DomainError as exc:
        ctx["error"] = exc.message
        status = exc.status if request.method == "POST" else 200
    template = "appointments/kiosk_book.html" if kiosk else "appointments/book.html"
    if request.headers.get("HX-Request") and request.method == "GET":
        template = "appointments/_slots.html"
    ctx["request_key"] = base64.urlsafe_b64encode(os.urandom(12)).decode()
    return render(request, template, ctx, status=status)


def book(request: HttpRequest, center_code: str) -> HttpResponse:
    """预约 on the phone: item, day, slot, name, ID number, phone, conditional questions."""
    return _book_page(request, center_code, kiosk=False)


def kiosk_book(request: HttpRequest, center_code: str) -> HttpResponse:
    return _book_page(request, center_code, kiosk=True)


def _confirmation_ctx(request: HttpRequest, center_code: str, code: str) -> dict[str, Any]:
    center = center_by_code(center_code)
    booking = selectors.appointment_by_code(code=code.upper(), center_id=center.pk)
    if booking is None:
        from django.http import Http404

        raise Http404
    return {
        "center": center,
        "booking": booking,
        "materials": materials_for(booking.item, booking.facts),
        "qr": qr_svg(booking.code, scale=6),
        "manage_url": public_url(reverse("appointments:manage", args=[center.code]), request),
    }


def confirmation(request: HttpRequest, center_code: str, code: str) -> HttpResponse:
    """The confirmation: code + QR (scanned at the kiosk), what to bring, how to cancel."""
    return render(
        request, "appointments/confirmation.html", _confirmation_ctx(request, center_code, code)
    )


def kiosk_done(request: HttpRequest, center_code: str, code: str) -> HttpResponse:
    return render(
        request, "appointments/kiosk_done.html", _confirmation_ctx(request, center_code, code)
    )


def _manage_page(request: HttpRequest, center_code: str, *, kiosk: bool) -> HttpResponse:
    """取消 / 改约 with the booking code and the phone's last four digits."""
    center = center_by_code(center_code)
    ctx: dict[str, Any] = {
        "center": center,
        "form": request.POST,
        "error": "",
        "done": None,
        "kiosk": kiosk,
        "days": _days(center.pk),
    }
    status = 200
    if request.method == "POST":
        post = request.POST
        try:
            throttle(request, "manage")
            if post.get("action") == "move":
                moved = services.appointment_move(
                    actor=None,
                    code=post.get("code", ""),
                    phone_last4=post.get("last4", ""),
                    day=parse_day(post.get("date", "")),
                    start=post.get("start", ""),
                    center_id=center.pk,
                )
                return redirect(
                    reverse("appointments:confirmation", args=[center.code, moved.code])
                )
            ctx["done"] = services.appointment_cancel(
                actor=None,
                code=post.get("code", ""),
                phone_last4=post.get("last4", ""),
                center_id=center.pk,
            )
        except DomainError as exc:
            ctx["error"], status = exc.message, exc.status
    template = "appointments/kiosk_cancel.html" if kiosk else "appointments/manage.html"
    return render(request, template, ctx, status=status)


def manage(request: HttpRequest, center_code: str) -> HttpResponse:
    return _manage_page(request, center_code, kiosk=False)


def kiosk_cancel(request: HttpRequest, center_code: str) -> HttpResponse:
    return _manage_page(request, center_code, kiosk=True)


def kiosk_check_in(request: HttpRequest, center_code: str) -> HttpResponse:
    """预约签到 at the kiosk: the code typed on the keypad, read from the QR, or the ID number."""
    center = center_by_code(center_code)
    ctx: dict[str, Any] = {
        "center": center,
        "error": "",
        "result": None,
        "late": False,
        "form": request.POST,
    }
    status = 200
    if request.method == "POST":
        post = request.POST
        try:
            throttle(request, "manage")
            ctx["result"] = services.appointment_check_in(
                actor=None,
                center_code=center.code,
                code=post.get("code", ""),
                id_number=post.get("id_number", ""),
                accept_normal=bool(post.get("accept_normal")),
                channel=IssueChannel.KIOSK,
            )
        except DomainError as exc:
            ctx["error"], status = exc.message, exc.status
            ctx["late"] = exc.code == "too_late"
    return render(request, "appointments/kiosk_check_in.html", ctx, status=status)


# --- staff: guide desk and settings -----------------------------------------------------------


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    """预约签到 at the guide desk: today's bookings, check-in by code or ID number, booking for
    a caller (电话预约)."""
    actor = _need(request, Perm.APPOINTMENT_MANAGE)
    ctx: dict[str, Any] = {"error": "", "message": "", "form": request.POST, "late": False}
    status = 200
    if request.method == "POST":
        post = request.POST
        try:
            if post.get("action") == "book":
                booking = services.appointment_book(
                    actor=actor,
                    data=services.BookingInput(
                        center_code=actor.center.code,
                        item_code=post.get("item_code", ""),
                        day=parse_day(post.get("date", "")),
                        start=post.get("start", ""),
                        name=post.get("name", ""),
                        id_number=post.get("id_number", ""),
                        phone=post.get("phone", ""),
                        facts=_facts_from(post),
                    ),
                    channel=BookingChannel.STAFF,
                )
                ctx["message"] = (
                    f"已预约：{booking.code}（{booking.day:%m-%d} {booking.starts_at:%H:%M}）"
                )
            elif post.get("action") == "cancel":
                booking = services.appointment_cancel(
                    actor=actor, code=post.get("code", ""), phone_last4=post.get("last4", "")
                )
                ctx["message"] = f"已取消预约 {booking.code}"
            else:
                result = services.appointment_check_in(
                    actor=actor,
                    center_code=actor.center.code,
                    code=post.get("code", ""),
                    id_number=post.get("id_number", ""),
                    accept_normal=bool(post.get("accept_normal")),
                    channel=IssueChannel.GUIDE,
                )
                ctx["message"] = result.message
        except DomainError as exc:
            ctx["error"], status = exc.message, exc.status
            ctx["late"] = exc.code == "too_late"
    day = clock.today()
    if request.GET.get("date"):
        with contextlib.suppress(DomainError):
            day = parse_day(request.GET["date"])
    rows = list(selectors.appointments_of_day(actor=actor, day=day))
    ctx.update(
        {
            "day": day,
            "rows": rows,
            "counts": {s.label: sum(1 for r in rows if r.status == s) for s in AppointmentStatus},
            "items": _bookable_items(),
            "days": _days(actor.center_id),
            "facts": FACT_LABELS,
        }
    )
    return render(request, "appointments/desk.html", ctx, status=status)


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    """预约设置: rules, capacity per item, holiday / evening duty roster, closures."""
    actor = _need(request, Perm.APPOINTMENT_CONFIGURE)
    ctx: dict[str, Any] = {"error": "", "message": "", "form": request.POST}
    status = 200
    if request.method == "POST":
        post = request.POST
        action = post.get("action", "")
        try:
            if action == "rules":
                services.booking_rules_save(
                    actor=actor,
                    values={
                        name: parse_int(post.get(name, ""), field=name)
                        for name in services.schedule.RULE_FIELDS
                        if post.get(name, "") != ""
                    },
                )
                ctx["message"] = "预约规则已保存"
            elif action == "capacity":
                raw = post.get("capacity", "").strip()
                services.capacity_override_save(
                    actor=actor,
                    group=post.get("group", ""),
                    capacity=parse_int(raw, field="名额") if raw else None,
                )
                ctx["message"] = "名额已保存"
            elif action == "opening":
                services.opening_save(
                    actor=actor,
                    day=parse_day(post.get("day", "")),
                    starts_at=parse_time(post.get("starts_at", "")),  # type: ignore[arg-type]
                    ends_at=parse_time(post.get("ends_at", "")),  # type: ignore[arg-type]
                    kind=post.get("kind", ""),
                    windows=parse_int(post.get("windows", "1"), field="窗口数"),
                    duty_officer_ids=[int(v) for v in post.getlist("duty") if v.isdigit()],
                    note=post.get("note", ""),
                )
                ctx["message"] = "值守时段已开放"
            elif action == "closure":
                result = services.closure_create(
                    actor=actor,
                    day=parse_day(post.get("day", "")),
                    reason=post.get("reason", ""),
                    starts_at=parse_time(post.get("starts_at", ""), required=False),
                    ends_at=parse_time(post.get("ends_at", ""), required=False),
                    category=post.get("category", ""),
                )
                ctx["message"] = (
                    f"已停办：取消 {result.cancelled} 个预约，{result.offered} 个已推荐新时段，并逐一短信通知"
                )
        except DomainError as exc:
            ctx["error"], status = exc.message, exc.status
    today = clock.today()
    ctx.update(
        {
            "rules": selectors.rules_get(center_id=actor.center_id),
            "rule_fields": services.schedule.RULE_FIELDS,
            "overrides": selectors.overrides_list(actor=actor),
            "openings": selectors.openings_list(actor=actor, since=today),
            "closures": selectors.closures_list(actor=actor, since=today - timedelta(days=30)),
            "items": _bookable_items(),
            "officers": staff_of_center(center_id=actor.center_id),
            "kinds": OpeningKind.choices,
            "categories": sorted(
                {(i.category, i.get_category_display()) for i in _bookable_items()}
            ),
            "today": today,
        }
    )
    return render(request, "appointments/settings.html", ctx, status=status)


# --- home visits (staff) ---------------------------------------------------------------------


def _visit_input(post: Any) -> services.VisitInput:
    return services.VisitInput(
        name=post.get("name", ""),
        id_number=post.get("id_number", ""),
        phone=post.get("phone", ""),
        town=post.get("town", ""),
        community=post.get("community", ""),
        address=post.get("address", ""),
        reason=post.get("reason", ""),
        item_codes=post.getlist("item_codes"),
        requester_kind=post.get("requester_kind", ""),
        contact_name=post.get("contact_name", ""),
        contact_phone=post.get("contact_phone", ""),
        health_note=post.get("health_note", ""),
        preferred_weekdays=[int(d) for d in post.getlist("weekdays") if d.isdigit()],
        out_of_area=bool(post.get("out_of_area")),
    )


def _visit_form_ctx(center_id: int) -> dict[str, Any]:
    rules = selectors.rules_get(center_id=center_id)
    return {
        "reasons": HomeVisitReason.choices,
        "requesters": RequesterKind.choices,
        "visit_items": [item_get(code=c) for c in HOME_VISIT_ITEMS],
        "towns": [t.get("name") for t in rules.towns or []],
        "weekdays": list(enumerate(WEEKDAYS)),
    }


@login_required
def visits(request: HttpRequest) -> HttpResponse:
    """上门服务: requests to review, routes, deliveries, figures; staff take a request here."""
    actor = _need(request, Perm.HOME_VISIT_VIEW)
    ctx: dict[str, Any] = {"error": "", "message": "", "form": request.POST}
    status = 200
    if request.method == "POST":
        try:
            action = request.POST.get("action", "")
            if action == "plan":
                plan = services.routes_plan(
                    actor=actor, start=parse_day(request.POST.get("start", ""))
                )
                ctx["message"] = (
                    f"已排定 {len(plan.routes)} 条路线，{plan.left_over} 户待下次排期；已短信通知联系人"
                )
            elif action == "team":
                services.team_save(
                    actor=actor,
                    name=request.POST.get("name", ""),
                    officer_ids=[int(v) for v in request.POST.getlist("officers") if v.isdigit()],
                    vehicle=request.POST.get("vehicle", ""),
                    kit=request.POST.getlist("kit"),
                    weekdays=[int(d) for d in request.POST.getlist("weekdays") if d.isdigit()],
                )
                ctx["message"] = "服务队已保存"
            elif action == "sync":
                n = services.deliveries_sync(center_id=actor.center_id)
                ctx["message"] = f"{n} 户证件已到，已生成送证任务"
            else:
                visit = services.home_visit_request(
                    actor=actor, center_code=actor.center.code, data=_visit_input(request.POST)
                )
                return redirect(reverse("appointments:visit_detail", args=[visit.number]))
        except DomainError as exc:
            ctx["error"], status = exc.message, exc.status
    today = clock.today()
    rows = list(selectors.visits_visible(actor=actor)[:200])
    figures = selectors.period_figures(
        center_id=actor.center_id, start=today - timedelta(days=89), end=today
    )
    ctx.update(
        {
            "rows": rows,
            "teams": selectors.teams_list(actor=actor),
            "officers": staff_of_center(center_id=actor.center_id),
            "figures": figures,
            "per_team": selectors.figures_per_team(
                center_id=actor.center_id, start=today - timedelta(days=89), end=today
            ),
            "visits_total": selectors.visits_total(center_id=actor.center_id),
            "may_plan": has_perm(actor, Perm.HOME_VISIT_PLAN),
            "tomorrow": today + timedelta(days=1),
            "today": today,
            "statuses": HomeVisitStatus,
            **_visit_form_ctx(actor.center_id),
        }
    )
    return render(request, "appointments/visits.html", ctx, status=status)


@login_required
def visit_detail(request: HttpRequest, number: str) -> HttpResponse:
    """One visit (reading the address and health reason is audited); the shift leader reviews."""
    actor = _need(request, Perm.HOME_VISIT_VIEW)
    ctx: dict[str, Any] = {"error": ""}
    status = 200
    if request.method == "POST":
        try:
            services.home_visit_review(
                actor=actor,
                number=number,
                approve=request.POST.get("decision") == "approve",
                reason=request.POST.get("reason", ""),
            )
            return redirect(reverse("appointments:visit_detail", args=[number]))
        except DomainError as exc:
            ctx["error"], status = exc.message, exc.status
    visit = services.home_visit_open(actor=actor, number=number)
    ctx.update(
        {
            "visit": visit,
            "may_review": services.home_visits.may_review(actor),
            "is_member": services.home_visits.is_team_member(visit, actor),
        }
    )
    return render(request, "appointments/visit_detail.html", ctx, status=status)


@login_required
def day_sheet(request: HttpRequest, team_id: int, day: str) -> HttpResponse:
    actor = _need(request, Perm.HOME_VISIT_VIEW)
    from bianmin.appointments.documents import day_sheet_pdf

    team, rows = services.day_sheet_visits(actor=actor, team_id=team_id, day=parse_day(day))
    response = HttpResponse(
        day_sheet_pdf(team=team, day=parse_day(day), visits=rows), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="route-{team_id}-{day}.pdf"'
    return response


@login_required
def on_site(request: HttpRequest, number: str) -> HttpResponse:
    """The tablet page at the home: it keeps the capture in the browser (localStorage) and sends
    it when the connection is back (static/appointments/on_site.js)."""
    actor = _need(request, Perm.HOME_VISIT_VIEW)
    visit = services.home_visit_open(actor=actor, number=number)
    if not services.home_visits.is_team_member(visit, actor):
        raise HttpForbidden
    item = item_get(code=visit.item_codes[0])
    return render(
        request,
        "appointments/on_site.html",
        {
            "visit": visit,
            "materials": list(item.materials.all()),
            "fingerprints": FingerprintStatus.choices,
            "capture_url": reverse("appointments:visit_capture", args=[visit.number]),
            "deliver_url": reverse("appointments:visit_deliver", args=[visit.number]),
        },
    )


@login_required
@require_POST
def visit_capture(request: HttpRequest, number: str) -> JsonResponse:
    """The on-site capture (JSON, sent by the page's offline queue; replays are idempotent)."""
    actor = _need(request, Perm.HOME_VISIT_VIEW)
    try:
        body = json.loads(request.body or b"{}")
        photo = body.get("photo", "")
        raw = base64.b64decode(photo.split(",", 1)[1]) if "," in photo else b""
        captured = body.get("captured_at") or ""
        from datetime import datetime

        try:
            at = datetime.fromisoformat(captured) if captured else None
        except ValueError:
            at = None
        visit = services.home_visit_capture(
            actor=actor,
            number=number,
            data=services.CaptureInput(
                photo=raw,
                fingerprints=str(body.get("fingerprints", "")),
                signature=str(body.get("signature", "")),
                materials={str(k): str(v) for k, v in (body.get("materials") or {}).items()},
                latitude=str(body.get("latitude", "")),
                longitude=str(body.get("longitude", "")),
                captured_at=at,
                capture_key=str(body.get("capture_key", "")),
            ),
        )
    except (ValueError, TypeError, AttributeError):
        return JsonResponse(
            {"code": "invalid", "message": "提交的数据不完整，请重新采集。"}, status=400
        )
    except DomainError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status)
    return JsonResponse(
        {"number": visit.number, "status": visit.status, "case_number": visit.case_number}
    )


@login_required
@require_POST
def visit_deliver(request: HttpRequest, number: str) -> HttpResponse:
    actor = _need(request, Perm.HOME_VISIT_VIEW)
    post = request.POST
    try:
        services.home_visit_deliver(
            actor=actor,
            number=number,
            signature=post.get("signature", ""),
            proxy_name=post.get("proxy_name", ""),
            proxy_id_number=post.get("proxy_id_number", ""),
            relation=post.get("relation", ""),
        )
    except DomainError as exc:
        visit = services.home_visit_open(actor=actor, number=number)
        return render(
            request,
            "appointments/visit_detail.html",
            {"visit": visit, "error": exc.message, "is_member": True},
            status=exc.status,
        )
    return redirect(reverse("appointments:visit_detail", args=[number]))


# --- home visits (public phone page) ---------------------------------------------------------


def visit_request(request: HttpRequest, center_code: str) -> HttpResponse:
    """申请上门服务 on the phone: the contact's phone proven by an SMS code first."""
    center = center_by_code(center_code)
    ctx: dict[str, Any] = {
        "center": center,
        "form": request.POST,
        "error": "",
        "message": "",
        "done": None,
        **_visit_form_ctx(center.pk),
    }
    status = 200
    if request.method == "POST":
        try:
            throttle(request, "visit")
            if request.POST.get("action") == "code":
                services.visit_code_send(
                    center_code=center.code,
                    phone=request.POST.get("contact_phone", ""),
                    client=client_ip(request),
                )
                ctx["message"] = "验证码已发送到联系人手机，5分钟内有效"
            else:
                ctx["done"] = services.home_visit_request(
                    actor=None,
                    center_code=center.code,
                    data=_visit_input(request.POST),
                    phone_code=request.POST.get("sms_code", ""),
                )
        except DomainError as exc:
            ctx["error"], status = exc.message, exc.status
    return render(request, "appointments/visit_request.html", ctx, status=status)


def now_label() -> str:
    return f"{local_now():%H:%M}"
