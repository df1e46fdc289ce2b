"""Rating pads (评价器): pairing a tablet with a window, and what it shows after 办结."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.actors import StaffActor
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.permissions import Perm, has_perm
from bianmin.hall.selectors import session_current, windows_of
from bianmin.ratings.enums import Channel, EventKind
from bianmin.ratings.errors import RatingError
from bianmin.ratings.models import Rating, RatingPad, ServiceEvent
from bianmin.ratings.services.common import digest, new_secret, not_found, require
from bianmin.ratings.services.events import token_issue

CODE_MINUTES = 10
#: How long after 办结 the pad still offers the faces for that service.
PAD_OFFER_MINUTES = 10


def pad_code_issue(*, actor: StaffActor, window_id: int) -> tuple[RatingPad, str]:
    """A six-digit code, valid 10 minutes, that pairs a tablet with this window. A shift
    leader may pair any window of the center; an officer only the window they are signed in
    at. A new pairing replaces the old device (its key stops working)."""
    center_id = require(actor, Perm.RATING_PAD_PAIR, _("您没有配对评价器的权限。"))
    window = windows_of(center_id=center_id).filter(pk=window_id).first()
    if window is None:
        raise not_found(_("没有这个窗口"))
    if not has_perm(actor, Perm.RATING_MANAGE):
        session = session_current(officer_id=actor.pk, center_id=center_id)
        if session is None or session.window_id != window.pk:
            raise PermissionDenied(
                _("只能为本人签到的窗口配对评价器。"), code=RatingError.PERMISSION_DENIED
            )
    code = f"{secrets.randbelow(1_000_000):06d}"
    now = clock.now()
    with transaction.atomic():
        pad, _created = RatingPad.objects.select_for_update().get_or_create(
            window_id=window.pk, defaults={"center_id": center_id}
        )
        pad.code_digest = digest(f"{center_id}|{code}")
        pad.code_expires_at = now + timedelta(minutes=CODE_MINUTES)
        pad.code_issued_by_id = actor.pk
        pad.save()
        audit_record(
            actor=actor,
            action=AuditAction.RATING_PAD_CODE,
            target=pad,
            center_id=center_id,
            after={"window": window.code},
        )
    return pad, code


def pad_pair(*, center_id: int, code: str, staff_signed_in: bool = False) -> tuple[RatingPad, str]:
    """The tablet enters the code: it receives its own device key (kept in a cookie). A
    browser with a staff session cannot become a pad."""
    if staff_signed_in:
        raise PermissionDenied(
            _("评价器不能登录工作人员账号，请先退出登录。"), code=RatingError.STAFF_CANNOT_RATE
        )
    code = str(code or "").strip()
    if not (code.isdigit() and len(code) == 6):
        raise DomainError(_("配对码为6位数字。"), code=RatingError.PAD_CODE_INVALID)
    now = clock.now()
    with transaction.atomic():
        pad = (
            RatingPad.objects.select_for_update()
            .select_related("window")
            .filter(center_id=center_id, code_digest=digest(f"{center_id}|{code}"))
            .first()
        )
        if pad is None or pad.code_expires_at is None or pad.code_expires_at <= now:
            raise DomainError(
                _("配对码无效或已过期，请让工作人员重新生成。"), code=RatingError.PAD_CODE_INVALID
            )
        key = new_secret(24)
        pad.key_digest = digest(key)
        pad.code_digest = ""
        pad.code_expires_at = None
        pad.paired_at = pad.last_seen_at = now
        pad.save()
        audit_record(
            actor=None,
            action=AuditAction.RATING_PAD_PAIRED,
            target=pad,
            center_id=center_id,
            after={"window": pad.window.code, "issued_by": pad.code_issued_by_id},
        )
    return pad, key


def pad_from_key(key: str | None) -> RatingPad | None:
    if not key or len(key) > 64:
        return None
    return (
        RatingPad.objects.select_related("window", "center").filter(key_digest=digest(key)).first()
    )


def pad_pending(*, pad: RatingPad) -> ServiceEvent | None:
    """The service just finished at the pad's window and not yet rated, if any."""
    since = clock.now() - timedelta(minutes=PAD_OFFER_MINUTES)
    RatingPad.objects.filter(pk=pad.pk).update(last_seen_at=clock.now())
    return (
        ServiceEvent.objects.filter(
            center_id=pad.center_id,
            window_code=pad.window.code,
            kind=EventKind.TICKET,
            at__gte=since,
            rating__isnull=True,
        )
        .order_by("-at", "-pk")
        .first()
    )


def pad_token(*, pad: RatingPad, event_id: int) -> str:
    """A one-use token for the pad's current service (only that window's own services)."""
    with transaction.atomic():
        event = ServiceEvent.objects.filter(
            pk=event_id, center_id=pad.center_id, window_code=pad.window.code
        ).first()
        if event is None:
            raise not_found(_("没有找到这次服务"))
        return token_issue(event=event, channel=Channel.PAD)


def token_for_ticket(*, ticket_id: str, pad: RatingPad | None = None) -> str:
    """GET /ratings/token: the finished ticket's service, for the window's pad or for the
    position page (whoever holds the ticket's id, printed on the ticket)."""
    event = (
        ServiceEvent.objects.filter(kind=EventKind.TICKET, reference=str(ticket_id)[:24])
        .select_related("center")
        .first()
    )
    if event is None:
        raise DomainError(
            _("这张号票还没有办结，办结后才能评价。"), code=RatingError.NOT_FINISHED, status=404
        )
    if pad is not None and (
        pad.center_id != event.center_id or pad.window.code != event.window_code
    ):
        raise not_found(_("没有找到这次服务"))
    if Rating.objects.filter(service_event=event).exists():
        raise DomainError(
            _("这次服务已经评价过了，感谢您的反馈。"), code=RatingError.ALREADY_RATED, status=409
        )
    return token_issue(event=event, channel=Channel.PAD if pad else Channel.POSITION)


KIOSK_HOURS = 2


def token_for_kiosk(*, center_id: int, number: str) -> str:
    """The kiosk's 评价服务: a ticket number finished today (within two hours), not rated."""
    number = str(number or "").strip().upper()[:8]
    if not number:
        raise DomainError(_("请输入号票上的号码，例如 A023。"), code=RatingError.INVALID)
    since = clock.now() - timedelta(hours=KIOSK_HOURS)
    event = (
        ServiceEvent.objects.filter(
            center_id=center_id,
            kind=EventKind.TICKET,
            number=number,
            day=clock.today(),
            at__gte=since,
        )
        .order_by("-at")
        .first()
    )
    if event is None:
        raise DomainError(
            _("没有找到今天刚办结的号码 %(n)s，请核对号票。") % {"n": number},
            code=RatingError.NOT_FINISHED,
        )
    if Rating.objects.filter(service_event=event).exists():
        raise DomainError(
            _("这次服务已经评价过了，感谢您的反馈。"), code=RatingError.ALREADY_RATED, status=409
        )
    return token_issue(event=event, channel=Channel.KIOSK)
