from datetime import date
from typing import Literal

from django.http import HttpRequest
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from bianmin.accounts.api import require, staff_auth
from bianmin.core import clock
from bianmin.core.permissions import Perm
from bianmin.core.throttling import AnonWindowThrottle
from bianmin.people.idnumber import check_id_number
from bianmin.people.services import PersonInput, person_upsert

router = Router(tags=["人口信息"])


class IdCheckIn(Schema):
    id_number: str


class IdCheckOut(Schema):
    valid: bool
    birth_date: date | None
    gender: Literal["male", "female"] | None
    region_code: str | None
    error: str | None


@router.post(
    "/id-numbers/check",
    response=IdCheckOut,
    summary="校验身份证号码（公开）",
    throttle=[AnonWindowThrottle("60/m")],
)
def id_number_check(request: HttpRequest, payload: IdCheckIn) -> dict:
    check = check_id_number(payload.id_number[:40], today=clock.today())
    return {
        "valid": check.valid,
        "birth_date": check.birth_date if check.valid else None,
        "gender": check.gender if check.valid else None,
        "region_code": check.region_code if check.valid else None,
        "error": check.error,
    }


class PersonOut(Schema):
    id: int
    id_number_masked: str
    phone_masked: str


@router.post("/people", response=PersonOut, auth=staff_auth, summary="新增或更新人口信息")
def people_upsert(
    request: HttpRequest,
    name: Form[str],
    id_number: Form[str],
    gender: Form[str],
    phone: Form[str] = "",
    address: Form[str] = "",
    photo: File[UploadedFile | None] = None,
) -> dict:
    actor = require(request, Perm.PERSON_EDIT)
    person, _created = person_upsert(
        actor=actor,
        data=PersonInput(
            name=name,
            id_number=id_number,
            gender=gender,
            phone=phone,
            address=address,
            photo=photo.read() if photo is not None else None,
        ),
    )
    return {
        "id": person.pk,
        "id_number_masked": person.id_number_masked,
        "phone_masked": person.phone_masked,
    }
