"""Family members: registered by the officer, signed in on the phone page with an SMS code.

Codes are six digits, stored only as a keyed hash, valid for five minutes, used once, and
dropped after five wrong tries. Sending is throttled per phone (one a minute, five an hour) and
per client address (twenty an hour), so the page cannot be used to flood a phone or to probe
which phones are registered at speed.
"""

import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bianmin.accounts.selectors import staff_list
from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.crypto import blind_index
from bianmin.core.errors import DomainError, NotFound
from bianmin.core.masking import mask_phone
from bianmin.core.permissions import Perm, has_perm
from bianmin.core.ratelimit import cache_hit
from bianmin.core.validators import is_mobile
from bianmin.family_desk.enums import Relation
from bianmin.family_desk.errors import DeskError
from bianmin.family_desk.models import FamilyMember, SignInCode
from bianmin.family_desk.services.common import DeskInvalid, require_perm
from bianmin.notifications.services import sms_enqueue

CODE_TTL = timedelta(minutes=5)
CODE_MAX_TRIES = 5
PER_PHONE_MINUTE = 1
PER_PHONE_HOUR = 5
PER_ADDRESS_HOUR = 20


class Throttled(DomainError):
    code = DeskError.THROTTLED
    status = 429


def phone_key(phone: str) -> str:
    return blind_index(phone, purpose="desk_family_phone")


def _clean_phone(phone: str) -> str:
    phone = "".join((phone or "").split()).removeprefix("+86")
    if not is_mobile(phone):
        raise DeskInvalid(_("请输入11位手机号码。"), code=DeskError.INVALID_PHONE)
    return phone


def family_member_register(
    *,
    actor: StaffActor,
    relation: str,
    name: str,
    phone: str,
    officer_username: str | None = None,
) -> FamilyMember:
    """An officer registers a family member (the desk may register for any officer)."""
    require_perm(actor, Perm.DESK_ASK, _("您不能登记警属。"))
    officer_id = actor.pk
    officer_label = actor.username
    if officer_username and officer_username != actor.username:
        if not has_perm(actor, Perm.DESK_HANDLE):
            raise DeskInvalid(_("只能登记本人的家属。"), code=DeskError.PERMISSION_DENIED)
        found = staff_list(user=actor).filter(username=officer_username).first()
        if found is None or not has_perm(found, Perm.DESK_ASK):
            raise DeskInvalid(
                _("本中心没有账号为“%(u)s”的民警。") % {"u": officer_username[:30]},
                code=DeskError.UNKNOWN_OFFICER,
            )
        officer_id, officer_label = found.pk, found.username
    if relation not in Relation.values:
        raise DeskInvalid(_("请选择与民警的关系。"), code=DeskError.INVALID)
    name = (name or "").strip()
    if not name or len(name) > 30:
        raise DeskInvalid(_("请填写家属姓名（不超过30个字）。"), code=DeskError.INVALID)
    phone = _clean_phone(phone)
    index = phone_key(phone)
    duplicate = DeskInvalid(
        _("手机号码%(p)s已登记为警属，不能重复登记。") % {"p": mask_phone(phone)},
        code=DeskError.DUPLICATE_FAMILY_MEMBER,
    )
    with transaction.atomic():
        taken = FamilyMember.objects.filter(
            center_id=home_center_id(actor), phone_index=index, is_active=True
        )
        if taken.exists():
            raise duplicate
        try:
            with transaction.atomic():  # the partial unique index decides a simultaneous twin
                member = FamilyMember.objects.create(
                    center_id=home_center_id(actor),
                    officer_id=officer_id,
                    relation=relation,
                    name=name,
                    phone=phone,
                    phone_index=index,
                    phone_masked=mask_phone(phone),
                )
        except IntegrityError as exc:
            raise duplicate from exc
        audit_record(
            actor=actor,
            action=AuditAction.DESK_FAMILY_REGISTERED,
            target=member,
            after={"officer": officer_label, "relation": relation, "phone": mask_phone(phone)},
        )
    return member


def family_member_remove(*, actor: StaffActor, member_id: int) -> FamilyMember:
    with transaction.atomic():
        member = (
            FamilyMember.objects.select_for_update()
            .filter(pk=member_id, center_id=home_center_id(actor), is_active=True)
            .first()
        )
        if member is None or (
            member.officer_id != actor.pk and not has_perm(actor, Perm.DESK_HANDLE)
        ):
            raise NotFound(_("没有找到该家属。"), code=DeskError.NOT_FOUND)
        member.is_active = False
        member.save(update_fields=["is_active", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.DESK_FAMILY_REGISTERED,
            target=member,
            before={"is_active": True},
            after={"is_active": False},
        )
    return member


def _code_hash(member_id: int, code: str) -> str:
    return blind_index(f"{member_id}:{code}", purpose="desk_sign_in_code")


def _throttle_address(address: str) -> None:
    key = f"desk:code:addr:{blind_index(address, purpose='desk_address')}"
    if cache_hit(key, 3600) > PER_ADDRESS_HOUR:
        raise Throttled(_("获取验证码过于频繁，请一小时后再试。"))


def sign_in_code_send(*, center_id: int, phone: str, address: str) -> FamilyMember:
    """Text a sign-in code to a registered family member's phone."""
    phone = _clean_phone(phone)
    _throttle_address(address)
    member = FamilyMember.objects.filter(
        center_id=center_id, phone_index=phone_key(phone), is_active=True
    ).first()
    if member is None:
        raise DeskInvalid(
            _("该手机号码尚未登记为警属。请民警本人在“我的家属”中登记后再登录。"),
            code=DeskError.PHONE_NOT_REGISTERED,
        )
    now = clock.now()
    with transaction.atomic():
        FamilyMember.objects.select_for_update().filter(pk=member.pk).first()
        recent = SignInCode.objects.filter(family_member=member)
        if recent.filter(created_at__gt=now - timedelta(minutes=1)).count() >= PER_PHONE_MINUTE:
            raise Throttled(_("验证码已发送，请一分钟后再试。"))
        if recent.filter(created_at__gt=now - timedelta(hours=1)).count() >= PER_PHONE_HOUR:
            raise Throttled(_("获取验证码过于频繁，请一小时后再试。"))
        code = f"{secrets.randbelow(1_000_000):06d}"
        row = SignInCode.objects.create(
            family_member=member,
            code_hash=_code_hash(member.pk, code),
            created_at=now,
            expires_at=now + CODE_TTL,
        )
        # Earlier unused codes stop working: only the newest SMS counts.
        recent.filter(used_at__isnull=True).exclude(pk=row.pk).update(used_at=now)
        sms_enqueue(
            center_id=center_id,
            template_code="desk_sign_in_code",
            phone=phone,
            params={"code": code},
            dedupe_key=f"desk:code:{row.pk}",
            urgent=True,  # a sign-in code is useless at 08:00 next morning
        )
    return member


def sign_in_code_verify(*, center_id: int, phone: str, code: str) -> FamilyMember:
    """The family member whose newest code this is; the code is spent."""
    wrong = DeskInvalid(_("验证码不正确或已过期，请重新获取。"), code=DeskError.CODE_INVALID)
    phone = _clean_phone(phone)
    code = (code or "").strip()
    member = FamilyMember.objects.filter(
        center_id=center_id, phone_index=phone_key(phone), is_active=True
    ).first()
    if member is None:
        raise wrong
    now = clock.now()
    with transaction.atomic():
        row = (
            SignInCode.objects.select_for_update()
            .filter(family_member=member, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        if row is None:
            raise wrong
        matches = secrets.compare_digest(row.code_hash, _code_hash(member.pk, code))
        if matches:
            row.used_at = now
            audit_record(
                actor=None,
                action=AuditAction.DESK_FAMILY_SIGNED_IN,
                target=member,
                center_id=center_id,
                after={"phone": member.phone_masked},
            )
        else:
            # The failure is counted (committed) before the caller sees the error.
            row.failed_attempts += 1
            if row.failed_attempts >= CODE_MAX_TRIES:
                row.used_at = now
        row.save(update_fields=["failed_attempts", "used_at"])
    if not matches:
        raise wrong
    return member
