"""Writes to the person registry. Every write and every full-value read is audited."""

import hashlib
import io
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.crypto import blind_index
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.masking import mask_phone
from bianmin.core.permissions import Perm, has_perm
from bianmin.people.enums import Gender
from bianmin.people.idnumber import check_id_number, mask_id_number
from bianmin.people.models import Person

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
NAME_RE = re.compile(r"^[\u3400-\u9fff\U00020000-\U0003134f·•A-Za-z ]{1,50}$")
PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTO_MAX_PIXELS = 12_000_000


class PersonError(DomainError):
    code = "invalid_person"


def id_number_index(id_number: str) -> str:
    return blind_index(id_number.strip().upper(), purpose="id_number")


def phone_index(phone: str) -> str:
    return blind_index(phone.strip(), purpose="phone")


def clean_phone(phone: str) -> str:
    phone = re.sub(r"[\s-]", "", phone or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if not PHONE_RE.match(phone):
        raise PersonError(_("手机号码应为11位大陆手机号，例如 13912345678"), code="invalid_phone")
    return phone


def clean_name(name: str) -> str:
    name = (name or "").strip()
    if not NAME_RE.match(name):
        raise PersonError(_("姓名应为1至50个汉字（可含间隔号·）"), code="invalid_name")
    return name


def clean_photo(photo: bytes) -> bytes:
    if len(photo) > PHOTO_MAX_BYTES:
        raise PersonError(_("照片不能超过8MB"), code="photo_too_large")
    try:
        with Image.open(io.BytesIO(photo)) as image:
            if image.format not in {"JPEG", "PNG"}:
                raise PersonError(_("照片须为 JPEG 或 PNG 格式"), code="photo_format")
            if image.width * image.height > PHOTO_MAX_PIXELS:
                raise PersonError(_("照片像素过大，请压缩后再上传"), code="photo_too_large")
            image.load()
    except PersonError:
        raise
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise PersonError(
            _("无法读取照片文件，请上传完整的 JPEG 或 PNG 图片"), code="photo_unreadable"
        ) from exc
    return photo


@dataclass(frozen=True)
class PersonInput:
    name: str
    id_number: str
    gender: str
    phone: str = ""
    address: str = ""
    photo: bytes | None = None


def person_validate(data: PersonInput) -> PersonInput:
    """Check every field; raise PersonError with the first problem, in Chinese."""
    if data.gender not in Gender.values:
        raise PersonError(_("性别只能是男或女"), code="invalid_gender")
    check = check_id_number(data.id_number, gender=data.gender, today=clock.today())
    if not check.valid:
        raise PersonError(check.error or _("身份证号码无效"), code=f"id_{check.error_code}")
    return PersonInput(
        name=clean_name(data.name),
        id_number=check.normalized,
        gender=data.gender,
        phone=clean_phone(data.phone) if data.phone else "",
        address=(data.address or "").strip()[:200],
        photo=clean_photo(data.photo) if data.photo else None,
    )


def _public_state(person: Person) -> dict[str, Any]:
    return {
        "name": person.name,
        "gender": person.gender,
        "id_number": person.id_number_masked,
        "phone": person.phone_masked,
        "photo_sha256": person.photo_sha256[:16],
    }


def _write(person: Person, data: PersonInput) -> None:
    check = check_id_number(data.id_number, today=clock.today())
    person.name = data.name
    person.gender = data.gender
    person.id_number = data.id_number
    person.id_number_index = id_number_index(data.id_number)
    person.id_number_masked = mask_id_number(data.id_number)
    person.birth_date = check.birth_date  # type: ignore[assignment]
    person.region_code = check.region_code or data.id_number[:6]
    if data.phone:
        person.phone = data.phone
        person.phone_index = phone_index(data.phone)
        person.phone_masked = mask_phone(data.phone)
    if data.address:
        person.address = data.address
    if data.photo is not None:
        digest = hashlib.sha256(data.photo).hexdigest()
        if digest != person.photo_sha256:
            person.photo = data.photo
            person.photo_sha256 = digest
            person.photo_updated_at = clock.now()


@transaction.atomic
def person_upsert(*, actor: Any, data: PersonInput, center: Any = None) -> tuple[Person, bool]:
    """Create a person, or update the one with this ID number. Returns (person, created)."""
    if not has_perm(actor, Perm.PERSON_EDIT):
        raise PermissionDenied(_("您没有维护人口信息的权限"))
    data = person_validate(data)
    person = (
        Person.objects.select_for_update()
        .filter(id_number_index=id_number_index(data.id_number))
        .first()
    )
    created = person is None
    if person is None:
        person = Person(center=center or actor.center)
        before = None
    else:
        before = _public_state(person)
    photo_before = person.photo_sha256
    _write(person, data)
    person.save()
    audit_record(
        actor=actor,
        action=AuditAction.PERSON_CREATED if created else AuditAction.PERSON_UPDATED,
        target=person,
        center_id=person.center_id,
        before=before,
        after=_public_state(person),
    )
    if person.photo_sha256 != photo_before:
        transaction.on_commit(lambda: _photo_changed(person.pk))
    return person, created


def _photo_changed(person_id: int) -> None:
    """Hook for contexts that derive data from the registry photo (face templates)."""
    from bianmin.people import hooks

    for hook in hooks.PHOTO_CHANGED:
        hook(person_id)


@transaction.atomic
def person_reveal(*, actor: Any, person: Person, field: str) -> str:
    """The full ID number or phone, for someone who may see it; the reading is audited."""
    if not has_perm(actor, Perm.PERSON_REVEAL):
        raise PermissionDenied(_("您没有查看完整证件号码和电话的权限"))
    if field not in {"id_number", "phone"}:
        raise DomainError(_("只能查看证件号码或电话"), code="invalid_field")
    audit_record(
        actor=actor,
        action=AuditAction.PERSON_REVEALED,
        target=person,
        center_id=person.center_id,
        after={"field": field},
    )
    return getattr(person, field) or ""
