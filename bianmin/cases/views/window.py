"""The window panel (one page, htmx): register, confirm, pre-review, notice, accept, arrival,
pickup, and inquiries (首问负责)."""

from __future__ import annotations

import base64
import binascii
import io
from collections.abc import Callable
from datetime import date
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST
from PIL import Image, UnidentifiedImageError

from bianmin.accounts.selectors import staff_list
from bianmin.cases import pipeline, selectors, services
from bianmin.cases.checklist import DECLARED_FACTS, facts_summary
from bianmin.cases.enums import (
    CaseStatus,
    ConfirmationMethod,
    ConfirmationStage,
    IdType,
    InquiryStatus,
    MaterialState,
    PickupMethod,
)
from bianmin.cases.models import Case
from bianmin.cases.views.base import GROUPS, _need, _notify, _staff
from bianmin.catalogue.selectors import item_list
from bianmin.core import clock
from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Perm, Role, has_perm
from bianmin.core.signatures import signature_png
from bianmin.hall.selectors import ticket_summary
from bianmin.identity.selectors import face_check_confirmed, face_check_for_consent
from bianmin.identity.services import face_consent_record
from bianmin.people.idnumber import check_id_number, mask_id_number
from bianmin.people.selectors import person_get, person_registry_lookup

# The registry fill hands the page a signed reference to the person, never the number.
PERSON_REF_SALT = "cases.window.person_ref"
PERSON_REF_MAX_AGE = 3600

# --- the window panel ------------------------------------------------------------------------------


def _panel_context(
    request: HttpRequest,
    *,
    case: Case | None,
    ticket_id: str = "",
    error: str = "",
    message: str = "",
    face_consent_id: str = "",
) -> dict[str, Any]:
    user = _staff(request)
    ticket = (
        ticket_summary(ticket_id=ticket_id, center_id=home_center_id(user)) if ticket_id else None
    )
    if ticket is not None and ticket.center_id != user.center_id:
        # another center's ticket is unknown here (no number, no item leaks across centers)
        ticket, ticket_id = None, ""
    inquiry = selectors.inquiry_for_ticket(user=user, ticket_id=ticket_id) if ticket_id else None
    if case is None and inquiry is not None:
        case = selectors.case_for_inquiry(inquiry=inquiry)
    if case is not None:
        case = selectors.case_get(user=user, number=case.number)
    ctx: dict[str, Any] = {
        "case": case,
        "ticket": ticket,
        "ticket_id": ticket_id,
        "inquiry": inquiry,
        "error": error,
        "message": message,
        "id_types": IdType.choices,
        "declared": DECLARED_FACTS,
        "groups": GROUPS,
        "pickup_methods": PickupMethod.choices,
    }
    if case is None:
        items = list(item_list())
        ctx["items"] = items
        ctx["default_item"] = ticket.item_codes[0] if ticket and ticket.item_codes else ""
        ctx["variants"] = [
            (f"{i.code}", v.code, v.name) for i in items for v in i.fee_variants.all()
        ]
        ctx["colleagues"] = [s for s in staff_list(user=user, role=Role.OFFICER) if s.pk != user.pk]
        ctx["inquiry_open"] = inquiry is not None and inquiry.status in (
            InquiryStatus.OPEN,
            InquiryStatus.HANDOVER_PENDING,
        )
        ctx["handover"] = (
            inquiry.handovers.filter(received_at__isnull=True).first() if inquiry else None
        )
        return ctx
    materials = list(case.materials.all())
    lacking = [m for m in materials if m.is_required and m.state != MaterialState.PROVIDED]
    reviewed = all(m.state != MaterialState.NOT_CHECKED for m in materials if m.is_required)
    only_secondary = bool(lacking) and all(not m.is_primary for m in lacking)
    ctx.update(
        {
            "materials": materials,
            "not_needed": [m.name for m in materials if not m.is_required],
            "lacking": lacking,
            "reviewed": reviewed,
            "is_pre": case.status in (CaseStatus.PRE_REVIEW, CaseStatus.AWAITING_SUPPLEMENT),
            "window_confirmed": case.confirmations.filter(stage=ConfirmationStage.WINDOW).exists(),
            "confirmations": list(case.confirmations.all()),
            "may_gaps": reviewed and only_secondary and case.item.allows_accept_with_gaps,
            "notices": list(case.notices.order_by("seq")),
            "facts_text": facts_summary(case.facts),
            "status_label": pipeline.progress_label(
                status=case.status, next_stage_=case.next_stage
            ),
            "deadline_state": pipeline.deadline_state(
                today=clock.today(),
                deadline=case.deadline,
                warn_on=case.warn_on,
                status=case.status,
            ),
            "may_close": case.status == CaseStatus.ACCEPTED
            and case.next_stage == "closed"
            and pipeline.role_may(getattr(user, "role", None), "closed"),
            "may_arrival": case.status == CaseStatus.ACCEPTED and case.next_stage == "arrival",
            "may_notify": has_perm(user, Perm.SMS_SEND),
            "may_pickup": case.status == CaseStatus.ACCEPTED and case.next_stage == "pickup",
            "face_consent_id": face_consent_id,
            # the face-status partial, first drawn inside the panel
            "consent_id": face_consent_id,
            "case_number": case.number,
            "check": None,
            "passed": False,
            "states": [
                (MaterialState.PROVIDED, "已提供"),
                (MaterialState.MISSING, "缺少"),
                (MaterialState.DEFECTIVE, "不符合要求"),
            ],
        }
    )
    return ctx


def _render_panel(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return render(request, "cases/window_panel.html", _panel_context(request, **kwargs))


@login_required
def window_page(request: HttpRequest) -> HttpResponse:
    """窗口受理: the panel on a page of its own (the hall workspace embeds the fragment)."""
    _need(request, Perm.CASE_ACCEPT)
    number = request.GET.get("case", "").strip()
    case = None
    error = ""
    if number:
        try:
            case = selectors.case_get(user=request.user, number=number)
        except DomainError as exc:
            error = exc.message
    ctx = _panel_context(
        request, case=case, ticket_id=request.GET.get("ticket", "")[:64], error=error
    )
    ctx["number"] = number
    return render(request, "cases/window.html", ctx)


@login_required
def window_panel(request: HttpRequest) -> HttpResponse:
    """The fragment: `?ticket=<id>` (a called ticket) or `?case=<number>`."""
    _need(request, Perm.CASE_ACCEPT)
    number = request.GET.get("case", "").strip()
    if number:
        try:
            case = selectors.case_get(user=request.user, number=number)
        except DomainError as exc:
            return _render_panel(request, case=None, error=exc.message)
        return _render_panel(request, case=case)
    return _render_panel(request, case=None, ticket_id=request.GET.get("ticket", "")[:64])


def _declared(post: Any) -> dict[str, bool]:
    return {key: post.get(f"fact_{key}") == "on" for key in DECLARED_FACTS}


def _confirm_method(post: Any) -> str:
    method = post.get("confirm_method", "") or ConfirmationMethod.TYPED
    return method if method in (ConfirmationMethod.TYPED, ConfirmationMethod.CARD) else "?"


def _applicant_id(request: HttpRequest) -> tuple[str, str]:
    """The applicant's ID number and how it was given: the registry (a signed reference),
    the ID card read on the page's reader, or typed."""
    post = request.POST
    ref = post.get("person_ref", "")
    if ref:
        try:
            pk = signing.loads(ref, salt=PERSON_REF_SALT, max_age=PERSON_REF_MAX_AGE)
        except signing.BadSignature as exc:
            raise DomainError("人口信息检索结果已失效，请重新检索") from exc
        person = person_get(user=_staff(request), pk=int(pk))
        return person.id_number or "", ConfirmationMethod.REGISTRY
    return post.get("id_number", ""), _confirm_method(post)


def _chip_photo(post: Any) -> bytes | None:
    """The card chip's photo the reader returned (base64 JPEG, a few KB); unreadable → none
    (the registry then keeps what it has; the registration never fails for it)."""
    text = post.get("chip_photo", "")
    if not text or len(text) > 100_000:
        return None
    try:
        data = base64.b64decode(text, validate=True)
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            if image.format not in {"JPEG", "PNG"} or max(image.size) > 1000:
                return None
    except (binascii.Error, ValueError, OSError, UnidentifiedImageError):
        return None
    return data


def _act_start(request: HttpRequest, case: Case | None) -> Case | None:
    post = request.POST
    id_number, method = _applicant_id(request)
    fee_variant = post.get("fee_variant", "")
    item_code = post.get("item_code", "")
    if fee_variant and ":" in fee_variant:
        variant_item, fee_variant = fee_variant.split(":", 1)
        if variant_item != item_code:
            fee_variant = ""
    return services.case_create(
        actor=_staff(request),
        item_code=item_code,
        applicant=services.ApplicantInput(
            name=post.get("name", ""),
            id_number=id_number,
            gender=post.get("gender", ""),
            phone=post.get("phone", ""),
            id_type=post.get("id_type", IdType.RESIDENT_ID),
            chip_photo=_chip_photo(post) if method == ConfirmationMethod.CARD else None,
        ),
        confirm_method=method,
        declared=_declared(post),
        ticket_id=post.get("ticket_id", "")[:64],
        groups=[g for g in post.getlist("groups") if g in GROUPS],
        fee_variant=fee_variant,
        is_urgent=post.get("is_urgent") == "on",
        is_holiday_appointment=post.get("is_holiday_appointment") == "on",
        is_standby_24h=post.get("is_standby_24h") == "on",
    )


def _act_confirm(request: HttpRequest, case: Case | None) -> Case | None:
    assert case is not None
    post = request.POST
    services.case_confirmation_record(
        actor=_staff(request),
        case_number=case.number,
        stage=ConfirmationStage.WINDOW,
        name=post.get("name", ""),
        gender=post.get("gender", ""),
        id_type=post.get("id_type", ""),
        id_number=post.get("id_number", ""),
        method=_confirm_method(post),
    )
    return case


def _act_review(request: HttpRequest, case: Case | None) -> Case | None:
    assert case is not None
    results = {}
    for material in case.materials.all():
        state = request.POST.get(f"m_{material.code}")
        if state:
            results[material.code] = (state, request.POST.get(f"r_{material.code}", ""))
    return services.case_pre_review(actor=_staff(request), case=case, results=results)


def _act_notice(request: HttpRequest, case: Case | None) -> Case | None:
    assert case is not None
    services.case_issue_missing_notice(actor=_staff(request), case=case)
    return case


def _act_accept(request: HttpRequest, case: Case | None) -> Case | None:
    assert case is not None
    with_gaps = request.POST.get("with_gaps") == "1"
    return services.case_accept(
        actor=_staff(request),
        case=case,
        with_gaps=with_gaps,
        commitment=request.POST.get("commitment", ""),
        signature=signature_png(request.POST.get("signature", ""), required=with_gaps)
        if with_gaps
        else None,
    )


def _act_facts(request: HttpRequest, case: Case | None) -> Case | None:
    assert case is not None
    return services.case_facts_change(
        actor=_staff(request),
        case=case,
        declared=_declared(request.POST),
        note=request.POST.get("note", ""),
    )


def _act_supplement(request: HttpRequest, case: Case | None) -> Case | None:
    assert case is not None
    return services.case_supplement_gaps(actor=_staff(request), case=case)


def _act_arrival(request: HttpRequest, case: Case | None) -> Case | None:
    assert case is not None
    return services.case_register_arrival(actor=_staff(request), case=case, notify=_notify(request))


def _act_pickup(request: HttpRequest, case: Case | None) -> Case | None:
    assert case is not None
    post = request.POST
    return services.case_pickup(
        actor=_staff(request),
        case=case,
        method=post.get("method", ""),
        proxy_name=post.get("proxy_name", ""),
        proxy_id_number=post.get("proxy_id_number", ""),
        authorization_note=post.get("authorization_note", ""),
        face_check_id=post.get("face_check_id") or None,
    )


def _act_close(request: HttpRequest, case: Case | None) -> Case | None:
    assert case is not None
    return services.case_advance(
        actor=_staff(request), case=case, to_stage="closed", note=request.POST.get("note", "")
    )


FACE_PURPOSE = "领证身份核验"


def _act_face_start(request: HttpRequest, case: Case | None) -> Case | None:
    """刷脸核验 from the pickup panel: the applicant's consent is recorded here (the person and
    the consent travel to the check page; the result comes back to the panel by itself)."""
    assert case is not None
    if request.POST.get("face_consent") != "on":
        raise DomainError("请先征得申请人对本次刷脸核验的单独同意")
    consent = face_consent_record(
        actor=_staff(request), id_number=case.applicant.id_number or "", purpose=FACE_PURPOSE
    )
    request.face_consent_id = str(consent.pk)  # type: ignore[attr-defined]
    return case


WINDOW_ACTIONS: dict[str, tuple[Callable[[HttpRequest, Case | None], Case | None], str]] = {
    "start": (_act_start, "已登记申请，请申请人核对确认信息"),
    "confirm": (_act_confirm, "申请人已在窗口确认信息"),
    "review": (_act_review, "材料预审结果已保存"),
    "notice": (_act_notice, "已出具一次性告知单"),
    "accept": (_act_accept, "已受理"),
    "facts": (_act_facts, "已登记申请人情况变化"),
    "supplement": (_act_supplement, "容缺材料已补齐"),
    "arrival": (_act_arrival, "已登记到证"),
    "pickup": (_act_pickup, "已领取，办件办结"),
    "face_start": (_act_face_start, "已记录申请人同意，请在刷脸核验页完成比对，结果会自动回到本页"),
    "close": (_act_close, "已办结"),
}


@login_required
@require_POST
def window_action(request: HttpRequest, action: str) -> HttpResponse:
    _need(request, Perm.CASE_ACCEPT)
    handler = WINDOW_ACTIONS.get(action)
    if handler is None:
        raise HttpForbidden
    number = request.POST.get("case", "").strip()
    ticket_id = request.POST.get("ticket_id", "")[:64]
    case = None
    try:
        if number:
            case = selectors.case_get(user=request.user, number=number)
        case = handler[0](request, case)
    except DomainError as exc:
        return _render_panel(request, case=case, ticket_id=ticket_id, error=exc.message)
    return _render_panel(
        request,
        case=case,
        ticket_id=ticket_id,
        message=handler[1],
        face_consent_id=getattr(request, "face_consent_id", ""),
    )


@login_required
@require_POST
def inquiry_action(request: HttpRequest, action: str) -> HttpResponse:
    """仅咨询: answer the question, hand it over, or sign its receipt (首问负责)."""
    _need(request, Perm.CASE_ACCEPT)
    ticket_id = request.POST.get("ticket_id", "")[:64]
    post = request.POST
    try:
        inquiry = (
            selectors.inquiry_for_ticket(user=request.user, ticket_id=ticket_id)
            if ticket_id
            else None
        )
        if inquiry is None:
            inquiry = services.inquiry_open(
                actor=_staff(request),
                ticket_id=ticket_id,
                item_code=post.get("item_code", ""),
                topic=post.get("topic", ""),
            )
        if action == "answer":
            services.inquiry_answer(
                actor=_staff(request), inquiry=inquiry, answer=post.get("answer", "")
            )
            message = "咨询已答复并记录"
        elif action == "handover":
            colleague = staff_list(user=request.user).filter(pk=post.get("to_officer") or 0).first()
            if colleague is None:
                raise DomainError("请选择接手民警")
            services.inquiry_hand_over(
                actor=_staff(request),
                inquiry=inquiry,
                to_officer=cast(StaffActor, colleague),
                note=post.get("note", ""),
            )
            message = f"已移交{colleague}，待其确认接手；确认前仍由您负责"
        elif action == "receive":
            services.inquiry_receive(actor=_staff(request), inquiry=inquiry)
            message = "已确认接手该咨询"
        else:
            raise HttpForbidden
    except DomainError as exc:
        return _render_panel(request, case=None, ticket_id=ticket_id, error=exc.message)
    return _render_panel(request, case=None, ticket_id=ticket_id, message=message)


@login_required
@require_POST
def id_check(request: HttpRequest) -> HttpResponse:
    """Live check of the ID number typed at the window (a server partial)."""
    _need(request, Perm.CASE_ACCEPT)
    check = check_id_number(request.POST.get("id_number", "")[:40], today=clock.today())
    return render(
        request,
        "cases/window_panel.html#id_check",
        {"check": check, "typed": bool(request.POST.get("id_number"))},
    )


@login_required
def applicant_lookup(request: HttpRequest) -> HttpResponse:
    """Fill the applicant from the registry: name + birth date, or the mobile number. The
    officer sees masked numbers only; choosing one puts a signed reference in the form."""
    _need(request, Perm.CASE_ACCEPT)
    user = _staff(request)
    name = request.GET.get("lookup_name", "").strip()[:50]
    phone = request.GET.get("lookup_phone", "").strip()[:14]
    birth_text = request.GET.get("lookup_birth", "").strip()[:10]
    error = ""
    people: list[Any] = []
    birth = None
    if birth_text:
        try:
            birth = date.fromisoformat(birth_text)
        except ValueError:
            error = "出生日期格式不正确，例如 1990-05-01"
    if not error and not phone and not (name and birth):
        error = "请填写姓名和出生日期，或手机号码"
    if not error:
        people = person_registry_lookup(actor=user, name=name, birth_date=birth, phone=phone)
        if not people:
            error = "人口信息中没有找到，请读卡或录入"
    rows = [
        {
            "ref": signing.dumps(p.pk, salt=PERSON_REF_SALT),
            "name": p.name,
            "gender": p.gender,
            "id_masked": mask_id_number(p.id_number or ""),
            "phone_masked": p.phone_masked,
        }
        for p in people
    ]
    return render(
        request, "cases/window_panel.html#registry_results", {"rows": rows, "lookup_error": error}
    )


@login_required
def ticket_case(request: HttpRequest) -> HttpResponse:
    """The case number of a (parked) ticket, for the officer's workspace (a fragment)."""
    _need(request, Perm.CASE_ACCEPT)
    ticket_id = request.GET.get("ticket", "")[:64]
    case = selectors.case_for_ticket(user=request.user, ticket_id=ticket_id) if ticket_id else None
    return render(request, "cases/window_panel.html#ticket_case", {"ticket_case": case})


@login_required
def face_status(request: HttpRequest) -> HttpResponse:
    """The pickup panel waits here (polled) for the face check started on `consent`: once the
    check is done its id fills the pickup form by itself, with the outcome."""
    _need(request, Perm.CASE_ACCEPT)
    user = _staff(request)
    consent_id = request.GET.get("consent", "")[:64]
    number = request.GET.get("case", "")[:24]
    ctx: dict[str, Any] = {
        "consent_id": consent_id,
        "case_number": number,
        "check": None,
        "passed": False,
    }
    try:
        case = selectors.case_get(user=user, number=number)
    except DomainError:
        return render(request, "cases/window_panel.html#face_status", ctx)
    check = face_check_for_consent(user=user, consent_id=consent_id)
    if check is not None and check.person_id == case.applicant_id:
        ctx["check"] = check
        ctx["passed"] = face_check_confirmed(
            check_id=str(check.pk), id_number=case.applicant.id_number or ""
        )
    return render(request, "cases/window_panel.html#face_status", ctx)
