"""The citizen's rating: by a one-use token (pad, SMS link, kiosk, position page), never by a
staff account; and the phone-callback rating staff type in, marked as such."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.actors import StaffActor
from bianmin.core.errors import Conflict, DomainError, PermissionDenied
from bianmin.core.permissions import Perm
from bianmin.ratings import pipeline
from bianmin.ratings.enums import BAD_LEVELS, Channel
from bianmin.ratings.errors import RatingError
from bianmin.ratings.models import Rating, RatingToken, Rectification, ServiceEvent
from bianmin.ratings.services.common import (
    digest,
    not_found,
    refused,
    require,
    settings_for,
)


@dataclass(frozen=True)
class Submitted:
    rating: Rating
    rectification_due: date | None


def _already_rated() -> Conflict:
    return Conflict(_("这次服务已经评价过了，感谢您的反馈。"), code=RatingError.ALREADY_RATED)


def _create(
    event: ServiceEvent,
    *,
    checked: pipeline.RatingInput,
    channel: str,
    entered_by: StaffActor | None = None,
    callback_note: str = "",
) -> Submitted:
    now = clock.now()
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                center_id=event.center_id,
                service_event=event,
                level=checked.level,
                reasons=list(checked.reasons),
                comment=checked.comment,
                channel=channel,
                entered_by_id=getattr(entered_by, "pk", None),
                callback_note=callback_note,
                officer_id=event.officer_id,
                window_code=event.window_code,
                item_code=event.item_code,
                case_number=event.case_number,
                rated_at=now,
                day=clock.local(now).date(),
            )
    except IntegrityError:  # the event's one rating exists (a racing second submit)
        raise _already_rated() from None
    due = None
    if checked.level in BAD_LEVELS:
        setting = settings_for(event.center_id)
        deadlines = pipeline.rectification_deadlines(
            rating.day,
            callback_workdays=setting.callback_workdays,
            workdays=setting.rectification_workdays,
        )
        Rectification.objects.create(
            center_id=event.center_id,
            rating=rating,
            callback_due=deadlines.callback_due,
            due_on=deadlines.due_on,
        )
        due = deadlines.due_on
    audit_record(
        actor=entered_by,
        action=AuditAction.RATING_CALLBACK_ENTERED if entered_by else AuditAction.RATING_SUBMITTED,
        target=rating,
        center_id=event.center_id,
        after={
            "event": event.pk,
            "level": rating.level,
            "channel": channel,
            "rectification_due": due.isoformat() if due else None,
        },
    )
    return Submitted(rating, due)


def rating_submit(
    *,
    token: str,
    level: object,
    reasons: object = None,
    comment: object = "",
    staff_signed_in: bool = False,
) -> Submitted:
    """A citizen rates with a one-use token. A signed-in staff session is refused: an officer
    must never rate on the citizen's behalf (the pad is a device session of its own). Nothing
    is written when anything is wrong; the token is spent only by a rating that is saved."""
    if staff_signed_in:
        raise PermissionDenied(
            _("工作人员账号不能代替群众评价。"), code=RatingError.STAFF_CANNOT_RATE
        )
    try:
        checked = pipeline.rating_check(level, reasons, comment)
    except pipeline.Refused as exc:
        raise refused(exc) from None
    secret = str(token or "").strip()
    if not secret or len(secret) > 64:
        raise DomainError(_("评价链接无效。"), code=RatingError.TOKEN_INVALID, status=400)
    now = clock.now()
    with transaction.atomic():
        row = (
            RatingToken.objects.select_for_update()
            .select_related("service_event")
            .filter(digest=digest(secret))
            .first()
        )
        if row is None:
            raise DomainError(_("评价链接无效。"), code=RatingError.TOKEN_INVALID, status=400)
        if row.used_at is not None:
            raise _already_rated()
        if row.expires_at <= now:
            raise DomainError(
                _("评价链接已过期（有效期7天）。"), code=RatingError.TOKEN_EXPIRED, status=410
            )
        event = ServiceEvent.objects.select_for_update().get(pk=row.service_event_id)
        if Rating.objects.filter(service_event=event).exists():
            raise _already_rated()
        submitted = _create(event, checked=checked, channel=row.channel)
        RatingToken.objects.filter(pk=row.pk).update(used_at=now)
    return submitted


def rating_enter_callback(
    *,
    actor: StaffActor,
    service_event_id: int,
    level: object,
    reasons: object = None,
    comment: object = "",
    callback_note: str,
) -> Submitted:
    """A rating the citizen gave on a phone callback, typed in by a shift leader and marked
    as such (channel 电话回访, who entered it, the callback record). Never by the officer who
    served, never a second rating of the same service."""
    center_id = require(actor, Perm.RATING_MANAGE, _("只有值班长或主任可以录入回访评价。"))
    try:
        checked = pipeline.rating_check(level, reasons, comment)
        note = pipeline.clean_text(callback_note, limit=300, what="回访记录", required=True)
    except pipeline.Refused as exc:
        raise refused(exc) from None
    with transaction.atomic():
        event = (
            ServiceEvent.objects.select_for_update()
            .filter(pk=service_event_id, center_id=center_id)
            .first()
        )
        if event is None:
            raise not_found(_("没有找到这次服务"))
        if event.officer_id == actor.pk:
            raise PermissionDenied(
                _("经办民警本人不能录入对自己服务的评价。"), code=RatingError.STAFF_CANNOT_RATE
            )
        if Rating.objects.filter(service_event=event).exists():
            raise _already_rated()
        return _create(
            event, checked=checked, channel=Channel.CALLBACK, entered_by=actor, callback_note=note
        )
