"""Helpers shared by the lost-and-found services: numbers, rules, transitions, deadlines."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.errors import DomainError, NotFound, PermissionDenied
from bianmin.core.permissions import Perm, has_perm
from bianmin.core.workdays import CalendarUnknown, WorkdayCalendar
from bianmin.lost_found import pipeline
from bianmin.lost_found.errors import LostFoundError
from bianmin.lost_found.models import FoundItem, FoundItemEvent


def need(actor: StaffActor, perm: Perm, message: str | None = None) -> None:
    if not has_perm(actor, perm):
        raise PermissionDenied(
            message or _("您没有执行此操作的权限。"), code=LostFoundError.PERMISSION_DENIED
        )


def claim_deadline_for(published_on: dt.date) -> dt.date:
    """民法典 318 with 201–203 on China's calendar; a Chinese 400 when the year is unknown."""
    try:
        calendar = WorkdayCalendar(published_on, published_on + dt.timedelta(days=430))
        return pipeline.claim_deadline(published_on, calendar.is_workday)
    except CalendarUnknown as exc:
        raise DomainError(
            _("工作日历尚无 %(year)s 年前后的节假日安排，无法计算认领期限。")
            % {"year": published_on.year + 1},
            code=LostFoundError.CALENDAR_UNKNOWN,
        ) from exc


def next_number(model: type[models.Model], *, center_id: int, prefix: str) -> str:
    """`<prefix>-YYYYMMDD-NNNN`, counted per center and local day."""
    stem = f"{prefix}-{clock.today():%Y%m%d}-"
    last = (
        model._default_manager.filter(center_id=center_id, number__startswith=stem)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{stem}{seq:04d}"


def create_numbered(model: type[models.Model], *, prefix: str, **fields: Any) -> Any:
    """Insert with the next free number; a racing insert of the same number retries."""
    for _attempt in range(5):
        number = next_number(model, center_id=fields["center_id"], prefix=prefix)
        try:
            with transaction.atomic():
                return model._default_manager.create(number=number, **fields)
        except IntegrityError:
            continue
    raise DomainError(_("登记繁忙，请稍后重试。"), code=LostFoundError.INVALID_TRANSITION)


def item_for_update(*, actor: StaffActor, number: str) -> FoundItem:
    """The actor's center's item, locked; another center's item is simply not found."""
    item = (
        FoundItem.objects.select_for_update()
        .filter(center_id=home_center_id(actor), number=(number or "").strip())
        .first()
    )
    if item is None:
        raise NotFound(_("没有找到该拾得物。"), code=LostFoundError.NOT_FOUND)
    return item


def transition(item: FoundItem, *, to: str, actor: StaffActor, note: str = "") -> None:
    """Apply one transition of the pipeline, with its history row and audit entry."""
    if not pipeline.can_transition(item.status, to):
        raise DomainError(
            _("该物品当前状态为“%(status)s”，不能执行此操作。")
            % {"status": item.get_status_display()},
            code=LostFoundError.INVALID_TRANSITION,
            status=409,
        )
    before = item.status
    item.status = to
    if to in pipeline.CLOSED_STATUSES:
        item.closed_at = clock.now()
    item.save()
    FoundItemEvent.objects.create(
        item=item,
        from_status=before,
        to_status=to,
        actor_id=getattr(actor, "pk", None),
        note=note[:200],
        at=clock.now(),
    )
    audit_record(
        actor=actor,
        action=AuditAction.FOUND_ITEM_TRANSITIONED,
        target=item,
        center_id=item.center_id,
        before={"status": before},
        after={"status": to, "note": note[:200]},
    )
