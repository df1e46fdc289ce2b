"""Citizen-facing pages: the window's rating pad, the SMS link, the position page's button,
the kiosk tiles, the complaint page and the public monthly figures. No staff session here."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bianmin.accounts.selectors import center_get
from bianmin.core import clock
from bianmin.core.errors import DomainError
from bianmin.ratings import selectors, services
from bianmin.ratings.enums import BAD_LEVELS, ComplaintCategory, ComplaintChannel, Level, Reason
from bianmin.ratings.live import COOKIE
from bianmin.ratings.throttle import throttle

PAD_COOKIE = COOKIE
PAD_COOKIE_DAYS = 365


def _center(code: str) -> Any:
    center = center_get(code=str(code)[:16].upper())
    if center is None or not center.is_active:
        raise Http404(_("没有这个中心"))
    return center


def _staff_in(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_authenticated", False))


def _faces() -> list[tuple[int, str]]:
    return [(value, str(label)) for value, label in sorted(Level.choices, reverse=True)]


def _form_context(level: str = "", error: str = "") -> dict[str, Any]:
    return {
        "faces": _faces(),
        "reasons": Reason.choices,
        "picked_level": level,
        "error": error,
    }


def _needs_reasons(post: Any) -> bool:
    """A bad face just tapped (not yet the reasons step): show the reasons, not an error. Sent
    from the reasons step (`confirm`), a missing reason is the service's refusal."""
    level = str(post.get("level", ""))
    return (
        level.isdigit()
        and int(level) in BAD_LEVELS
        and not post.getlist("reasons")
        and not post.get("confirm")
    )


def _submit(request: HttpRequest, token: str) -> services.Submitted:
    throttle(request, "rate")
    return services.rating_submit(
        token=token,
        level=request.POST.get("level", ""),
        reasons=request.POST.getlist("reasons"),
        comment=request.POST.get("comment", ""),
        staff_signed_in=_staff_in(request),
    )


# -- the SMS link (also where the position page and the kiosk lead) -------------------------


def link(request: HttpRequest, token: str) -> HttpResponse:
    """/r/<token>/: the five faces; one rating per token and per service. Once a bad rating
    given here is rectified, the same link shows the result to confirm or contest (复核)."""
    task = services.rectification_for_token(token=token)
    if task is not None:
        return _follow_up(request, token, task)
    ctx: dict[str, Any] = {"token": token, **_form_context()}
    status = 200
    if request.method == "POST":
        if _needs_reasons(request.POST):
            ctx["picked_level"] = request.POST.get("level", "")
        else:
            try:
                submitted = _submit(request, token)
            except DomainError as exc:
                ctx["error"] = exc.message
                ctx["picked_level"] = request.POST.get("level", "")
                status = exc.status if exc.status in {400, 403, 409, 410, 429} else 400
            else:
                return render(
                    request, "ratings/thanks.html", {"submitted": submitted, "kiosk": False}
                )
    return render(request, "ratings/link.html", ctx, status=status)


def _follow_up(request: HttpRequest, token: str, task: Any) -> HttpResponse:
    error = ""
    if request.method == "POST" and request.POST.get("answer") in {"confirm", "contest"}:
        try:
            throttle(request, "rate")
            task = services.rectification_citizen_reply(
                token=token,
                accepts=request.POST["answer"] == "confirm",
                note=request.POST.get("note", ""),
            )
        except DomainError as exc:
            error = exc.message
    return render(
        request,
        "ratings/follow_up.html",
        {"task": task, "token": token, "error": error},
        status=400 if error else 200,
    )


@require_POST
def position_rate(request: HttpRequest, ticket_id: str) -> HttpResponse:
    """The position page's button: a token for this finished ticket, then the faces."""
    try:
        throttle(request, "rate")
        token = services.token_for_ticket(ticket_id=ticket_id)
    except DomainError as exc:
        return render(request, "ratings/message.html", {"message": exc.message}, status=400)
    return redirect("ratings:link", token=token)


# -- the rating pad at a window ---------------------------------------------------------------


def _pad(request: HttpRequest, center: Any) -> Any:
    pad = services.pad_from_key(request.COOKIES.get(PAD_COOKIE))
    return pad if pad is not None and pad.center_id == center.pk else None


def pad(request: HttpRequest, center_code: str) -> HttpResponse:
    """评价器: pairing (a code shown on a staff screen) or the waiting screen / the faces."""
    center = _center(center_code)
    if _staff_in(request):
        return render(
            request,
            "ratings/message.html",
            {"message": _("评价器不能登录工作人员账号，请先退出登录后再配对。")},
            status=403,
        )
    device = _pad(request, center)
    if request.method == "POST" and request.POST.get("action") == "pair":
        try:
            throttle(request, "pair")
            _device, key = services.pad_pair(center_id=center.pk, code=request.POST.get("code", ""))
        except DomainError as exc:
            return render(
                request,
                "ratings/pad_pair.html",
                {"center": center, "error": exc.message},
                status=400,
            )
        response = redirect("ratings:pad", center_code=center.code)
        response.set_cookie(
            PAD_COOKIE,
            key,
            max_age=PAD_COOKIE_DAYS * 86400,
            httponly=True,
            samesite="Strict",
            secure=not settings.DEBUG and request.is_secure(),
        )
        return response
    if device is None:
        return render(request, "ratings/pad_pair.html", {"center": center})
    return render(
        request, "ratings/pad.html", {"center": center, "pad": device, **_pad_state(device)}
    )


def _pad_state(device: Any, **extra: Any) -> dict[str, Any]:
    event = services.pad_pending(pad=device)
    return {"event": event, **_form_context(), **extra}


def pad_state(request: HttpRequest, center_code: str) -> HttpResponse:
    """The pad's live part: polled, and refreshed at once on the websocket's push."""
    center = _center(center_code)
    device = _pad(request, center)
    if device is None or _staff_in(request):
        return HttpResponse(status=403)
    return render(request, "ratings/_pad_state.html", {"center": center, **_pad_state(device)})


@require_POST
def pad_rate(request: HttpRequest, center_code: str) -> HttpResponse:
    """A face tapped on the pad: a pad token for that service, spent at once."""
    center = _center(center_code)
    device = _pad(request, center)
    if device is None or _staff_in(request):
        return HttpResponse(_("评价器未配对"), status=403)
    event_id = str(request.POST.get("event", ""))
    if _needs_reasons(request.POST):
        ctx = _pad_state(device, picked_level=request.POST.get("level", ""))
        return render(request, "ratings/_pad_state.html", {"center": center, **ctx})
    try:
        token = services.pad_token(pad=device, event_id=int(event_id) if event_id.isdigit() else 0)
        submitted = _submit(request, token)
    except DomainError as exc:
        ctx = _pad_state(device, error=exc.message, picked_level=request.POST.get("level", ""))
        return render(request, "ratings/_pad_state.html", {"center": center, **ctx}, status=200)
    return render(request, "ratings/_pad_thanks.html", {"center": center, "submitted": submitted})


# -- kiosk tiles ------------------------------------------------------------------------------


def kiosk(request: HttpRequest, center_code: str) -> HttpResponse:
    """评价服务 at the kiosk: today's ticket number, then the faces."""
    center = _center(center_code)
    ctx: dict[str, Any] = {"center": center, **_form_context()}
    status = 200
    if request.method == "POST":
        try:
            throttle(request, "kiosk")
            token = request.POST.get("token", "")
            if not token:
                token = services.token_for_kiosk(
                    center_id=center.pk, number=request.POST.get("number", "")
                )
                ctx["token"] = token
            elif _needs_reasons(request.POST):
                ctx.update(token=token, picked_level=request.POST.get("level", ""))
            else:
                ctx["token"] = token
                submitted = _submit(request, token)
                return render(
                    request,
                    "ratings/thanks.html",
                    {"submitted": submitted, "kiosk": True, "center": center},
                )
        except DomainError as exc:
            ctx["error"] = exc.message
            status = 400
    return render(request, "ratings/kiosk.html", ctx, status=status)


def _complaint_page(request: HttpRequest, center: Any, channel: str, template: str) -> HttpResponse:
    ctx: dict[str, Any] = {
        "center": center,
        "categories": ComplaintCategory.choices,
        "posted": request.POST if request.method == "POST" else {},
    }
    status = 200
    if request.method == "POST":
        try:
            throttle(request, "complaint")
            complaint = services.complaint_submit(
                center_id=center.pk,
                channel=channel,
                category=request.POST.get("category", ""),
                text=request.POST.get("text", ""),
                phone=request.POST.get("phone", ""),
                request_key=request.POST.get("request_key") or None,
            )
        except DomainError as exc:
            ctx["error"] = exc.message
            status = 400
        else:
            ctx["complaint"] = complaint
    ctx["request_key"] = services.new_request_key()
    return render(request, template, ctx, status=status)


def kiosk_complaint(request: HttpRequest, center_code: str) -> HttpResponse:
    center = _center(center_code)
    return _complaint_page(request, center, ComplaintChannel.KIOSK, "ratings/kiosk_complaint.html")


def complaint(request: HttpRequest, center_code: str) -> HttpResponse:
    """The phone page for complaints and suggestions (anonymous accepted)."""
    center = _center(center_code)
    return _complaint_page(request, center, ComplaintChannel.PHONE_PAGE, "ratings/complaint.html")


# -- public monthly figures ---------------------------------------------------------------------


def parse_month(text: str | None) -> date:
    """'YYYY-MM' → its first day; anything else → this month."""
    text = str(text or "")[:7]
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        return clock.today().replace(day=1)


def public(request: HttpRequest, center_code: str) -> HttpResponse:
    center = _center(center_code)
    month = parse_month(request.GET.get("month"))
    return render(
        request,
        "ratings/public.html",
        {
            "center": center,
            "month": month,
            **selectors.public_month(center_id=center.pk, month=month),
        },
    )
