"""到证登记 and 到证通知: one flow (cases owns arrival; notifications only sends)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bianmin.cases import services
from bianmin.cases.views.base import MAX_UPLOAD_BYTES, _need, _staff
from bianmin.core.errors import DomainError
from bianmin.core.htmx import template_for
from bianmin.core.permissions import Perm, has_perm
from bianmin.notifications.enums import BatchKind


@login_required
def arrival(request: HttpRequest) -> HttpResponse:
    """到证登记 + 领取通知, one step: scan or type numbers (or upload a file) and the arrivals are
    registered with their pickup SMS queued at once; or import a list to preview first."""
    _need(request, Perm.CASE_PROCESS, Perm.CASE_ACCEPT)
    user = request.user
    ctx: dict[str, Any] = {
        "batch": None,
        "error": "",
        "may_notify": has_perm(user, Perm.SMS_SEND),
        "kinds": BatchKind.choices,
    }
    if request.method == "POST":
        notify = ctx["may_notify"] and request.POST.get("notify") == "on"
        values = [v for v in request.POST.get("values", "").split() if v]
        upload = request.FILES.get("file")
        try:
            if upload is not None:
                rows = services.arrival_list_read(
                    filename=upload.name or "", content=_upload_bytes(upload)
                )
                values += [cells[0] for _n, cells in rows if cells]
            if not values:
                raise DomainError(_("请输入受理编号或身份证号码，或选择文件"))
            ctx["batch"] = services.case_arrival_batch(
                actor=_staff(request), values=values[:5000], notify=notify
            )
        except DomainError as exc:
            ctx["error"] = exc.message
    return render(request, template_for(request, "cases/arrival.html", "result"), ctx)


def _upload_bytes(upload: Any) -> bytes:
    if upload.size and upload.size > MAX_UPLOAD_BYTES:
        raise DomainError(_("文件超过5MB，请拆分后分批导入。"))
    return bytes(upload.read())


@login_required
@require_POST
def arrival_list(request: HttpRequest) -> HttpResponse:
    """Import an arrival list for preview (到证通知); the one click then registers and notifies."""
    _need(request, Perm.CASE_PROCESS, Perm.CASE_ACCEPT)
    _need(request, Perm.SMS_SEND)
    upload = request.FILES.get("file")
    try:
        batch_id = services.arrival_list_preview(
            actor=_staff(request),
            kind=request.POST.get("kind", BatchKind.ARRIVAL_LIST),
            filename=(upload.name or "") if upload else "",
            content=_upload_bytes(upload) if upload else b"",
            text=request.POST.get("lines", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("notifications:batch_list")
    return redirect("notifications:batch_detail", pk=batch_id)


@login_required
@require_POST
def arrival_batch_send(request: HttpRequest, pk: int) -> HttpResponse:
    """The one click of a previewed list: register every arrival and queue every notice."""
    _need(request, Perm.SMS_SEND)
    try:
        sent = services.arrival_list_send(actor=_staff(request), batch_id=pk)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已登记到证并生成 %(n)d 条领取通知，正在发送。") % {"n": sent})
    return redirect("notifications:batch_detail", pk=pk)
