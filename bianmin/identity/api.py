"""刷脸办 JSON API (contracts.md): record a consent, then verify frames against the registry."""

from typing import Literal

from django.http import HttpRequest
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from bianmin.accounts.api import require, staff_auth
from bianmin.core.permissions import Perm
from bianmin.identity.enums import Decision
from bianmin.identity.services import face_consent_record, face_verify

router = Router(tags=["刷脸办"])


class ErrorOut(Schema):
    code: str
    message: str


class ConsentIn(Schema):
    id_number: str
    purpose: str
    guardian_name: str = ""  # required when the person is under 14
    guardian_id_number: str = ""


class ConsentOut(Schema):
    consent_id: str


class VerifyOut(Schema):
    match: bool
    score: float
    threshold: float
    liveness: Literal["passed", "failed", "not_checked"]
    check_id: str


@router.post(
    "/face/consents",
    response={200: ConsentOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=staff_auth,
    summary="登记刷脸核验的单独同意（未满14周岁须填写监护人）",
)
def consent_create(request: HttpRequest, payload: ConsentIn) -> dict:
    actor = require(request, Perm.FACE_VERIFY)
    consent = face_consent_record(
        actor=actor,
        id_number=payload.id_number,
        purpose=payload.purpose,
        guardian_name=payload.guardian_name,
        guardian_id_number=payload.guardian_id_number,
    )
    return {"consent_id": str(consent.pk)}


@router.post(
    "/face/verify",
    response={200: VerifyOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    auth=staff_auth,
    summary="人脸 1:1 核验（与登记照片比对，含活体检测）",
)
def verify(
    request: HttpRequest,
    id_number: Form[str],
    consent_id: Form[str],
    frames: File[list[UploadedFile]],
    keep_for_case: Form[str] = "",
) -> dict:
    actor = require(request, Perm.FACE_VERIFY)
    result = face_verify(
        actor=actor,
        id_number=id_number,
        consent_id=consent_id,
        frames=[f.read() for f in frames[:64]],
        keep_for_case=keep_for_case,
    )
    check = result.check
    return {
        "match": check.decision == Decision.MATCH,
        "score": check.score,
        "threshold": check.threshold,
        "liveness": check.liveness,
        "check_id": str(check.pk),
    }
