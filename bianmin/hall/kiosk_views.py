"""The self-service kiosk's start screen (the tile menu every context adds to), its "call a
guide" button, and the guide desk's list of those calls. Thin, like views.py."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from bianmin.catalogue.conditions import CONDITIONS
from bianmin.catalogue.selectors import guide_groups, guide_item
from bianmin.core.client_ip import client_ip
from bianmin.core.errors import DomainError
from bianmin.core.navigation import KIOSK_TILES, kiosk_tiles
from bianmin.core.permissions import Perm
from bianmin.core.ratelimit import cache_hit
from bianmin.hall import services, views
from bianmin.hall.selectors import (
    guide_calls_open,
    hall_hours_today,
    tickets_issued_at_guide_today,
)
from bianmin.hall.throttle import device_id, ensure_device_cookie
from bianmin.hall.voice import prompt_wav

CALL_LIMIT = (6, 600)  # presses per kiosk (device) in ten minutes
START_PROMPT = _lazy("欢迎使用自助服务，请点击屏幕选择要办理的业务")


def kiosk_prompts() -> dict[str, str]:
    """Every prompt the server may speak: the start screen's and each tile's."""
    prompts = {"start": str(START_PROMPT)}
    prompts.update({t.key: str(t.voice) for t in KIOSK_TILES if t.voice})
    return prompts


def kiosk_voice(request: HttpRequest, key: str) -> HttpResponse:
    """The kiosk prompt `key` as WAV, for kiosks whose browser has no Mandarin voice."""
    text = kiosk_prompts().get(key)
    data = prompt_wav(text=text) if text else None
    if data is None:
        raise Http404
    response = HttpResponse(data, content_type="audio/wav")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def kiosk_start(request: HttpRequest, center_code: str) -> HttpResponse:
    """自助服务 start screen: one tile per function. A POST is the ticket form of older kiosk
    pages (the ticket tile posts to its own page)."""
    if request.method == "POST":
        return views.kiosk(request, center_code)
    center = views._center_or_404(center_code)
    response = render(
        request,
        "kiosk/start.html",
        {
            "center": center,
            "tiles": kiosk_tiles(center.code),
            "hours": hall_hours_today(center_id=center.pk),
        },
    )
    return ensure_device_cookie(request, response)


def kiosk_items(request: HttpRequest, center_code: str) -> HttpResponse:
    """办事指南 at the kiosk: the same guide as the phone (catalogue's partials)."""
    center = views._center_or_404(center_code)
    prefix = reverse("hall:kiosk_item", args=[center.code, "ITEM"]).removesuffix("ITEM/")
    return render(
        request,
        "hall/kiosk_guide.html",
        {
            "center": center,
            "groups": guide_groups(center_code=center.code),
            "item_href_prefix": prefix,
        },
    )


def kiosk_item(request: HttpRequest, center_code: str, code: str) -> HttpResponse:
    center = views._center_or_404(center_code)
    try:
        item, variants = guide_item(code=code, center_code=center.code)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    return render(
        request,
        "hall/kiosk_guide.html",
        {"center": center, "item": item, "variants": variants, "conditions": CONDITIONS},
    )


@require_POST
def kiosk_call_guide(request: HttpRequest, center_code: str) -> HttpResponse:
    """呼叫导办员 from a kiosk: the guide desk's screen shows the kiosk's number."""
    center = views._center_or_404(center_code)
    kiosk = request.POST.get("kiosk", "")[:8]
    message, ok = _("已通知导办员，请稍候"), True
    if (
        cache_hit(f"kiosk-call:{device_id(request)}:{client_ip(request)}", CALL_LIMIT[1])
        > (CALL_LIMIT[0])
    ):
        message, ok = _("已多次呼叫，导办员马上就到，请稍候"), False
    else:
        try:
            services.guide_call_request(center_id=center.pk, kiosk=kiosk)
        except DomainError as exc:
            message, ok = exc.message, False
    return render(
        request, "kiosk/base.html#call_result", {"message": message, "ok": ok, "center": center}
    )


@login_required
def guide_calls(request: HttpRequest) -> HttpResponse:
    """The guide desk's live parts: the open kiosk calls (a POST answers one) and, with
    `?part=recent`, today's tickets of the desk."""
    views._need(request, Perm.TICKET_ISSUE)
    user: Any = request.user
    error = ""
    if request.method == "POST":
        try:
            services.guide_call_answer(actor=user, call_id=int(request.POST.get("call") or 0))
        except (DomainError, ValueError) as exc:
            error = getattr(exc, "message", _("没有找到这个呼叫"))
    if request.GET.get("part") == "recent":  # 本台今日取号, refreshed live
        return render(
            request,
            "hall/guide.html#recent",
            {"recent": tickets_issued_at_guide_today(center_id=user.center_id)},
        )
    return render(
        request,
        "hall/guide.html#guide_calls",
        {"calls": guide_calls_open(center_id=user.center_id), "calls_error": error},
    )
