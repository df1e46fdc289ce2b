"""Helpers shared by the appointments services: permissions, rules, personal-data cleaning,
codes and the center's local time."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.accounts.selectors import center_get
from bianmin.appointments.errors import AppointmentError
from bianmin.appointments.models import BookingRules
from bianmin.core import clock
from bianmin.core.actors import StaffActor
from bianmin.core.errors import DomainError, NotFound, PermissionDenied
from bianmin.core.masking import mask_name, mask_phone
from bianmin.core.permissions import Perm, has_perm
from bianmin.core.validators import is_mobile
from bianmin.people.idnumber import check_id_number, mask_id_number
from bianmin.people.services import id_number_index, phone_index

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud at a kiosk


def need(actor: StaffActor, perm: Perm) -> None:
    if not has_perm(actor, perm):
        raise PermissionDenied(
            _("您没有执行此操作的权限。"), code=AppointmentError.PERMISSION_DENIED
        )


def rules_for(center_id: int) -> BookingRules:
    rules = BookingRules.objects.filter(center_id=center_id).first()
    return rules or BookingRules(center_id=center_id)


def center_by_code(code: str) -> Any:
    center = center_get(code=(code or "").strip().upper()) if code else None
    if center is None or not center.is_active:
        raise NotFound(_("没有这个便民服务中心。"), code=AppointmentError.UNKNOWN_CENTER)
    return center


def new_code(length: int = 8) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalize_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())[:12]


def at_local(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


def local_now() -> datetime:
    return clock.local(clock.now())


@dataclass(frozen=True)
class CleanPerson:
    name: str
    name_masked: str
    id_number: str
    id_index: str
    id_masked: str
    phone: str
    phone_index: str
    phone_masked: str
    age: int | None
    gender: str | None


def clean_person(*, name: str, id_number: str, phone: str) -> CleanPerson:
    """A Chinese message for each bad field, checked before anything is written."""
    name = (name or "").strip()
    if not name or len(name) > 30 or any(ch.isdigit() for ch in name):
        raise DomainError(_("请填写正确的姓名。"), code=AppointmentError.INVALID_NAME)
    today = clock.today()
    check = check_id_number((id_number or "").strip().upper(), today=today)
    if not check.valid:
        raise DomainError(
            _("身份证号码有误：%(e)s") % {"e": check.error}, code=AppointmentError.INVALID_ID_NUMBER
        )
    phone = "".join(ch for ch in (phone or "") if ch.isdigit())
    if phone.startswith("86") and len(phone) == 13:
        phone = phone[2:]
    if not is_mobile(phone):
        raise DomainError(
            _("手机号码应为11位大陆手机号，例如 13912345678。"),
            code=AppointmentError.INVALID_PHONE,
        )
    birth = check.birth_date
    age = None
    if birth is not None:
        age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    return CleanPerson(
        name=name,
        name_masked=mask_name(name),
        id_number=check.normalized,
        id_index=id_number_index(check.normalized),
        id_masked=mask_id_number(check.normalized),
        phone=phone,
        phone_index=phone_index(phone),
        phone_masked=mask_phone(phone),
        age=age,
        gender=check.gender,
    )


def date_label(day: date) -> str:
    return f"{day.month}月{day.day}日"
