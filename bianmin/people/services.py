"""Writes to the person registry. Every write and every full-value read is audited."""

import hashlib
import io
import re
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.actors import StaffActor
from bianmin.core.crypto import blind_index
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.masking import mask_name, mask_phone
from bianmin.core.permissions import Perm, has_perm
from bianmin.core.validators import is_mobile
from bianmin.people.enums import Gender
from bianmin.people.errors import PersonErrorCode
from bianmin.people.idnumber import check_id_number, mask_id_number
from bianmin.people.models import Person

NAME_RE = re.compile(r"^[\u3400-\u9fff\U00020000-\U0003134f·•A-Za-z ]{1,50}$")
PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTO_MAX_PIXELS = 12_000_000


class PersonError(DomainError):
    code = PersonErrorCode.INVALID_PERSON


def id_number_index(id_number: str) -> str:
    return blind_index(id_number.strip().upper(), purpose="id_number")


def phone_index(phone: str) -> str:
    return blind_index(phone.strip(), purpose="phone")


def clean_phone(phone: str) -> str:
    phone = re.sub(r"[\s-]", "", phone or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if not is_mobile(phone):
        raise PersonError(
            _("手机号码应为11位大陆手机号，例如 13912345678"), code=PersonErrorCode.INVALID_PHONE
        )
    return phone


def clean_name(name: str) -> str:
    name = (name or "").strip()
    if not NAME_RE.match(name):
        raise PersonError(
            _("姓名应为1至50个汉字（可含间隔号·）"), code=PersonErrorCode.INVALID_NAME
        )
    return name


def clean_photo(photo: bytes) -> bytes:
    if len(photo) > PHOTO_MAX_BYTES:
        raise PersonError(_("照片不能超过8MB"), code=PersonErrorCode.PHOTO_TOO_LARGE)
    try:
        with Image.open(io.BytesIO(photo)) as image:
            if image.format not in {"JPEG", "PNG"}:
                raise PersonError(_("照片须为 JPEG 或 PNG 格式"), code=PersonErrorCode.PHOTO_FORMAT)
            if image.width * image.height > PHOTO_MAX_PIXELS:
                raise PersonError(
                    _("照片像素过大，请压缩后再上传"), code=PersonErrorCode.PHOTO_TOO_LARGE
                )
            image.load()
    except PersonError:
        raise
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise PersonError(
            _("无法读取照片文件，请上传完整的 JPEG 或 PNG 图片"),
            code=PersonErrorCode.PHOTO_UNREADABLE,
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
    # the ID card chip's photo (102×126, read at the window): it becomes the registry photo
    # (and so the face-check reference) only when none is held or the held one is older than
    # PEOPLE_CHIP_PHOTO_REFRESH_YEARS (5)
    chip_photo: bytes | None = None


def person_validate(data: PersonInput) -> PersonInput:
    """Check every field; raise PersonError with the first problem, in Chinese."""
    if data.gender not in Gender.values:
        raise PersonError(_("性别只能是男或女"), code=PersonErrorCode.INVALID_GENDER)
    check = check_id_number(data.id_number, gender=data.gender, today=clock.today())
    if not check.valid:
        raise PersonError(
            check.error or _("身份证号码无效"), code=PersonErrorCode(f"id_{check.error_code}")
        )
    return PersonInput(
        name=clean_name(data.name),
        id_number=check.normalized,
        gender=data.gender,
        phone=clean_phone(data.phone) if data.phone else "",
        address=(data.address or "").strip()[:200],
        photo=clean_photo(data.photo) if data.photo else None,
        chip_photo=clean_photo(data.chip_photo) if data.chip_photo else None,
    )


def _public_state(person: Person) -> dict[str, Any]:
    return {
        "name": mask_name(person.name),
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
    # No birth date column: its 8 digits are exactly what the mask hides (ADR 0007).
    person.region_code = check.region_code or data.id_number[:6]
    if data.phone:
        person.phone = data.phone
        person.phone_index = phone_index(data.phone)
        person.phone_masked = mask_phone(data.phone)
    if data.address:
        person.address = data.address
    photo = data.photo
    if photo is None and data.chip_photo is not None and _registry_photo_stale(person):
        photo = data.chip_photo
    if photo is not None:
        digest = hashlib.sha256(photo).hexdigest()
        if digest != person.photo_sha256:
            person.photo = photo
            person.photo_sha256 = digest
            person.photo_updated_at = clock.now()


def _registry_photo_stale(person: Person) -> bool:
    """No registry photo, or one older than the chip photo refresh age."""
    if not person.photo_sha256 or person.photo_updated_at is None:
        return True
    years = getattr(settings, "PEOPLE_CHIP_PHOTO_REFRESH_YEARS", 5)
    return clock.now() - person.photo_updated_at > timedelta(days=365 * years)


def owns_person(actor: StaffActor, person: Person) -> bool:
    """The registering center (or a province-scope account) keeps the registry record."""
    return actor.center_id is None or actor.center_id == person.center_id


def _foreign_changes(person: Person, data: PersonInput) -> tuple[list[str], list[str]]:
    """(identity fields, contact fields) that `data` would change on `person`."""
    identity = [
        field
        for field, changed in (
            ("name", data.name != person.name),
            ("gender", data.gender != person.gender),
            (
                "photo",
                data.photo is not None
                and hashlib.sha256(data.photo).hexdigest() != person.photo_sha256,
            ),
        )
        if changed
    ]
    contact = [
        field
        for field, changed in (
            ("phone", bool(data.phone) and data.phone != (person.phone or "")),
            ("address", bool(data.address) and data.address != (person.address or "")),
        )
        if changed
    ]
    return identity, contact


def person_check_write(
    *, actor: StaffActor, person: Person | None, data: PersonInput, contact_reason: str = ""
) -> list[str]:
    """Refuse what another center may not change (ADR 0007); return the contact fields it
    changes with a reason (empty for the owning center)."""
    if person is None or owns_person(actor, person):
        return []
    identity, contact = _foreign_changes(person, data)
    if identity:
        raise PermissionDenied(
            _("该人员由其他中心登记，本中心不能修改其姓名、性别或登记照片，请联系登记中心"),
            code=PersonErrorCode.OTHER_CENTER,
        )
    if contact and not contact_reason.strip():
        raise PermissionDenied(
            _("该人员由其他中心登记，修改其手机号码或住址须填写原因"),
            code=PersonErrorCode.REASON_REQUIRED,
        )
    return contact


@transaction.atomic
def person_upsert(
    *,
    actor: StaffActor,
    data: PersonInput,
    center: Any = None,
    contact_reason: str = "",
) -> tuple[Person, bool]:
    """Create a person, or update the one with this ID number. Returns (person, created).

    A person belongs to the province's registry; the center that registered them changes every
    field, another center only the contact fields and only with a reason (ADR 0007)."""
    if not has_perm(actor, Perm.PERSON_EDIT):
        raise PermissionDenied(_("您没有维护人口信息的权限"))
    data = person_validate(data)
    person = (
        Person.objects.select_for_update()
        .filter(id_number_index=id_number_index(data.id_number))
        .first()
    )
    created = person is None
    cross_center: list[str] = []
    if person is None:
        center = center or actor.center
        if center is None:
            raise PersonError(
                _("省级账号新增人员须指定登记中心"), code=PersonErrorCode.CENTER_REQUIRED
            )
        person = Person(center=center)
        before = None
    else:
        cross_center = person_check_write(
            actor=actor, person=person, data=data, contact_reason=contact_reason
        )
        if not owns_person(actor, person):
            # only the contact fields; the registry keeps its own name, gender and photo
            data = replace(
                data, name=person.name, gender=person.gender, photo=None, chip_photo=None
            )
        before = _public_state(person)
    photo_before = person.photo_sha256
    _write(person, data)
    person.save()
    after = _public_state(person)
    if cross_center:
        after |= {"by_center": actor.center_id, "reason": contact_reason.strip()[:200]}
    audit_record(
        actor=actor,
        action=AuditAction.PERSON_CREATED if created else AuditAction.PERSON_UPDATED,
        target=person,
        center_id=person.center_id,
        before=before,
        after=after,
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
def person_reveal(*, actor: StaffActor, person: Person, field: str) -> str:
    """The full ID number or phone, for someone who may see it; the reading is audited."""
    if not has_perm(actor, Perm.PERSON_REVEAL):
        raise PermissionDenied(_("您没有查看完整证件号码和电话的权限"))
    if field not in {"id_number", "phone"}:
        raise DomainError(_("只能查看证件号码或电话"), code=PersonErrorCode.INVALID_FIELD)
    audit_record(
        actor=actor,
        action=AuditAction.PERSON_REVEALED,
        target=person,
        center_id=person.center_id,
        after={"field": field},
    )
    return getattr(person, field) or ""
