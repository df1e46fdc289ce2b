"""Hall screens: window workspace, guide desk, kiosk, phone page, live position page, printable
ticket (HTML and PDF), calling display, hall board and the hall settings. Thin: parse,
authorise, call one service or selector, render."""

from __future__ import annotations

import copy
import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bianmin.accounts.selectors import center_get, staff_item_ids, staff_list
from bianmin.catalogue.enums import CATEGORY_PREFIX, Category
from bianmin.catalogue.selectors import item_list
from bianmin.core import clock
from bianmin.core.caching import KeptHere
from bianmin.core.errors import DomainError
from bianmin.core.htmx import is_htmx, template_for
from bianmin.core.navigation import render_fragments
from bianmin.core.permissions import Perm, has_perm
from bianmin.core.public_urls import public_url
from bianmin.core.qr import qr_svg
from bianmin.hall import services
from bianmin.hall.enums import IssueChannel, Priority, TicketStatus
from bianmin.hall.models import HallSettings, Ticket
from bianmin.hall.pdf import ticket_pdf_bytes
from bianmin.hall.selectors import (
    call_was_made,
    display_state,
    guide_calls_open,
    hall_board,
    hall_hours_today,
    hall_settings_get,
    session_current,
    sessions_open,
    ticket_current_for,
    ticket_get,
    ticket_state,
    ticket_waiting_spot,
    tickets_issued_at_guide_today,
    tickets_parked_by,
    tickets_priority_pending,
    waiting_count_for,
    windows_of,
)
from bianmin.hall.throttle import allow_anonymous_issue, ensure_device_cookie
from bianmin.hall.voice import announcement_wav, is_valid

# Appointment priority is not chosen: it comes only from an appointment check-in.
PUBLIC_PRIORITIES = [
    Priority.NORMAL,
    Priority.ELDERLY,
    Priority.DISABLED,
    Priority.MILITARY,
]
GUIDE_PRIORITIES = [(p.value, p.label) for p in Priority if p != Priority.APPOINTMENT]


def _need(request: HttpRequest, perm: Perm) -> None:
    if not has_perm(request.user, perm):
        raise HttpForbidden


def _center_or_404(code: str) -> Any:
    center = center_get(code=code.upper())
    if center is None or not center.is_active:
        raise Http404(_("没有这个便民服务中心"))
    return center


def _item_groups() -> list[dict[str, Any]]:
    items = list(item_list())
    return [
        {
            "code": value,
            "label": label,
            "prefix": CATEGORY_PREFIX[Category(value)],
            "items": [i for i in items if i.category == value],
        }
        for value, label in Category.choices
    ]


# --- window workspace ------------------------------------------------------------------------


def _workspace_context(request: HttpRequest, *, error: str = "") -> dict[str, Any]:
    user: Any = request.user
    session = session_current(officer_id=user.pk, center_id=user.center_id)
    ticket = ticket_current_for(officer_id=user.pk, center_id=user.center_id)
    settings = hall_settings_get(center_id=user.center_id) if user.center_id else None
    context: dict[str, Any] = {
        "live_ws": live_ws_path(user.center.code) if user.center_id else "",
        "session": session,
        "ticket": ticket,
        "error": error,
        "settings": settings,
        "may_collect": has_perm(user, Perm.FEE_COLLECT),
    }
    if session is None:
        taken = {s.window_id: s for s in sessions_open(center_id=user.center_id)}
        context["windows"] = [(w, taken.get(w.pk)) for w in windows_of(center_id=user.center_id)]
        return context
    context["waiting"] = waiting_count_for(
        center_id=user.center_id, officer_id=user.pk, item_ids=staff_item_ids(staff=user)
    )
    context["parked"] = list(tickets_parked_by(officer_id=user.pk, center_id=user.center_id))
    if ticket is not None:
        context["ticket_items"] = list(ticket.items.select_related("item"))
        context["waited_minutes"] = int(
            ((ticket.called_at or clock.now()) - ticket.arrived_at).total_seconds() // 60
        )
        context["may_no_show"] = settings is not None and (
            ticket.recall_count >= settings.recall_limit
        )
        context["may_recall"] = settings is not None and (
            ticket.recall_count < settings.recall_limit
        )
        context["items"] = list(item_list())
        context["colleagues"] = [
            s for s in staff_list(user=user) if s.pk != user.pk and has_perm(s, Perm.TICKET_CALL)
        ]
    return context


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    """窗口工作台: the officer's home screen."""
    _need(request, Perm.TICKET_CALL)
    return render(
        request, template_for(request, "hall/workspace.html", "panel"), _workspace_context(request)
    )


@login_required
def workspace_waiting(request: HttpRequest) -> HttpResponse:
    """The officer's pool count alone: asked once per change of the center's line."""
    _need(request, Perm.TICKET_CALL)
    user: Any = request.user
    if user.center_id is None:
        raise Http404
    waiting = waiting_count_for(
        center_id=user.center_id, officer_id=user.pk, item_ids=staff_item_ids(staff=user)
    )
    return render(request, "hall/_waiting_count.html", {"waiting": waiting})


@login_required
@require_POST
def workspace_action(request: HttpRequest) -> HttpResponse:
    _need(request, Perm.TICKET_CALL)
    user: Any = request.user
    action = request.POST.get("action", "")
    ticket_id = request.POST.get("ticket", "")
    before = ticket_current_for(officer_id=user.pk, center_id=user.center_id)
    session = session_current(officer_id=user.pk, center_id=user.center_id)
    window_code = session.window.code if session else ""
    error = ""
    try:
        if action == "sign_in":
            services.window_sign_in(actor=user, window_code=request.POST.get("window", ""))
        elif action == "sign_out":
            services.window_sign_out(actor=user)
        elif action == "pause":
            services.window_pause(actor=user, reason=request.POST.get("reason", ""))
        elif action == "resume":
            services.window_resume(actor=user)
        elif action == "call_next":
            if services.ticket_call_next(actor=user, window_code=window_code) is None:
                error = _("目前没有您可以办理的等候号")
        elif action == "recall":
            services.ticket_recall(actor=user, ticket_id=ticket_id)
        elif action == "no_show":
            services.ticket_no_show(actor=user, ticket_id=ticket_id)
        elif action == "park":
            services.ticket_park(actor=user, ticket_id=ticket_id)
        elif action in ("unpark", "unpark_queue"):
            services.ticket_unpark(
                actor=user,
                ticket_id=ticket_id,
                window_code=window_code,
                to_queue=action == "unpark_queue",
            )
        elif action == "transfer":
            officer = request.POST.get("officer", "")
            services.ticket_transfer(
                actor=user,
                ticket_id=ticket_id,
                item_code=request.POST.get("item") or None,
                officer_id=int(officer) if officer.isdigit() else None,
            )
        elif action == "finish":
            services.ticket_finish(actor=user, ticket_id=ticket_id)
        else:
            error = _("未知操作")
    except DomainError as exc:
        error = exc.message
    if not is_htmx(request):
        if error:
            messages.error(request, error)
        return redirect("hall:workspace")
    context = _workspace_context(request, error=error)
    after = context["ticket"]
    context["ticket_changed"] = (before.pk if before else None) != (after.pk if after else None)
    return render(request, "hall/workspace.html#panel", context)


# --- guide desk, kiosk, phone ----------------------------------------------------------------


class IssueForm(forms.Form):
    items = forms.MultipleChoiceField(
        choices=[],
        error_messages={"required": "请选择要办理的事项", "invalid_choice": "事项不存在"},
    )
    priority = forms.ChoiceField(choices=GUIDE_PRIORITIES, required=False)
    id_number = forms.CharField(max_length=18, required=False)
    phone = forms.CharField(max_length=20, required=False)
    request_key = forms.CharField(max_length=64, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items_field = self.fields["items"]
        assert isinstance(items_field, forms.MultipleChoiceField)
        items_field.choices = [(i.code, i.name) for i in item_list()]


def _issue_from_form(
    request: HttpRequest, *, actor: Any, center: Any, channel: IssueChannel
) -> tuple[Ticket | None, str]:
    form = IssueForm(request.POST)
    if not form.is_valid():
        first = next(iter(form.errors.values()))
        return None, str(first[0])
    data = form.cleaned_data
    try:
        ticket = services.ticket_issue(
            actor=actor,
            center=center,
            item_codes=data["items"],
            channel=channel,
            priority=data.get("priority") or Priority.NORMAL,
            id_number=data.get("id_number", ""),
            phone=data.get("phone", ""),
            request_key=data.get("request_key") or None,
        )
    except DomainError as exc:
        return None, exc.message
    return ticket, ""


@login_required
def guide(request: HttpRequest) -> HttpResponse:
    """导办取号: the guide issues tickets (not throttled) and prints them."""
    _need(request, Perm.TICKET_ISSUE)
    user: Any = request.user
    ticket, error = None, ""
    if request.method == "POST":
        ticket, error = _issue_from_form(
            request, actor=user, center=user.center, channel=IssueChannel.GUIDE
        )
    context = {
        "groups": _item_groups(),
        "priorities": GUIDE_PRIORITIES,
        "ticket": ticket,
        "state": ticket_state(ticket) if ticket else None,
        "error": error,
        "recent": tickets_issued_at_guide_today(center_id=user.center_id),
        "pending": list(tickets_priority_pending(center_id=user.center_id)),
        "calls": guide_calls_open(center_id=user.center_id),
        "request_key": secrets.token_urlsafe(12),
        # after an htmx issue: a clean form for the next citizen and the refreshed list
        "oob": is_htmx(request),
    }
    return render(request, template_for(request, "hall/guide.html", "result"), context)


@login_required
@require_POST
def guide_priority(request: HttpRequest) -> HttpResponse:
    """确认优先 / 不予优先: the guide has checked the card, the age or the appointment."""
    _need(request, Perm.TICKET_ISSUE)
    try:
        ticket = services.ticket_priority_decide(
            actor=request.user,  # type: ignore[arg-type]
            ticket_id=request.POST.get("ticket", ""),
            confirm=request.POST.get("decision") == "confirm",
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if ticket.priority_claim == "" and ticket.priority != Priority.NORMAL:
            messages.success(request, _("已确认 %s 的优先类别") % ticket.number)
        else:
            messages.success(request, _("%s 按普通号排队") % ticket.number)
    return redirect("hall:guide")


def kiosk(request: HttpRequest, center_code: str) -> HttpResponse:
    """自助取号机: large type, touch only; prints the ticket after issuing."""
    center = _center_or_404(center_code)
    error = ""
    if request.method == "POST":
        if not allow_anonymous_issue(request, scope="kiosk"):
            error = _("取号过于频繁，请稍候再试")
        else:
            ticket, error = _issue_from_form(
                request, actor=None, center=center, channel=IssueChannel.KIOSK
            )
            if ticket is not None:
                url = reverse("hall:ticket_print", args=[ticket.pk]) + "?kiosk=1"
                return ensure_device_cookie(request, redirect(url))
    response = render(
        request,
        "hall/kiosk.html",
        {
            "center": center,
            "groups": _item_groups(),
            "priorities": PUBLIC_PRIORITIES,
            "error": error,
            "request_key": secrets.token_urlsafe(12),
            "hours": hall_hours_today(center_id=center.pk),
            "phone_url": public_url(reverse("hall:phone", args=[center.code]), request),
            "phone_qr": qr_svg(
                public_url(reverse("hall:phone", args=[center.code]), request), scale=5
            ),
        },
    )
    return ensure_device_cookie(request, response)


def phone(request: HttpRequest, center_code: str) -> HttpResponse:
    """手机取号: reached from the QR code at the door."""
    center = _center_or_404(center_code)
    error = ""
    if request.method == "POST":
        if not allow_anonymous_issue(request, scope="phone"):
            error = _("取号过于频繁，请稍后再试；如需帮助请到导办台")
        else:
            ticket, error = _issue_from_form(
                request, actor=None, center=center, channel=IssueChannel.PHONE
            )
            if ticket is not None:
                return ensure_device_cookie(request, redirect("hall:position", ticket_id=ticket.pk))
    response = render(
        request,
        "hall/phone.html",
        {
            "center": center,
            "groups": _item_groups(),
            "priorities": PUBLIC_PRIORITIES,
            "error": error,
            "hours": hall_hours_today(center_id=center.pk),
            "request_key": secrets.token_urlsafe(12),
        },
    )
    return ensure_device_cookie(request, response)


def door(request: HttpRequest, center_code: str) -> HttpResponse:
    """The poster at the door: a QR code to the phone page."""
    center = _center_or_404(center_code)
    url = public_url(reverse("hall:phone", args=[center.code]), request)
    return render(
        request,
        "hall/door.html",
        {
            "center": center,
            "url": url,
            "qr": qr_svg(url, scale=10),
            "hours": hall_hours_today(center_id=center.pk),
        },
    )


# --- the citizen's ticket ---------------------------------------------------------------------


# A position page listens to its center's line while the ticket may still change by a call.
LIVE_STATUSES = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.PARKED)


def live_ws_path(center_code: str) -> str:
    """The websocket of the center's line (config/websockets.py)."""
    return f"/ws/hall/{center_code}/line/"


def _ticket_or_404(ticket_id: str) -> Ticket:
    ticket = ticket_get(ticket_id=ticket_id)
    if ticket is None:
        raise Http404(_("没有找到这张号票"))
    return ticket


def position(request: HttpRequest, ticket_id: str) -> HttpResponse:
    """The live position page (QR on the ticket): people ahead, estimated wait, your turn.

    The live fragment of a waiting ticket (htmx, polled by phones whose socket is down) is
    answered from its center's line and the ticket's kept face (`_waiting_fragment`): its
    row is not read and nothing is rendered, however often the line changes."""
    if request.method == "GET" and is_htmx(request):
        fragment = _waiting_fragment(request, ticket_id)
        if fragment is not None:
            return HttpResponse(fragment)
    ticket = _ticket_or_404(ticket_id)
    error = ""
    if request.method == "POST":
        try:
            ticket = services.ticket_set_phone(
                ticket_id=ticket.pk, phone=request.POST.get("phone", "")
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("已登记，快到您时会发短信提醒"))
            return redirect("hall:position", ticket_id=ticket.pk)
    settings = hall_settings_get(center_id=ticket.center_id)
    state = ticket_state(ticket)
    return render(
        request,
        template_for(request, "hall/position.html", "live"),
        {
            **_position_context(
                ticket,
                state,
                near_position=settings.near_position,
                near_hidden=_near_hidden(state["position"], settings.near_position),
            ),
            "error": error,
            "live_ws": live_ws_path(ticket.center.code) if state["status"] in LIVE_STATUSES else "",
            "extras": render_fragments("hall.position.finished", request, ticket=ticket)
            if ticket.status == TicketStatus.FINISHED
            else "",
        },
    )


def _position_context(
    ticket: Ticket, state: dict[str, Any], *, near_position: int, near_hidden: str
) -> dict[str, Any]:
    return {
        "ticket": ticket,
        "state": state,
        "items": [ti.item for ti in ticket.items.select_related("item")],
        "near_position": near_position,
        "near_hidden": near_hidden,
    }


def _near_hidden(ahead: int | None, near_position: int) -> str:
    """The "快到您了" badge stays hidden while more people than the setting are ahead."""
    return "hidden" if ahead is not None and ahead > near_position else ""


# What is shown of a waiting ticket besides its place (number, items, time taken) changes only
# with its row; its place changes with every call. The live fragment is rendered once per
# revision of the ticket with a placeholder for each of the three values that move, kept, and
# each poll fills them in from the center's line.
_AHEAD_HOLE = "bm-ahead-hole-3b91"
_MINUTES_HOLE = "bm-minutes-hole-3b91"
_NEAR_HOLE = "bm-near-hole-3b91"
FACE_SECONDS = 4 * 3600
_FACES_HERE: KeptHere[str] = KeptHere(max_entries=5_000)  # ~0.7 KB each


def _waiting_fragment(request: HttpRequest, ticket_id: str) -> str | None:
    """The live fragment of a ticket waiting in its center's line, or None (then the
    fragment is rendered as usual)."""
    tid = str(ticket_id)[:24]
    spot = ticket_waiting_spot(ticket_id=tid)
    if spot is None:
        return None
    key = f"hall:face:{tid}:{spot.revision}:{spot.near_position}"
    face = _FACES_HERE.get(key)
    if face is None:
        ticket = ticket_get(ticket_id=tid)
        if ticket is None or ticket.status != TicketStatus.WAITING:
            return None
        holes = {
            "status": TicketStatus.WAITING,
            "position": _AHEAD_HOLE,
            "estimated_wait_minutes": _MINUTES_HOLE,
        }
        context = _position_context(
            ticket, holes, near_position=spot.near_position, near_hidden=_NEAR_HOLE
        )
        face = render_to_string("hall/position.html#live", context, request=request)
        cache.set(key, face, FACE_SECONDS)
        _FACES_HERE.keep(key, face)
    return (
        face.replace(_AHEAD_HOLE, str(spot.ahead))
        .replace(_MINUTES_HOLE, str(spot.minutes))
        .replace(_NEAR_HOLE, _near_hidden(spot.ahead, spot.near_position))
    )


def ticket_print(request: HttpRequest, ticket_id: str) -> HttpResponse:
    """The 80 mm ticket as a printable page (print CSS); the kiosk prints it at once."""
    ticket = _ticket_or_404(ticket_id)
    url = public_url(reverse("hall:position", args=[ticket.pk]), request)
    return render(
        request,
        "hall/ticket_print.html",
        {
            "ticket": ticket,
            "state": ticket_state(ticket),
            "qr": qr_svg(url, scale=4),
            "items": [ti.item for ti in ticket.items.select_related("item")],
            "kiosk": request.GET.get("kiosk") == "1",
            "kiosk_url": reverse("hall:kiosk", args=[ticket.center.code]),
        },
    )


def ticket_pdf(request: HttpRequest, ticket_id: str) -> HttpResponse:
    ticket = _ticket_or_404(ticket_id)
    url = public_url(reverse("hall:position", args=[ticket.pk]), request)
    response = HttpResponse(
        ticket_pdf_bytes(ticket, position_url=url), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="ticket-{ticket.number}.pdf"'
    return response


# --- calling display ---------------------------------------------------------------------------


def display(request: HttpRequest, center_code: str) -> HttpResponse:
    """叫号大屏: public, one per hall TV; live over a websocket."""
    center = _center_or_404(center_code)
    return render(
        request,
        "hall/display.html",
        {
            "center": center,
            "state": display_state(center_id=center.pk),
            "today": clock.today(),
            "hours": hall_hours_today(center_id=center.pk),
            "state_url": reverse("hall:display_state", args=[center.code]),
            "ws_path": f"/ws/hall/display/{center.code}/",
        },
    )


def display_state_json(request: HttpRequest, center_code: str) -> JsonResponse:
    center = _center_or_404(center_code)
    return JsonResponse(
        display_state(center_id=center.pk), json_dumps_params={"ensure_ascii": False}
    )


@login_required
def display_home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.center is None:
        raise Http404
    return redirect("hall:display", center_code=user.center.code)


@login_required
def kiosk_home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.center is None:
        raise Http404
    return redirect("hall:kiosk", center_code=user.center.code)


def voice(request: HttpRequest, number: str, window: int) -> HttpResponse:
    """The announcement as WAV, joined from a fixed clip set; only for a ticket called today at
    that window (404 otherwise, and where espeak-ng is missing)."""
    number = number.upper()
    if not is_valid(number, window) or not call_was_made(number=number, window_number=window):
        raise Http404
    data = announcement_wav(number=number, window_number=window)
    if data is None:
        raise Http404
    response = HttpResponse(data, content_type="audio/wav")
    response["Cache-Control"] = "public, max-age=3600"
    return response


# --- hall board and settings -----------------------------------------------------------------


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """大厅监控: the shift leader's live view."""
    _need(request, Perm.HALL_MONITOR)
    user: Any = request.user
    if user.center_id is None:
        raise Http404
    data = hall_board(center_id=user.center_id)
    chart = {
        "categories": [c["label"] for c in data["categories"]],
        "waiting": [c["waiting"] for c in data["categories"]],
        "hours": [f"{h}时" for h in data["arrivals_hours"]],
        "arrivals": data["arrivals_by_hour"],
    }
    return render(
        request,
        template_for(request, "hall/board.html", "live"),
        {"board": data, "chart": chart, "live_ws": live_ws_path(user.center.code)},
    )


class HallSettingsForm(forms.ModelForm):
    class Meta:
        model = HallSettings
        fields = [
            "is_closed",
            "closed_notice",
            "weight_appointment",
            "weight_elderly",
            "weight_disabled",
            "weight_military",
            "elderly_age",
            "wait_limit_minutes",
            "recall_limit",
            "requeue_places",
            "requeue_limit",
            "near_position",
            "alert_wait_minutes",
        ]


@login_required
def settings_edit(request: HttpRequest) -> HttpResponse:
    """大厅设置: the director's calling-rule weights, no-show ladder and alerts."""
    _need(request, Perm.HALL_CONFIGURE)
    user: Any = request.user
    if user.center_id is None:
        raise Http404
    current = hall_settings_get(center_id=user.center_id)
    # the form changes the instance it holds: a copy, not the one every reader shares
    form = HallSettingsForm(request.POST or None, instance=copy.copy(current))
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if getattr(current, k) != v}
        try:
            services.hall_settings_update(actor=user, center_id=user.center_id, changes=changes)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("大厅设置已保存"))
            return redirect("hall:settings")
    return render(request, "hall/settings.html", {"form": form})
