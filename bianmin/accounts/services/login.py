"""Sign-in: password (guessing limited by django-axes, see accounts/lockout.py) and the TOTP
second factor (django-otp: a code works once, wrong codes double the wait, every failure is
audited)."""

from base64 import b32encode

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from bianmin.accounts.errors import AccountsError
from bianmin.accounts.models import Staff
from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.client_ip import client_ip
from bianmin.core.errors import DomainError

DEVICE_NAME = "认证器"


class LoginError(DomainError):
    code = AccountsError.LOGIN_FAILED


def locked_message() -> str:
    return _("登录尝试次数过多，请 %d 分钟后再试；如忘记密码请联系系统管理员") % (
        settings.LOGIN_COOLOFF_MINUTES
    )


def staff_login(*, request: HttpRequest, username: str, password: str) -> Staff:
    """Check the password. The answer is the same for unknown and known usernames."""
    user = authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        _audit_failure(request, username, locked=True)
        raise LoginError(locked_message(), code=AccountsError.LOCKED)
    if user is None:
        _audit_failure(request, username, locked=False)
        raise LoginError(_("用户名或密码错误"))
    staff: Staff = user  # type: ignore[assignment]
    if staff.locked_until and staff.locked_until > clock.now():
        raise LoginError(_("该账户已被暂停使用，请联系系统管理员"), code=AccountsError.LOCKED)
    with transaction.atomic():
        audit_record(actor=staff, action=AuditAction.LOGIN, target=staff)
    return staff


def _audit_failure(request: HttpRequest, username: str, *, locked: bool) -> None:
    staff = Staff.objects.filter(username=username).first()
    if staff is None:
        return  # an unknown name has no account to file the entry under
    with transaction.atomic():
        audit_record(
            actor=None,
            action=AuditAction.LOGIN_FAILED,
            target=staff,
            center_id=staff.center_id,
            after={"client": client_ip(request), "client_waiting": locked},
        )


def _device(staff: Staff) -> TOTPDevice | None:
    """The confirmed authenticator, else the one being bound."""
    return TOTPDevice.objects.filter(user=staff).order_by("-confirmed", "pk").first()


def totp_provisioning(*, staff: Staff) -> tuple[str, str]:
    """(secret, otpauth URI) for binding an authenticator app; creates the device once."""
    device = _device(staff)
    if device is None:
        device = TOTPDevice.objects.create(user=staff, name=DEVICE_NAME, confirmed=False)
    return b32encode(device.bin_key).decode(), device.config_url


def totp_is_bound(*, staff: Staff) -> bool:
    return TOTPDevice.objects.filter(user=staff, confirmed=True).exists()


def totp_verify(*, staff: Staff, code: str) -> TOTPDevice:
    """Check a six-digit code and return the device (the view marks the session verified).

    Binds the authenticator on the first success. A code is accepted once (django-otp keeps
    the last time step); after a wrong code the next try waits 1, 2, 4 … seconds.
    """
    code = (code or "").strip().replace(" ", "")
    device = _device(staff)
    if device is None or not code.isdigit() or len(code) != 6:
        raise DomainError(_("请输入认证器上显示的6位数字"), code=AccountsError.TOTP_FORMAT)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, _detail = device.verify_is_allowed()
        verified = allowed and device.verify_token(code)
        if not verified:
            audit_record(
                actor=staff,
                action=AuditAction.TOTP_FAILED,
                target=staff,
                after={"throttled": not allowed, "failures": device.throttling_failure_count},
            )
        elif not device.confirmed:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            audit_record(actor=staff, action=AuditAction.TOTP_BOUND, target=staff)
    if not allowed:
        raise DomainError(
            _("动态口令错误次数过多，请稍等片刻再试"),
            code=AccountsError.TOTP_THROTTLED,
            status=429,
        )
    if not verified:
        raise DomainError(_("动态口令不正确或已过期"), code=AccountsError.TOTP_INVALID)
    return device
