"""刷脸核验 page: consent first, then capture (camera burst or uploaded photos), then the
decision. Frames are read into memory only (no temporary files) and dropped after the response.
"""

from __future__ import annotations

import base64
from typing import Any, cast
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from bianmin.core import clock
from bianmin.core.actors import StaffActor
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Perm, has_perm
from bianmin.identity import engine
from bianmin.identity.enums import Decision, OfficerDecision
from bianmin.identity.errors import IdentityError
from bianmin.identity.selectors import (
    face_check_get,
    face_consent_get,
    face_enrollment_state,
)
from bianmin.identity.services import (
    VerifyResult,
    face_check_decide,
    face_consent_record,
    face_verify,
    frame_problems,
    liveness_config,
    liveness_prompt,
    max_frames,
    preview_jpeg,
)
from bianmin.people.selectors import person_get

PURPOSES = ["办理业务身份核验", "领证身份核验", "补领证件身份核验"]
FRAME_MAX_BYTES = 8 * 1024 * 1024


class MemoryOnlyUploadHandler(FileUploadHandler):
    """Keep uploaded frames in memory whatever their size (never a temporary file on disk).

    Beyond the engine's 8 MB limit it keeps only one byte more, so the engine still answers
    "file too large" without the rest ever being held.
    """

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.chunks: list[bytes] = []
        self.size = 0
        raise StopFutureHandlers

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        room = FRAME_MAX_BYTES + 1 - self.size
        if room > 0:
            piece = raw_data[:room]
            self.chunks.append(piece)
            self.size += len(piece)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        import io

        return InMemoryUploadedFile(
            io.BytesIO(b"".join(self.chunks)),
            self.field_name,
            self.file_name,
            self.content_type,
            self.size,
            self.charset,
            self.content_type_extra,
        )


def _need(request: HttpRequest, perm: Perm = Perm.FACE_VERIFY) -> None:
    if not has_perm(request.user, perm):
        raise HttpForbidden


def _actor(request: HttpRequest) -> StaffActor:
    """The signed-in staff member (every view here has passed ``_need`` first)."""
    return cast(StaffActor, request.user)


def _safe_next(request: HttpRequest, value: str | None) -> str:
    value = (value or "").strip()
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


def _with_param(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = "&".join(q for q in [parts.query, urlencode(params)] if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _data_url(jpeg: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")


def _registry_preview(person: Any) -> str:
    try:
        return _data_url(preview_jpeg(engine.decode_image(bytes(person.photo))))
    except engine.FaceEngineError:
        return ""


@login_required
def check_view(request: HttpRequest) -> HttpResponse:
    """Step 1 (no `consent`): record the citizen's consent. Step 2 (`?consent=`): capture."""
    _need(request)
    source = request.POST if request.method == "POST" else request.GET
    next_url = _safe_next(request, source.get("next"))
    consent_id = request.GET.get("consent", "")
    if request.method == "POST":
        try:
            consent = face_consent_record(
                actor=_actor(request),
                id_number=request.POST.get("id_number", ""),
                purpose=request.POST.get("purpose", ""),
                guardian_name=request.POST.get("guardian_name", ""),
                guardian_id_number=request.POST.get("guardian_id_number", ""),
            )
        except DomainError as exc:
            return render(
                request,
                "identity/check.html",
                {
                    "step": "consent",
                    "error": exc.message,
                    "form": request.POST,
                    "purposes": PURPOSES,
                    "next": next_url,
                },
                status=exc.status,
            )
        params = {"consent": str(consent.pk)}
        if next_url:
            params["next"] = next_url
        return redirect(reverse("identity:check") + "?" + urlencode(params))
    if consent_id:
        try:
            consent = face_consent_get(user=_actor(request), consent_id=consent_id)
        except DomainError as exc:
            return render(
                request,
                "identity/check.html",
                {"step": "consent", "error": exc.message, "purposes": PURPOSES, "next": next_url},
                status=exc.status,
            )
        usable = consent.used_at is None and consent.expires_at > clock.now()
        return render(
            request,
            "identity/check.html",
            {
                "step": "capture",
                "consent": consent,
                "usable": usable,
                "person": consent.person,
                "enrollment": face_enrollment_state(person=consent.person),
                "prompt": liveness_prompt(),
                "challenge": liveness_config().challenge,
                "max_frames": max_frames(),
                "next": next_url,
            },
        )
    return render(
        request,
        "identity/check.html",
        {
            "step": "consent",
            "form": {"id_number": request.GET.get("id_number", "")[:18]},
            "purposes": PURPOSES,
            "next": next_url,
        },
    )


@login_required
@require_POST
def quality_view(request: HttpRequest, consent_id: str) -> JsonResponse:
    """Live guidance for one preview frame (JSON; nothing stored, nothing logged)."""
    _need(request)
    try:
        consent = face_consent_get(user=_actor(request), consent_id=consent_id)
    except DomainError as exc:
        return JsonResponse({"code": exc.code, "message": exc.message}, status=exc.status)
    if consent.used_at is not None or consent.expires_at <= clock.now():
        return JsonResponse(
            {"code": IdentityError.CONSENT_EXPIRED, "message": _("同意记录已失效，请重新登记同意")},
            status=400,
        )
    upload = request.FILES.get("frame")
    if upload is None:
        return JsonResponse(
            {"code": IdentityError.NO_FRAMES, "message": _("没有收到画面")}, status=400
        )
    problems = frame_problems(upload.read())
    return JsonResponse({"ok": not problems, "messages": problems})


def _result_context(
    request: HttpRequest, result: VerifyResult | None, check: Any, next_url: str
) -> dict[str, Any]:
    show_faces = result is not None and check.decision != Decision.MATCH
    return {
        "check": check,
        "registry_photo": _registry_preview(check.person) if show_faces else "",
        "probe_photo": _data_url(result.probe_preview) if show_faces and result else "",
        "next": next_url,
        "back_url": _with_param(next_url, face_check_id=str(check.pk)) if next_url else "",
        "decisions": OfficerDecision.choices,
    }


@csrf_exempt
def verify_view(request: HttpRequest, consent_id: str) -> HttpResponse:
    # Swap the upload handlers before anything reads the body, then check CSRF as usual.
    request.upload_handlers = [MemoryOnlyUploadHandler(request)]
    return _verify_protected(request, consent_id)


@csrf_protect
@login_required
@require_POST
def _verify_protected(request: HttpRequest, consent_id: str) -> HttpResponse:
    _need(request)
    next_url = _safe_next(request, request.POST.get("next"))
    frames = [f.read() for f in request.FILES.getlist("frames")[:64]]
    try:
        consent = face_consent_get(user=_actor(request), consent_id=consent_id)
        result = face_verify(
            actor=_actor(request),
            id_number=consent.person.id_number or "",
            consent_id=consent_id,
            frames=frames,
            keep_for_case=request.POST.get("keep_for_case", "")[:40],
        )
    except DomainError as exc:
        return render(
            request, "identity/_result.html#error", {"error": exc.message}, status=exc.status
        )
    finally:
        frames.clear()
    context = _result_context(request, result, result.check, next_url)
    return render(request, "identity/_result.html", context)


@login_required
@require_POST
def decide_view(request: HttpRequest, check_id: str) -> HttpResponse:
    _need(request)
    next_url = _safe_next(request, request.POST.get("next"))
    try:
        check = face_check_get(user=_actor(request), check_id=check_id)
        check = face_check_decide(
            actor=_actor(request),
            check=check,
            decision=request.POST.get("decision", ""),
            reason=request.POST.get("reason", ""),
        )
    except DomainError as exc:
        return render(
            request, "identity/_result.html#error", {"error": exc.message}, status=exc.status
        )
    return render(request, "identity/_result.html", _result_context(request, None, check, next_url))


@login_required
def person_face_view(request: HttpRequest, person_id: int) -> HttpResponse:
    """Fragment for the person's page: is a face template enrolled, or why not."""
    if not (has_perm(request.user, Perm.PERSON_VIEW) or has_perm(request.user, Perm.FACE_VERIFY)):
        raise HttpForbidden
    try:
        person = person_get(user=request.user, pk=person_id)
    except DomainError as exc:
        return HttpResponse(exc.message, status=exc.status)
    return render(
        request,
        "identity/_person_face.html",
        {"person": person, "enrollment": face_enrollment_state(person=person)},
    )
