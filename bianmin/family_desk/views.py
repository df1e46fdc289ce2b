"""Pages of the desk: the guide, the desk's board, the officer's own page, the family phone page."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bianmin.accounts.selectors import center_get
from bianmin.core import clock
from bianmin.core.actors import actor_of, home_center_id
from bianmin.core.client_ip import client_ip
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Perm, has_perm
from bianmin.family_desk import selectors, services
from bianmin.family_desk.enums import LifeEvent, MessageKind, RequestStatus
from bianmin.family_desk.forms import AskForm, CustodyForm, FamilyForm, ProcedureForm
from bianmin.family_desk.models import FamilyMember
from bianmin.family_desk.pipeline import Action, Party, allowed_actions
from bianmin.family_desk.services import Asker
from bianmin.family_desk.sessions import FAMILY_SESSION_KEY, family_from_session

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


def _ask(request: HttpRequest, asker: Asker) -> tuple[AskForm, Any]:
    """The ask form posted by an officer or a family member, and the request it created."""
    form = AskForm(request.POST, request.FILES, prefix="ask")
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    try:
        created = services.request_create(
            asker=asker,
            type=data["type"],
            procedure_id=data["procedure_id"],
            procedure_text=data["procedure_text"],
            question=data["question"],
            contact=data["contact"],
            uploads=_uploads(request),
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return form, None
    return form, created


def _uploads(request: HttpRequest) -> list[services.Upload]:
    return [
        services.Upload(name=f.name or "", content=f.read())
        for f in request.FILES.getlist("attachments")[: services.requests.MAX_ATTACHMENTS + 1]
    ]


# -- the guide (staff, family members, the public when allowed) -----------------------------


def _guide_viewer(request: HttpRequest) -> tuple[int, str]:
    """(center id, where the back link goes) for whoever may read the guide, else 403/404."""
    user: Any = request.user
    if has_perm(user, Perm.DESK_ASK) and getattr(user, "center_id", None):
        return int(user.center_id), ""
    member = family_from_session(request)
    if member is not None:
        return member.center_id, member.center.code
    center = center_get(code=str(request.GET.get("center") or "")[:20])
    if center is not None and selectors.guide_is_public(center_id=center.pk):
        return center.pk, ""
    raise HttpForbidden


def guide(request: HttpRequest) -> HttpResponse:
    center_id, phone_center = _guide_viewer(request)
    q = str(request.GET.get("q") or "")[:60]
    unit = str(request.GET.get("unit") or "")
    event = str(request.GET.get("event") or "")
    unit_id = int(unit) if unit.isdigit() and len(unit) < 9 else None
    results = selectors.procedure_search(
        center_id=center_id, q=q, unit_id=unit_id, event=event if event in LifeEvent.values else ""
    )
    context = {
        "q": q,
        "unit": unit_id,
        "event": event,
        "units": selectors.unit_list(center_id=center_id),
        "events": LifeEvent.choices,
        "results": results[:60],
        "total": len(results),
        "phone_center": phone_center,
        "center_code": request.GET.get("center", ""),
        "stale_count": selectors.procedures_stale(center_id=center_id).count()
        if has_perm(request.user, Perm.DESK_GUIDE_EDIT)
        else 0,
    }
    return render(request, "family_desk/guide.html", context)


def procedure(request: HttpRequest, pk: int) -> HttpResponse:
    center_id, phone_center = _guide_viewer(request)
    found = selectors.procedure_get(center_id=center_id, procedure_id=pk)
    if found is None:
        raise Http404
    return render(
        request,
        "family_desk/procedure.html",
        {
            "p": found,
            "events": [LifeEvent(e).label for e in found.life_events if e in LifeEvent.values],
            "phone_center": phone_center,
            "center_code": request.GET.get("center", ""),
            "is_stale": selectors.is_stale(found),
            "can_edit": has_perm(request.user, Perm.DESK_GUIDE_EDIT),
            "can_ask": phone_center or has_perm(request.user, Perm.DESK_ASK),
        },
    )


@_needs(Perm.DESK_GUIDE_EDIT)
def procedure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    found = selectors.procedure_get(center_id=home_center_id(actor), procedure_id=pk)
    if found is None:
        raise Http404
    fields = [f for f in ProcedureForm.base_fields if f != "reason"]
    form = ProcedureForm(request.POST or None, initial={f: getattr(found, f) for f in fields})
    if request.method == "POST" and request.POST.get("checked"):
        services.procedure_mark_checked(actor=actor, procedure_id=found.pk)
        messages.success(request, _("已记录今日核对。"))
        return redirect("family_desk:procedure_edit", pk=found.pk)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        changes = {k: v for k, v in data.items() if getattr(found, k) != v}
        try:
            services.procedure_update(
                actor=actor, procedure_id=found.pk, changes=changes, reason=reason
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已保存，旧版本已留存。"))
            return redirect("family_desk:procedure_edit", pk=found.pk)
    return render(
        request,
        "family_desk/procedure_edit.html",
        {
            "p": found,
            "form": form,
            "versions": selectors.procedure_versions(procedure=found)[:20],
            "is_stale": selectors.is_stale(found),
        },
    )


@_needs(Perm.DESK_GUIDE_EDIT)
def guide_manage(request: HttpRequest) -> HttpResponse:
    """Import, export, synonyms and the procedures nobody checked for 12 months."""
    actor = actor_of(request)
    errors: list[str] = []
    if request.method == "POST" and request.POST.get("section") == "import":
        upload = request.FILES.get("file")
        if upload is None:
            errors = [_("请选择要导入的 Excel 文件。")]
        else:
            try:
                result = services.guide_import(
                    actor=actor, filename=upload.name or "", content=upload.read()
                )
            except services.GuideFileRejected as exc:
                errors = exc.errors
            else:
                messages.success(
                    request,
                    _("导入完成：新增%(c)d项，更新%(u)d项。")
                    % {"c": result.created, "u": result.updated},
                )
                return redirect("family_desk:guide_manage")
    if request.method == "POST" and request.POST.get("section") == "synonyms":
        try:
            services.synonyms_replace(actor=actor, text=request.POST.get("synonyms", ""))
        except DomainError as exc:
            errors = [exc.message]
        else:
            messages.success(request, _("同义词已保存。"))
            return redirect("family_desk:guide_manage")
    groups = selectors.synonym_groups(center_id=home_center_id(actor))
    return render(
        request,
        "family_desk/guide_manage.html",
        {
            "errors": errors,
            "synonyms": request.POST.get("synonyms")
            if errors
            else "\n".join("=".join(g) for g in groups),
            "stale": selectors.procedures_stale(center_id=home_center_id(actor))[:100],
        },
    )


def _file(content: bytes, name: str, content_type: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    kind = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{kind}; filename*=UTF-8''{name}"
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@_needs(Perm.DESK_GUIDE_EDIT)
def guide_template(request: HttpRequest) -> HttpResponse:
    return _file(services.guide_template_xlsx(), "guide-template.xlsx", XLSX)


@_needs(Perm.DESK_ASK)
def guide_export(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    return _file(services.guide_export_xlsx(center_id=home_center_id(actor)), "guide.xlsx", XLSX)


@_needs(Perm.DESK_ASK)
def guide_booklet(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    pdf = services.guide_booklet_pdf(center_id=home_center_id(actor), center_name=actor.center.name)
    return _file(pdf, "guide.pdf", "application/pdf", inline=True)


# -- the desk's board and a request's page (staff) ------------------------------------------


@_needs(Perm.DESK_HANDLE)
def board(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    status = str(request.GET.get("status") or "")
    rows = selectors.request_list_for_desk(
        actor=actor,
        status=status if status in RequestStatus.values else "",
        overdue_only=bool(request.GET.get("overdue")),
    )
    today = clock.today()
    return render(
        request,
        "family_desk/board.html",
        {
            "rows": rows[:200],
            "today": today,
            "status": status,
            "statuses": RequestStatus.choices,
            "overdue": selectors.request_list_for_desk(actor=actor, overdue_only=True).count(),
            "stale_count": selectors.procedures_stale(center_id=home_center_id(actor)).count(),
        },
    )


def _staff_action(request: HttpRequest, number: str) -> None:
    actor = actor_of(request)
    action = request.POST.get("action", "")
    body = request.POST.get("body", "")
    if action == "take":
        services.request_take(actor=actor, number=number)
    elif action == "assign":
        handler = str(request.POST.get("handler") or "")
        services.request_assign(
            actor=actor, number=number, handler_id=int(handler) if handler.isdigit() else 0
        )
    elif action in {"reply", "note"}:
        services.request_reply(actor=actor, number=number, body=body, visible=action == "reply")
    elif action == "ask_info":
        services.request_ask_info(actor=actor, number=number, body=body)
    elif action == "close":
        services.request_close(actor=actor, number=number, body=body)
    elif action == "add_info":
        services.request_add_info(asker=Asker.of_staff(actor), number=number, body=body)
    elif action == "withdraw":
        services.request_withdraw(asker=Asker.of_staff(actor), number=number)
    elif action == "rate":
        rating = str(request.POST.get("rating") or "")
        services.request_rate(
            asker=Asker.of_staff(actor),
            number=number,
            rating=int(rating) if rating.isdigit() else 0,
        )
    elif action == "custody":
        form = CustodyForm(request.POST, prefix="custody")
        if not form.is_valid():
            raise services.DeskInvalid(_("请完整填写交接信息。"))
        services.custody_record(actor=actor, number=number, **form.cleaned_data)
    else:
        raise services.DeskInvalid(_("未知操作。"))


@_needs(Perm.DESK_ASK)
def request_detail(request: HttpRequest, number: str) -> HttpResponse:
    actor = actor_of(request)
    asker = Asker.of_staff(actor)
    if request.method == "POST":
        try:
            _staff_action(request, number)
        except DomainError as exc:
            if exc.status in {403, 404}:
                raise  # the error page: not theirs to act on
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已保存。"))
        return redirect("family_desk:request_detail", number=number)
    found, parties = services.request_open(asker=asker, number=number)
    staff_side = bool(parties & {Party.DESK, Party.HANDLER})
    thread = found.messages.select_related("author_staff")
    if not staff_side:
        thread = thread.filter(kind=MessageKind.REPLY)
    return render(
        request,
        "family_desk/request_detail.html",
        {
            "r": found,
            "parties": parties,
            "staff_side": staff_side,
            "is_requester": Party.REQUESTER in parties,
            "actions": allowed_actions(status=found.status, parties=parties),
            "Action": {a.name: a.value for a in Action},
            "thread": thread,
            "custody": services.custody_chain(found),
            "outstanding": services.custody_outstanding(found),
            "custody_form": CustodyForm(prefix="custody"),
            "handlers": selectors.handlers_for(actor=actor) if Party.DESK in parties else [],
            "overdue": found.status in {"pending", "in_progress", "awaiting_info"}
            and found.due_on < clock.today(),
        },
    )


def _attachment_response(asker: Asker, number: str, pk: int) -> HttpResponse:
    found, _parties = services.request_open(asker=asker, number=number)  # audited
    attachment = found.attachments.filter(pk=pk).first()
    if attachment is None:
        raise Http404
    with attachment.file.open("rb") as handle:
        content = handle.read()
    response = _file(content, f"attachment-{attachment.pk}", attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@_needs(Perm.DESK_ASK)
def attachment(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    return _attachment_response(Asker.of_staff(request.user), number, pk)  # type: ignore[arg-type]


def phone_attachment(request: HttpRequest, center_code: str, number: str, pk: int) -> HttpResponse:
    member = _signed_in(request, _phone_center(center_code))
    if member is None:
        raise Http404
    return _attachment_response(Asker.of_family(member), number, pk)


@_needs(Perm.DESK_ASK)
def custody_print(request: HttpRequest, number: str) -> HttpResponse:
    actor = actor_of(request)
    found, parties = services.request_open(asker=Asker.of_staff(actor), number=number)
    if not parties & {Party.DESK, Party.HANDLER}:
        raise Http404
    pdf = services.custody_pdf(request=found, center_name=actor.center.name)
    return _file(pdf, f"custody-{found.number}.pdf", "application/pdf", inline=True)


@_needs(Perm.DESK_ASK)
def mine(request: HttpRequest) -> HttpResponse:
    """An officer's own page: ask the desk, follow one's requests, register family members."""
    actor = actor_of(request)
    ask = AskForm(prefix="ask")
    family = FamilyForm(prefix="family")
    section = request.POST.get("section")
    if request.method == "POST" and section == "ask":
        ask, created = _ask(request, Asker.of_staff(actor))
        if created is not None:
            messages.success(request, _("已提交，编号 %(n)s。") % {"n": created.number})
            return redirect("family_desk:request_detail", number=created.number)
    if request.method == "POST" and section == "family":
        family = FamilyForm(request.POST, prefix="family")
        if family.is_valid():
            try:
                services.family_member_register(actor=actor, **family.cleaned_data)
            except DomainError as exc:
                family.add_error(None, exc.message)
            else:
                messages.success(request, _("已登记，家属可用该手机号在手机页面登录。"))
                return redirect("family_desk:mine")
    if request.method == "POST" and section == "remove":
        member = str(request.POST.get("member") or "")
        services.family_member_remove(actor=actor, member_id=int(member) if member.isdigit() else 0)
        messages.success(request, _("已注销该家属的登记。"))
        return redirect("family_desk:mine")
    if request.method == "GET" and request.GET.get("procedure", "").isdigit():
        found = selectors.procedure_get(
            center_id=home_center_id(actor), procedure_id=int(request.GET["procedure"][:9])
        )
        if found is not None:
            ask.initial.update(procedure_id=found.pk, procedure_text=found.name)
    return render(
        request,
        "family_desk/mine.html",
        {
            "ask": ask,
            "family": family,
            "members": selectors.family_members_of(officer=actor),
            "rows": selectors.request_list_asked_by_staff(actor=actor)[:50],
            "handled": selectors.request_list_handled_by(actor=actor)[:50],
            "phone_url": f"/m/desk/{actor.center.code}/",
        },
    )


@_needs(Perm.DESK_FIGURES)
def figures(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    data = selectors.desk_figures(center_id=home_center_id(actor))
    return render(
        request,
        "family_desk/figures.html",
        {
            "f": data,
            "chart": {
                "months": data.months,
                "series": [{"name": k, "data": v} for k, v in data.by_month_type.items()],
                "units": [{"name": n, "value": c} for n, c in data.by_unit],
            },
            "summary": selectors.weekly_summary(center_id=home_center_id(actor)),
            "can_configure": has_perm(actor, Perm.DESK_CONFIGURE),
            "is_public": selectors.guide_is_public(center_id=home_center_id(actor)),
        },
    )


@require_POST
@_needs(Perm.DESK_CONFIGURE)
def guide_public(request: HttpRequest) -> HttpResponse:
    services.guide_set_public(actor=request.user, is_public=request.POST.get("is_public") == "1")  # type: ignore[arg-type]
    messages.success(request, _("已保存。"))
    return redirect("family_desk:figures")


# -- the family phone page ------------------------------------------------------------------


def _phone_center(center_code: str) -> Any:
    center = center_get(code=center_code[:20])
    if center is None:
        raise Http404
    return center


def _signed_in(request: HttpRequest, center: Any) -> FamilyMember | None:
    member = family_from_session(request)
    return member if member is not None and member.center_id == center.pk else None


def phone(request: HttpRequest, center_code: str) -> HttpResponse:
    """Sign in with an SMS code, then ask the desk and follow one's requests."""
    center = _phone_center(center_code)
    member = _signed_in(request, center)
    context: dict[str, Any] = {"center": center, "member": member, "step": "phone"}
    step = request.POST.get("step")
    if member is None and request.method == "POST":
        phone_number = str(request.POST.get("phone") or "")[:20]
        context["phone"] = phone_number
        try:
            if step == "send":
                services.sign_in_code_send(
                    center_id=center.pk, phone=phone_number, address=client_ip(request)
                )
                context["step"] = "code"
                context["notice"] = _("验证码已发送，5分钟内有效。")
            elif step == "verify":
                context["step"] = "code"
                signed = services.sign_in_code_verify(
                    center_id=center.pk, phone=phone_number, code=request.POST.get("code", "")
                )
                request.session.cycle_key()
                request.session[FAMILY_SESSION_KEY] = {"id": signed.pk, "center": center.pk}
                return redirect("family_desk:phone", center_code=center.code)
        except DomainError as exc:
            context["error"] = exc.message
    if member is not None:
        ask = AskForm(prefix="ask")
        if request.method == "POST" and step == "ask":
            ask, created = _ask(request, Asker.of_family(member))
            if created is not None:
                return redirect(
                    "family_desk:phone_request", center_code=center.code, number=created.number
                )
        if request.method == "GET" and request.GET.get("procedure", "").isdigit():
            found = selectors.procedure_get(
                center_id=center.pk, procedure_id=int(request.GET["procedure"][:9])
            )
            if found is not None:
                ask.initial.update(procedure_id=found.pk, procedure_text=found.name)
        context.update(
            ask=ask, rows=selectors.request_list_asked_by_family(member=member)[:30], step="home"
        )
    return render(request, "family_desk/phone.html", context)


def phone_request(request: HttpRequest, center_code: str, number: str) -> HttpResponse:
    center = _phone_center(center_code)
    member = _signed_in(request, center)
    if member is None:
        return redirect("family_desk:phone", center_code=center.code)
    asker = Asker.of_family(member)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add_info":
                services.request_add_info(
                    asker=asker, number=number, body=request.POST.get("body", "")
                )
            elif action == "withdraw":
                services.request_withdraw(asker=asker, number=number)
            elif action == "rate":
                rating = str(request.POST.get("rating") or "")
                services.request_rate(
                    asker=asker, number=number, rating=int(rating) if rating.isdigit() else 0
                )
        except DomainError as exc:
            if exc.status in {403, 404}:
                raise
            messages.error(request, exc.message)
        return redirect("family_desk:phone_request", center_code=center.code, number=number)
    found, parties = services.request_open(asker=asker, number=number)
    return render(
        request,
        "family_desk/phone_request.html",
        {
            "center": center,
            "r": found,
            "thread": found.messages.filter(kind=MessageKind.REPLY),
            "actions": allowed_actions(status=found.status, parties=parties),
        },
    )


@require_POST
def phone_sign_out(request: HttpRequest, center_code: str) -> HttpResponse:
    request.session.pop(FAMILY_SESSION_KEY, None)
    return redirect("family_desk:phone", center_code=center_code[:20])
