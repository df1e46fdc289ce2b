"""The director's side: booking rules, capacity overrides, holiday / evening openings with
their duty roster, closures (with one SMS per cancelled booking and the next free slot
offered), and the reminders (18:00 the day before, one hour before; exactly once)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.accounts.selectors import center_hours, staff_of_center
from bianmin.accounts.services import HoursInput, center_day_hours_set
from bianmin.appointments import pipeline, selectors, wording
from bianmin.appointments.enums import AppointmentStatus, CancelReason, OpeningKind
from bianmin.appointments.errors import AppointmentError
from bianmin.appointments.models import (
    Appointment,
    BookingRules,
    CapacityOverride,
    Closure,
    ExtraOpening,
)
from bianmin.appointments.services.common import at_local, date_label, local_now, need
from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.catalogue.enums import Category
from bianmin.core import clock
from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.errors import DomainError, NotFound
from bianmin.core.permissions import Perm
from bianmin.notifications.services import (
    appointment_reminder_enqueue,
    quiet_hours,
    sms_enqueue,
)

RULE_FIELDS = (
    "slot_minutes",
    "windows",
    "min_notice_minutes",
    "max_days_ahead",
    "daily_cap_per_person",
    "check_in_before_minutes",
    "check_in_after_minutes",
    "no_show_limit",
    "no_show_window_days",
    "block_days",
    "visit_capacity_per_day",
)


@transaction.atomic
def booking_rules_save(*, actor: StaffActor, values: dict[str, Any]) -> BookingRules:
    need(actor, Perm.APPOINTMENT_CONFIGURE)
    center_id = home_center_id(actor)
    rules, _created = BookingRules.objects.select_for_update().get_or_create(center_id=center_id)
    before = {f: getattr(rules, f) for f in RULE_FIELDS}
    for name in RULE_FIELDS:
        if name in values and values[name] is not None:
            value = int(values[name])
            if value < 0 or value > 10000 or (name == "slot_minutes" and not 5 <= value <= 240):
                raise DomainError(
                    _("设置值超出范围：%(f)s")
                    % {"f": getattr(BookingRules._meta.get_field(name), "verbose_name", name)},
                    code=AppointmentError.INVALID_SETTING,
                )
            setattr(rules, name, value)
    if "towns" in values and values["towns"] is not None:
        rules.towns = values["towns"]
    if values.get("home_county"):
        rules.home_county = str(values["home_county"])[:30]
    rules.save()
    audit_record(
        actor=actor,
        action=AuditAction.APPOINTMENT_SETTINGS_UPDATED,
        target=rules,
        center_id=center_id,
        before=before,
        after={f: getattr(rules, f) for f in RULE_FIELDS},
    )
    return rules


@transaction.atomic
def capacity_override_save(*, actor: StaffActor, group: str, capacity: int | None) -> None:
    """The director's own number of places per slot for one item group (None removes it)."""
    need(actor, Perm.APPOINTMENT_CONFIGURE)
    center_id = home_center_id(actor)
    if group not in Category.values:
        raise DomainError(_("请选择业务类别。"), code=AppointmentError.INVALID_SETTING)
    if capacity is None:
        CapacityOverride.objects.filter(center_id=center_id, group=group).delete()
    else:
        if not 0 <= capacity <= 500:
            raise DomainError(
                _("每时段名额应在0到500之间。"), code=AppointmentError.INVALID_SETTING
            )
        CapacityOverride.objects.update_or_create(
            center_id=center_id, group=group, defaults={"capacity": capacity}
        )
    audit_record(
        actor=actor,
        action=AuditAction.APPOINTMENT_SETTINGS_UPDATED,
        target_type="capacity",
        target_id=group,
        center_id=center_id,
        after={"group": group, "capacity": capacity},
    )


@transaction.atomic
def opening_save(
    *,
    actor: StaffActor,
    day: date,
    starts_at: time,
    ends_at: time,
    kind: str,
    windows: int,
    duty_officer_ids: list[int],
    note: str = "",
) -> ExtraOpening:
    """节假日预约 / 24小时值守: open bookable hours outside the normal ones, with who is on duty.
    The hall's own hours of that day are extended so the booked citizens can check in."""
    need(actor, Perm.APPOINTMENT_CONFIGURE)
    center = actor.center
    if kind not in OpeningKind.values:
        raise DomainError(_("请选择值守类型。"), code=AppointmentError.INVALID_SETTING)
    if day < clock.today():
        raise DomainError(_("日期不能早于今天。"), code=AppointmentError.DATE_IN_PAST)
    if not starts_at < ends_at:
        raise DomainError(_("结束时间应晚于开始时间。"), code=AppointmentError.INVALID_SETTING)
    if not 1 <= windows <= 50:
        raise DomainError(_("开放窗口数应在1到50之间。"), code=AppointmentError.INVALID_SETTING)
    officers = list(staff_of_center(center_id=center.pk).filter(pk__in=duty_officer_ids))
    if not officers or len(officers) != len(set(duty_officer_ids)):
        raise DomainError(_("请选择本中心的值班民警。"), code=AppointmentError.INVALID_SETTING)
    hours = center_hours(center_id=center.pk, day=day)
    gap: tuple[time, time] | None = None
    if hours is None:
        day_hours = HoursInput(is_open=True, opens_at=starts_at, closes_at=ends_at)
    else:
        opens, closes = min(hours.opens_at, starts_at), max(hours.closes_at, ends_at)
        if hours.closes_at < starts_at:
            gap = (hours.closes_at, starts_at)
        day_hours = HoursInput(
            is_open=True,
            opens_at=opens,
            closes_at=closes,
            lunch_from=hours.lunch_from,
            lunch_to=hours.lunch_to,
        )
    center_day_hours_set(
        actor=actor,
        center=center,
        day=day,
        hours=day_hours,
        note=str(OpeningKind(kind).label)[:100],
    )
    opening = ExtraOpening.objects.create(
        center_id=center.pk,
        day=day,
        starts_at=starts_at,
        ends_at=ends_at,
        kind=kind,
        windows=windows,
        note=note[:100],
        gap_from=gap[0] if gap else None,
        gap_to=gap[1] if gap else None,
    )
    opening.duty_officers.set(officers)
    audit_record(
        actor=actor,
        action=AuditAction.APPOINTMENT_OPENING_SAVED,
        target=opening,
        center_id=center.pk,
        after={
            "day": day.isoformat(),
            "from": starts_at.strftime("%H:%M"),
            "to": ends_at.strftime("%H:%M"),
            "kind": kind,
            "windows": windows,
            "duty": [o.pk for o in officers],
        },
    )
    return opening


@dataclass(frozen=True)
class ClosureResult:
    closure: Closure
    cancelled: int
    offered: int


def closure_create(
    *,
    actor: StaffActor,
    day: date,
    reason: str,
    starts_at: time | None = None,
    ends_at: time | None = None,
    category: str = "",
) -> ClosureResult:
    """停办 (training, power cut): every affected booking is cancelled, offered the next free
    slot of its item, and gets one SMS (dedupe key per booking). One transaction: nothing is
    lost, nothing sent twice."""
    need(actor, Perm.APPOINTMENT_CONFIGURE)
    center_id = home_center_id(actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写停办原因。"), code=AppointmentError.INVALID_CLOSURE)
    if day < clock.today():
        raise DomainError(_("日期不能早于今天。"), code=AppointmentError.DATE_IN_PAST)
    if (starts_at is None) != (ends_at is None) or (
        starts_at is not None and ends_at is not None and not starts_at < ends_at
    ):
        raise DomainError(
            _("停办时段应同时填写开始和结束时间，且结束晚于开始。"),
            code=AppointmentError.INVALID_CLOSURE,
        )
    with transaction.atomic():
        closure = Closure.objects.create(
            center_id=center_id,
            day=day,
            starts_at=starts_at,
            ends_at=ends_at,
            category=category,
            reason=reason[:100],
            created_by_id=actor.pk,
        )
        affected = (
            Appointment.objects.select_for_update()
            .select_related("item")
            .filter(center_id=center_id, day=day, status=AppointmentStatus.BOOKED)
        )
        if category:
            affected = affected.filter(item__category=category)
        cancelled = offered = 0
        for booking in affected:
            if (
                starts_at is not None
                and ends_at is not None
                and not (booking.starts_at < ends_at and starts_at < booking.ends_at)
            ):
                continue
            booking.status = AppointmentStatus.CANCELLED
            booking.cancelled_at = clock.now()
            booking.cancel_reason = CancelReason.CLOSURE
            booking.closure = closure
            booking.save()
            cancelled += 1
            # Seats freed by this closure are not offered back: the search starts the next day.
            found = selectors.next_free_slot(center_id=center_id, item=booking.item, after=day)
            if found is not None:
                booking.offered_day, booking.offered_start = found[0], found[1].start
                booking.save(update_fields=["offered_day", "offered_start", "updated_at"])
                offered += 1
            sms_enqueue(
                center_id=center_id,
                template_code=wording.CLOSURE,
                phone=booking.phone or "",
                params={
                    "date": date_label(booking.day),
                    "code": booking.code,
                    "time": (f"{date_label(found[0])}{found[1].start:%H:%M}" if found else "其他"),
                },
                dedupe_key=f"appointment:{booking.pk}:closure",
                actor=actor,
            )
            audit_record(
                actor=actor,
                action=AuditAction.APPOINTMENT_CANCELLED,
                target=booking,
                center_id=center_id,
                after={"code": booking.code, "reason": "closure", "closure": closure.pk},
            )
        closure.cancelled_count = cancelled
        closure.save(update_fields=["cancelled_count", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.APPOINTMENT_CLOSURE,
            target=closure,
            center_id=center_id,
            after={"day": day.isoformat(), "reason": reason[:100], "cancelled": cancelled},
        )
    return ClosureResult(closure, cancelled, offered)


def _in_quiet_hours(moment: datetime) -> bool:
    hours = quiet_hours()
    if hours is None:
        return False
    t = clock.local(moment).time()
    start, end = hours.start, hours.end
    return (start <= t or t < end) if start > end else (start <= t < end)


def reminders_send(*, now: datetime | None = None) -> int:
    """Periodic (every few minutes): the 18:00 day-before reminder and the one-hour reminder,
    each exactly once per booking (dedupe keys), and never inside the quiet hours: a reminder
    whose time falls there is skipped rather than delivered after the appointment."""
    now = clock.local(now or local_now())
    sent = 0
    rows = Appointment.objects.select_related("item").filter(
        status=AppointmentStatus.BOOKED,
        day__gte=now.date(),
        day__lte=now.date() + timedelta(days=1),
    )
    for booking in rows:
        start = at_local(booking.day, booking.starts_at)
        if start <= now:
            continue
        eve = pipeline.eve_reminder_at(start)
        hour = pipeline.hour_reminder_at(start)
        if eve <= now < start and now.date() == eve.date() and not _in_quiet_hours(now):
            sent += int(
                appointment_reminder_enqueue(
                    center_id=booking.center_id,
                    appointment_id=booking.pk,
                    phone=booking.phone or "",
                    item=booking.item.name,
                    on=start,
                )
            )
        if hour <= now < start and not _in_quiet_hours(now):
            sent += int(
                sms_enqueue(
                    center_id=booking.center_id,
                    template_code=wording.REMINDER_HOUR,
                    phone=booking.phone or "",
                    params={
                        "item": booking.item.name,
                        "time": booking.starts_at.strftime("%H:%M"),
                        "code": booking.code,
                    },
                    dedupe_key=f"appointment:{booking.pk}:reminder_hour",
                )
            )
    return sent


def opening_delete(*, actor: StaffActor, opening_id: int) -> None:
    need(actor, Perm.APPOINTMENT_CONFIGURE)
    with transaction.atomic():
        opening = ExtraOpening.objects.filter(
            pk=opening_id, center_id=home_center_id(actor)
        ).first()
        if opening is None:
            raise NotFound(_("没有找到该值守时段。"), code=AppointmentError.NOT_FOUND)
        audit_record(
            actor=actor,
            action=AuditAction.APPOINTMENT_OPENING_SAVED,
            target=opening,
            center_id=opening.center_id,
            before={"day": opening.day.isoformat()},
            after={"deleted": True},
        )
        opening.delete()
