"""Screens of the SMS platform: dashboard, templates, batch notices, message list."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bianmin.core.errors import DomainError
from bianmin.core.htmx import is_htmx, template_for
from bianmin.core.permissions import Perm, has_perm
from bianmin.core.public_urls import public_base_url
from bianmin.notifications import gateways, selectors, services, wording
from bianmin.notifications.clients import receipt_callback_url
from bianmin.notifications.enums import BatchKind, MessageStatus, TemplateStatus
from bianmin.notifications.wording import VARIABLES


def _need(request: HttpRequest, perm: Perm) -> Any:
    if not has_perm(request.user, perm):
        raise HttpForbidden
    return request.user


# -- dashboard ----------------------------------------------------------------------------------


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _need(request, Perm.SMS_SEND)
    overview = selectors.sms_overview(center_id=user.center_id)
    monthly = selectors.sms_monthly_by_template(center_id=user.center_id)
    pickup = selectors.pickup_stats(center_id=user.center_id)
    receipt_urls: list[tuple[str, str]] = []
    secret = str(getattr(settings, "SMS_RECEIPT_SECRET", "") or "")
    if secret and has_perm(user, Perm.SMS_TEMPLATE_EDIT):
        base = public_base_url(request)
        for name in ("aliyun", "tencent"):
            path = reverse("api-1:sms_receipt", kwargs={"gateway": name})
            receipt_urls.append((name, receipt_callback_url(f"{base}{path}", secret, name)))
    charts = {
        "months": monthly["months"],
        "series": monthly["series"],
        "pickup_labels": pickup.labels,
        "pickup_buckets": pickup.buckets,
        "goal": selectors.PICKUP_GOAL_WORKDAYS,
    }
    return render(
        request,
        "notifications/dashboard.html",
        {
            "overview": overview,
            "monthly": monthly,
            "pickup": pickup,
            "charts": charts,
            "batches": selectors.batch_list(user=user)[:8],
            "receipt_urls": receipt_urls,
            "gateway": wording.gateway_label(gateways.primary_name()),
            "fallback": wording.gateway_label(gateways.fallback_name() or ""),
            "perms_template": has_perm(user, Perm.SMS_TEMPLATE_EDIT),
        },
    )


def home_panel(user: Any) -> dict[str, Any]:
    """The director's home page: the headline and today's figures."""
    if not getattr(user, "center_id", None):
        return {"overview": None}
    return {"overview": selectors.sms_overview(center_id=user.center_id)}


# -- templates ----------------------------------------------------------------------------------


def _template_rights(user: Any) -> dict[str, Any]:
    """A center's director reads the province-wide templates and is told why he cannot save."""
    may_edit = services.may_edit_templates(user)
    return {
        "may_edit": may_edit,
        "read_only_reason": "" if may_edit else services.PROVINCE_ONLY_MESSAGE,
    }


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    _need(request, Perm.SMS_TEMPLATE_EDIT)
    return render(
        request,
        "notifications/template_list.html",
        {
            "templates": selectors.template_list(),
            **_template_rights(request.user),
        },
    )


@login_required
def template_edit(request: HttpRequest, code: str = "") -> HttpResponse:
    user = _need(request, Perm.SMS_TEMPLATE_EDIT)
    versions = list(selectors.template_versions(code=code)) if code else []
    if code and not versions:
        raise Http404
    latest = versions[0] if versions else None
    data: dict[str, Any] = {
        "code": code,
        "name": latest.name if latest else "",
        "purpose": latest.purpose if latest else "",
        "body": latest.body if latest else "",
        "max_segments": latest.max_segments if latest else 1,
        "aliyun_code": latest.aliyun_code if latest else "",
        "tencent_id": latest.tencent_id if latest else "",
    }
    error = ""
    if request.method == "POST":
        data = {key: request.POST.get(key, "").strip() for key in data}
        try:
            max_segments = int(data["max_segments"] or 1)
        except ValueError:
            max_segments = 0
        try:
            template = services.template_save(
                actor=user,
                code=data["code"] or code,
                name=data["name"],
                body=data["body"],
                max_segments=max_segments,
                purpose=data["purpose"],
                aliyun_code=data["aliyun_code"],
                tencent_id=data["tencent_id"],
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, f"已保存为草稿 v{template.version}，审核后生效。")
            return redirect("notifications:template_edit", code=template.code)
    signature = services.center_signature_or_default(user.center_id)
    preview = services.template_preview(body=str(data["body"]), signature=signature)
    return render(
        request,
        "notifications/template_edit.html",
        {
            "data": data,
            "versions": versions,
            "error": error,
            "preview": preview,
            "signature": signature,
            "variables": VARIABLES,
            "is_new": not code,
            "draft": next((v for v in versions if v.status == TemplateStatus.DRAFT), None),
            **_template_rights(user),
        },
    )


@login_required
@require_POST
def template_preview(request: HttpRequest) -> HttpResponse:
    """The live count: re-rendered on every keystroke (htmx)."""
    user = _need(request, Perm.SMS_TEMPLATE_EDIT)
    signature = services.center_signature_or_default(user.center_id)
    try:
        max_segments = int(request.POST.get("max_segments") or 1)
    except ValueError:
        max_segments = 1
    preview = services.template_preview(
        body=request.POST.get("body", "")[:1000], signature=signature
    )
    return render(
        request,
        "notifications/_template_count.html",
        {
            "preview": preview,
            "max_segments": max_segments,
        },
    )


@login_required
@require_POST
def template_approve(request: HttpRequest, pk: int) -> HttpResponse:
    user = _need(request, Perm.SMS_TEMPLATE_EDIT)
    try:
        template = services.template_approve(actor=user, template_id=pk)
    except DomainError as exc:
        messages.error(request, exc.message)
        code = request.POST.get("code", "")
        return (
            redirect("notifications:template_edit", code=code)
            if code
            else redirect("notifications:template_list")
        )
    messages.success(
        request, f"“{template.name}” v{template.version} 已审核，此后的短信使用该版本。"
    )
    return redirect("notifications:template_edit", code=template.code)


# -- batches ------------------------------------------------------------------------------------


@login_required
def batch_list(request: HttpRequest) -> HttpResponse:
    user = _need(request, Perm.SMS_SEND)
    if request.method == "POST":
        # importing an arrival list is the cases context's (it owns arrival): 307 keeps the
        # method and the upload, so an old form or script posting here still works
        return HttpResponseRedirect(reverse("cases:arrival_list"), status=307)
    error = ""
    return render(
        request,
        "notifications/batch_list.html",
        {
            "batches": selectors.batch_list(user=user)[:50],
            "error": error,
            "kinds": BatchKind.choices,
        },
    )


def _batch_context(user: Any, pk: int) -> dict[str, Any]:
    batch = selectors.batch_get(user=user, batch_id=pk)
    if batch is None:
        raise Http404
    return {
        "batch": batch,
        "progress": selectors.batch_progress(batch=batch),
        "rows": selectors.batch_rows(batch=batch),
        "unmatched": selectors.batch_unmatched(batch=batch),
    }


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _need(request, Perm.SMS_SEND)
    return render(request, "notifications/batch_detail.html", _batch_context(user, pk))


@login_required
def batch_progress(request: HttpRequest, pk: int) -> HttpResponse:
    user = _need(request, Perm.SMS_SEND)
    context = _batch_context(user, pk)
    if context["progress"].is_finished and context["batch"].status == "sending":
        services.batches_finish()
        context = _batch_context(user, pk)
    return render(
        request, template_for(request, "notifications/batch_detail.html", "progress"), context
    )


@login_required
@require_POST
def batch_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = _need(request, Perm.SMS_SEND)
    try:
        services.batch_cancel(actor=user, batch_id=pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("notifications:batch_list")


# -- messages -----------------------------------------------------------------------------------


@login_required
def message_list(request: HttpRequest) -> HttpResponse:
    user = _need(request, Perm.SMS_SEND)
    status = request.GET.get("status", "")
    if status not in MessageStatus.values:
        status = ""
    template_code = request.GET.get("template", "")[:40]
    phone = request.GET.get("phone", "").strip()
    phone_index = ""
    if phone:
        try:
            phone_index = services.phone_index(services.clean_phone(phone))
        except DomainError:
            phone_index = "-"
    try:
        batch_id = int(request.GET.get("batch", "") or 0) or None
    except ValueError:
        batch_id = None
    qs = selectors.message_list(
        user=user,
        status=status,
        template_code=template_code,
        batch_id=batch_id,
        phone_index=phone_index,
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/message_list.html",
        {
            "page": page,
            "status": status,
            "template": template_code,
            "phone": phone,
            "batch_id": batch_id or "",
            "statuses": MessageStatus.choices,
            "templates": [(t["code"], t["latest"].name) for t in selectors.template_list()],
        },
    )


@login_required
@require_POST
def message_retry(request: HttpRequest, pk: int) -> HttpResponse:
    user = _need(request, Perm.SMS_SEND)
    try:
        message = services.message_retry(actor=user, message_id=pk)
    except DomainError as exc:
        if is_htmx(request):
            return HttpResponse(f'<span class="error">{exc.message}</span>')
        messages.error(request, exc.message)
        return redirect("notifications:message_list")
    if is_htmx(request):
        return render(request, "notifications/_message_status.html", {"m": message})
    messages.success(request, _("已重新排队发送。"))
    next_url = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("notifications:message_list")
    return redirect(next_url)
