"""Staff screens: the rectification board, phone-callback ratings, appeals, complaints, the
figures and export, rating pads, the officer's own ratings, settings. Citizen pages are in
`views_public`. No staff screen has a button that rates on a citizen's behalf, except the
shift leader's phone-callback entry, which is marked as such."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bianmin.accounts.selectors import staff_of_center
from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.catalogue.selectors import item_list
from bianmin.core import clock
from bianmin.core.actors import actor_of
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Perm, has_perm
from bianmin.hall.selectors import windows_of
from bianmin.ratings import clients, selectors, services
from bianmin.ratings.enums import (
    BAD_LEVELS,
    Channel,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintStatus,
    Level,
    NoteKind,
    Reason,
    Satisfaction,
)
from bianmin.ratings.views_public import parse_month

View = Callable[..., HttpResponse]


def _needs(perm: Perm) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_perm(request.user, perm) or request.user.center_id is None:  # type: ignore[union-attr]
                raise HttpForbidden
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def _center_id(request: HttpRequest) -> int:
    center_id: Any = getattr(request.user, "center_id", None)
    return int(center_id)


def _done(request: HttpRequest, text: str) -> None:
    messages.success(request, text)


# -- rectification board ------------------------------------------------------------------------


@_needs(Perm.RATING_MANAGE)
def board(request: HttpRequest) -> HttpResponse:
    center_id = _center_id(request)
    return render(
        request,
        "ratings/board.html",
        {
            "tasks": selectors.rectification_list(center_id=center_id),
            "closed": selectors.rectification_list(center_id=center_id, open_only=False)
            .exclude(closed_at__isnull=True)
            .order_by("-closed_at")[:20],
            "alerts": selectors.rectification_alerts(center_id=center_id),
            "appeals": selectors.appeal_list(center_id=center_id)[:50],
            "unrated": selectors.service_events_unrated(center_id=center_id)[:50],
            "today": clock.today(),
            "can_decide": has_perm(request.user, Perm.RATING_DECIDE),
        },
    )


@_needs(Perm.RATING_MANAGE)
def rectification(request: HttpRequest, pk: int) -> HttpResponse:
    center_id = _center_id(request)
    actor = actor_of(request)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        post = request.POST
        try:
            if action == "callback":
                services.rectification_callback(
                    actor=actor, rectification_id=pk, note=post.get("note", "")
                )
            elif action == "resolve":
                services.rectification_resolve(
                    actor=actor,
                    rectification_id=pk,
                    evidence=post.get("evidence", ""),
                    result=post.get("result", ""),
                )
            elif action in {"confirm", "contest"}:
                services.rectification_citizen_answer(
                    actor=actor,
                    rectification_id=pk,
                    accepts=action == "confirm",
                    note=post.get("note", ""),
                )
            elif action == "review":
                services.rectification_review(
                    actor=actor, rectification_id=pk, note=post.get("note", "")
                )
            else:
                raise DomainError(_("未知操作"))
        except DomainError as exc:
            error = exc.message
        else:
            _done(request, _("已保存"))
            return redirect("ratings:rectification", pk=pk)
    task = selectors.rectification_get(center_id=center_id, rectification_id=pk)
    if task is None:
        raise Http404
    return render(
        request,
        "ratings/rectification.html",
        {
            "task": task,
            "error": error,
            "reason_labels": dict(Reason.choices),
            "can_decide": has_perm(request.user, Perm.RATING_DECIDE),
            "today": clock.today(),
        },
        status=400 if error else 200,
    )


@_needs(Perm.RATING_MANAGE)
def callback(request: HttpRequest, event_id: int) -> HttpResponse:
    """A phone callback's rating, typed in by a shift leader and marked as such."""
    center_id = _center_id(request)
    event = selectors.service_event_get(center_id=center_id, event_id=event_id)
    if event is None:
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            services.rating_enter_callback(
                actor=actor_of(request),
                service_event_id=event.pk,
                level=request.POST.get("level", ""),
                reasons=request.POST.getlist("reasons"),
                comment=request.POST.get("comment", ""),
                callback_note=request.POST.get("callback_note", ""),
            )
        except DomainError as exc:
            error = exc.message
        else:
            _done(request, _("回访评价已录入（标记为电话回访）"))
            return redirect("ratings:board")
    return render(
        request,
        "ratings/callback.html",
        {"event": event, "error": error, "levels": Level.choices, "reasons": Reason.choices},
        status=400 if error else 200,
    )


@_needs(Perm.RATING_DECIDE)
@require_POST
def appeal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.appeal_decide(
            actor=actor_of(request),
            appeal_id=pk,
            upheld=request.POST.get("decision") == "upheld",
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        _done(request, _("申诉已裁定"))
    return redirect("ratings:board")


# -- the officer's own ratings and appeals ----------------------------------------------------


@_needs(Perm.RATING_APPEAL)
def mine(request: HttpRequest) -> HttpResponse:
    center_id = _center_id(request)
    actor = actor_of(request)
    error = ""
    if request.method == "POST":
        rating_id = str(request.POST.get("rating", ""))
        try:
            services.appeal_file(
                actor=actor,
                rating_id=int(rating_id) if rating_id.isdigit() else 0,
                reason=request.POST.get("reason", ""),
                evidence=request.POST.get("evidence", ""),
            )
        except DomainError as exc:
            error = exc.message
        else:
            _done(request, _("申诉已提交，由中心主任裁定"))
            return redirect("ratings:mine")
    month = clock.today().replace(day=1)
    return render(
        request,
        "ratings/mine.html",
        {
            "figures": selectors.officer_month_figures(
                center_id=center_id, officer_id=actor.pk, month=month
            ),
            "bad": selectors.officer_bad_ratings(center_id=center_id, officer_id=actor.pk)[:50],
            "reason_labels": dict(Reason.choices),
            "error": error,
            "month": month,
        },
        status=400 if error else 200,
    )


# -- complaints ---------------------------------------------------------------------------------


@_needs(Perm.RATING_MANAGE)
def complaints(request: HttpRequest) -> HttpResponse:
    center_id = _center_id(request)
    error = ""
    if request.method == "POST":
        try:
            created = services.complaint_submit(
                center_id=center_id,
                actor=actor_of(request),
                channel=request.POST.get("channel", ""),
                category=request.POST.get("category", ""),
                text=request.POST.get("text", ""),
                phone=request.POST.get("phone", ""),
                hotline_reference=request.POST.get("hotline_reference", ""),
                request_key=request.POST.get("request_key") or None,
            )
        except DomainError as exc:
            error = exc.message
        else:
            _done(request, _("已登记，受理编号 %(n)s") % {"n": created.number})
            return redirect("ratings:complaint", pk=created.pk)
    status = request.GET.get("status", "")
    return render(
        request,
        "ratings/complaints.html",
        {
            "rows": selectors.complaint_list(center_id=center_id, status=status)[:200],
            "status": status,
            "statuses": ComplaintStatus.choices,
            "categories": ComplaintCategory.choices,
            "channels": [
                (ComplaintChannel.BOX, ComplaintChannel.BOX.label),
                (ComplaintChannel.HOTLINE, ComplaintChannel.HOTLINE.label),
            ],
            "error": error,
            "today": clock.today(),
            "request_key": services.new_request_key(),
        },
        status=400 if error else 200,
    )


@_needs(Perm.RATING_MANAGE)
def complaint(request: HttpRequest, pk: int) -> HttpResponse:
    center_id = _center_id(request)
    actor = actor_of(request)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        post = request.POST
        try:
            if action == "assign":
                assignee = str(post.get("assignee", ""))
                services.complaint_assign(
                    actor=actor,
                    complaint_id=pk,
                    assignee_id=int(assignee) if assignee.isdigit() else 0,
                    is_complex=post.get("is_complex") == "on",
                )
            elif action in {NoteKind.NOTE, NoteKind.REPLY}:
                services.complaint_note_add(
                    actor=actor, complaint_id=pk, kind=action, text=post.get("text", "")
                )
            elif action == "close":
                services.complaint_close(
                    actor=actor,
                    complaint_id=pk,
                    satisfaction=post.get("satisfaction", ""),
                    callback_note=post.get("callback_note", ""),
                )
            elif action == "adopt":
                services.suggestion_adopt(
                    actor=actor,
                    complaint_id=pk,
                    adopted=post.get("adopted") == "on",
                    published=post.get("published") == "on",
                )
            else:
                raise DomainError(_("未知操作"))
        except DomainError as exc:
            error = exc.message
        else:
            _done(request, _("已保存"))
            return redirect("ratings:complaint", pk=pk)
    found = selectors.complaint_get(center_id=center_id, complaint_id=pk)
    if found is None:
        raise Http404
    return render(
        request,
        "ratings/complaint_detail.html",
        {
            "c": found,
            "notes": found.notes.select_related("author"),
            "staff": staff_of_center(center_id=center_id),
            "satisfactions": Satisfaction.choices,
            "error": error,
            "can_decide": has_perm(request.user, Perm.RATING_DECIDE),
            "today": clock.today(),
        },
        status=400 if error else 200,
    )


# -- figures, export, upload --------------------------------------------------------------------


def _range(request: HttpRequest) -> tuple[date, date]:
    month = parse_month(request.GET.get("month"))
    start, end = selectors.month_bounds(month)
    return start, end


@_needs(Perm.RATING_FIGURES)
def figures(request: HttpRequest) -> HttpResponse:
    center_id = _center_id(request)
    start, end = _range(request)
    breakdown = selectors.figures_breakdown(center_id=center_id, start=start, end=end)
    officers = {s.pk: s.full_name or s.username for s in staff_of_center(center_id=center_id)}
    items = {i.code: i.name for i in item_list(active_only=False)}
    for row in breakdown["by_officer"]:
        row["label"] = officers.get(row["key"], _("未记录"))
    for row in breakdown["by_item"]:
        row["label"] = items.get(row["key"], row["key"] or _("未记录"))
    categories = dict(ComplaintCategory.choices)
    for row in breakdown["complaints"]:
        row["label"] = str(categories.get(row["category"], row["category"]))
    chart = {
        "days": [row["key"].strftime("%m-%d") for row in breakdown["by_day"]],
        "rates": [
            round(row["rate"] * 100, 1) if row["rate"] is not None else None
            for row in breakdown["by_day"]
        ],
        "rated": [row["rated"] for row in breakdown["by_day"]],
        "bad": [row["bad"] for row in breakdown["by_day"]],
    }
    return render(
        request,
        "ratings/figures.html",
        {
            "start": start,
            "end": end,
            "month": start,
            "totals": selectors.period_figures(center_id=center_id, start=start, end=end),
            "breakdown": breakdown,
            "chart": chart,
            "uploader": clients.uploader_name(),
            "can_decide": has_perm(request.user, Perm.RATING_DECIDE),
            "prev": (start - timedelta(days=1)).replace(day=1),
            "next": end + timedelta(days=1),
            "settings": services.settings_for(center_id),
        },
    )


@_needs(Perm.RATING_FIGURES)
def export(request: HttpRequest) -> HttpResponse:
    """The provincial platform's shape, as CSV (default) or Excel (?format=xlsx)."""
    center_id = _center_id(request)
    start, end = _range(request)
    rows = selectors.export_rows(center_id=center_id, start=start, end=end)
    audit_record(
        actor=actor_of(request),
        action=AuditAction.RATING_EXPORTED,
        center_id=center_id,
        target_type="ratings.export",
        target_id=f"{start:%Y-%m}",
        after={"rows": len(rows), "format": request.GET.get("format", "csv")[:4]},
    )
    name = f"haochaping-{start:%Y-%m}"
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            clients.to_xlsx(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(clients.COLUMNS))
    writer.writerow(clients.COLUMNS)
    writer.writerows(rows)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@_needs(Perm.RATING_DECIDE)
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    """Send the month to the provincial platform through the configured uploader."""
    center_id = _center_id(request)
    month = parse_month(request.POST.get("month"))
    try:
        receipt = services.ratings_upload(actor=actor_of(request), center_id=center_id, month=month)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        _done(
            request,
            _("已上传 %(n)s 条，回执 %(r)s") % {"n": receipt.accepted, "r": receipt.reference},
        )
    return redirect(f"{reverse('ratings:figures')}?month={month:%Y-%m}")


@_needs(Perm.RATING_DECIDE)
@require_POST
def settings_save(request: HttpRequest) -> HttpResponse:
    def number(name: str) -> int:
        value = str(request.POST.get(name, ""))
        return int(value) if value.isdigit() and len(value) < 4 else -1

    try:
        services.rating_settings_update(
            actor=actor_of(request),
            publish_officer_names=request.POST.get("publish_officer_names") == "on",
            callback_workdays=number("callback_workdays"),
            rectification_workdays=number("rectification_workdays"),
            complaint_workdays=number("complaint_workdays"),
            complaint_complex_workdays=number("complaint_complex_workdays"),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        _done(request, _("设置已保存"))
    return redirect("ratings:figures")


# -- rating pads --------------------------------------------------------------------------------


@_needs(Perm.RATING_PAD_PAIR)
def pads(request: HttpRequest) -> HttpResponse:
    center_id = _center_id(request)
    issued: dict[str, Any] | None = None
    error = ""
    if request.method == "POST":
        window = str(request.POST.get("window", ""))
        try:
            pad, code = services.pad_code_issue(
                actor=actor_of(request), window_id=int(window) if window.isdigit() else 0
            )
        except DomainError as exc:
            error = exc.message
        else:
            issued = {"code": code, "window": pad.window, "expires_at": pad.code_expires_at}
    return render(
        request,
        "ratings/pads.html",
        {
            "windows": windows_of(center_id=center_id),
            "pads": selectors.pads_of(center_id=center_id),
            "issued": issued,
            "error": error,
            "center": request.user.center,  # type: ignore[union-attr]
            "bad_levels": sorted(BAD_LEVELS),
            "channels": Channel.choices,
        },
        status=400 if error else 200,
    )
