"""Booking, cancelling and moving appointments (phone page, kiosk, staff, API)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bianmin.appointments import pipeline, selectors, wording
from bianmin.appointments.enums import AppointmentStatus, BookingChannel, CancelReason
from bianmin.appointments.errors import AppointmentError
from bianmin.appointments.models import ACTIVE_STATUSES, Appointment
from bianmin.appointments.services.common import (
    at_local,
    center_by_code,
    clean_person,
    date_label,
    local_now,
    need,
    new_code,
    normalize_code,
    rules_for,
)
from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.catalogue.selectors import item_get
from bianmin.core import clock
from bianmin.core.actors import StaffActor
from bianmin.core.errors import Conflict, DomainError, NotFound
from bianmin.core.permissions import Perm
from bianmin.notifications.services import sms_enqueue


@dataclass(frozen=True)
class BookingInput:
    center_code: str
    item_code: str
    day: date
    start: str  # "HH:MM"
    name: str
    id_number: str
    phone: str
    facts: dict[str, Any] = field(default_factory=dict)
    request_key: str = ""


def parse_start(value: str) -> time:
    try:
        hours, minutes = (int(p) for p in (value or "").strip().split(":"))
        return time(hours, minutes)
    except (ValueError, TypeError):
        raise DomainError(
            _("请选择预约时段（格式 HH:MM）。"), code=AppointmentError.NO_SUCH_SLOT
        ) from None


def bookable_item(code: str) -> Any:
    try:
        item = item_get(code=(code or "").strip().upper())
    except Exception:  # noqa: BLE001 - any miss is the same answer to a citizen
        item = None
    if item is None or not item.is_active:
        raise NotFound(_("没有这个办理事项。"), code=AppointmentError.UNKNOWN_ITEM)
    return item


def check_day(*, center_id: int, day: date) -> None:
    rules = rules_for(center_id)
    today = clock.today()
    if day < today:
        raise DomainError(_("预约日期不能早于今天。"), code=AppointmentError.DATE_IN_PAST)
    if (day - today).days > rules.max_days_ahead:
        raise DomainError(
            _("最多可预约 %(n)d 天以内的时段。") % {"n": rules.max_days_ahead},
            code=AppointmentError.TOO_FAR_AHEAD,
        )


FACT_KEYS = ("lost", "damaged", "proxy", "non_local", "student", "guardian")


def appointment_book(
    *, actor: StaffActor | None, data: BookingInput, channel: BookingChannel
) -> Appointment:
    """预约: the place is taken by inserting the lowest free seat of the slot; the unique
    constraint over (slot, seat) of active bookings lets exactly one of two racing bookings
    have the last place, on SQLite and PostgreSQL alike. All checks first, nothing written on
    bad input. SMS confirmation queued in the same transaction."""
    if actor is not None:
        need(actor, Perm.APPOINTMENT_MANAGE)
    center = center_by_code(data.center_code)
    if actor is not None and actor.center_id != center.pk:
        raise DomainError(
            _("只能为本中心办理预约。"), code=AppointmentError.PERMISSION_DENIED, status=403
        )
    item = bookable_item(data.item_code)
    person = clean_person(name=data.name, id_number=data.id_number, phone=data.phone)
    start = parse_start(data.start)
    check_day(center_id=center.pk, day=data.day)
    key = (data.request_key or "").strip()[:64] or None
    if key:
        existing = Appointment.objects.filter(center_id=center.pk, request_key=key).first()
        if existing is not None:
            return existing
    rules = rules_for(center.pk)
    if actor is None:
        until = selectors.booking_blocked_until(center_id=center.pk, id_index=person.id_index)
        if until is not None:
            raise Conflict(
                _(
                    "您在%(days)d天内有%(n)d次预约未按时到场，%(until)s前不能网上预约；"
                    "可到大厅直接取号办理。"
                )
                % {
                    "days": rules.no_show_window_days,
                    "n": rules.no_show_limit,
                    "until": f"{until.year}年{until.month}月{until.day}日",
                },
                code=AppointmentError.BOOKING_BLOCKED,
                blocked_until=until.isoformat(),
            )
    slot = next(
        (
            s
            for s in selectors.slots_for(center_id=center.pk, item=item, day=data.day)
            if s.start == start
        ),
        None,
    )
    if slot is None:
        if at_local(data.day, start) < local_now():
            raise DomainError(_("该时段已过，请另选时段。"), code=AppointmentError.DATE_IN_PAST)
        raise DomainError(
            _("%(day)s 没有 %(start)s 开始的可预约时段（或已不足最短提前时间）。")
            % {"day": date_label(data.day), "start": start.strftime("%H:%M")},
            code=AppointmentError.NO_SUCH_SLOT,
        )
    facts = {k: bool(data.facts.get(k)) for k in FACT_KEYS if data.facts.get(k)}
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return _insert(
                    actor=actor,
                    center=center,
                    item=item,
                    person=person,
                    day=data.day,
                    slot=slot,
                    facts=facts,
                    channel=channel,
                    key=key,
                    rules=rules,
                )
        except IntegrityError:
            if key:
                existing = Appointment.objects.filter(center_id=center.pk, request_key=key).first()
                if existing is not None:
                    return existing
            if _holds_booking(center.pk, item.pk, data.day, person.id_index):
                raise _already_booked() from None
            continue  # a racing booking took our seat number: look again
    raise _slot_full()


def _already_booked() -> DomainError:
    return Conflict(
        _("您已预约过同一天的同一事项，如需改时间请先取消或改约。"),
        code=AppointmentError.ALREADY_BOOKED,
    )


def _slot_full() -> DomainError:
    return Conflict(_("该时段已约满，请选择其他时段。"), code=AppointmentError.SLOT_FULL)


def _holds_booking(center_id: int, item_id: int, day: date, id_index: str) -> bool:
    return Appointment.objects.filter(
        center_id=center_id,
        item_id=item_id,
        day=day,
        id_index=id_index,
        status__in=ACTIVE_STATUSES,
    ).exists()


def _insert(
    *,
    actor: StaffActor | None,
    center: Any,
    item: Any,
    person: Any,
    day: date,
    slot: Any,
    facts: dict[str, Any],
    channel: str,
    key: str | None,
    rules: Any,
) -> Appointment:
    if _holds_booking(center.pk, item.pk, day, person.id_index):
        raise _already_booked()
    same_day = Appointment.objects.filter(
        center_id=center.pk, day=day, id_index=person.id_index, status__in=ACTIVE_STATUSES
    ).count()
    if same_day >= rules.daily_cap_per_person:
        raise Conflict(
            _("每人每天最多预约 %(n)d 个事项。") % {"n": rules.daily_cap_per_person},
            code=AppointmentError.DAILY_CAP,
        )
    taken = set(
        Appointment.objects.filter(
            center_id=center.pk,
            group=item.category,
            day=day,
            starts_at=slot.start,
            status__in=ACTIVE_STATUSES,
        ).values_list("seat", flat=True)
    )
    seat = next((n for n in range(slot.capacity) if n not in taken), None)
    if seat is None:
        raise _slot_full()
    for _attempt in range(5):
        code = new_code()
        if not Appointment.objects.filter(code=code).exists():
            break
    booking = Appointment.objects.create(
        center_id=center.pk,
        code=code,
        item_id=item.pk,
        group=item.category,
        day=day,
        starts_at=slot.start,
        ends_at=slot.end,
        seat=seat,
        channel=channel,
        name=person.name,
        name_masked=person.name_masked,
        id_number=person.id_number,
        id_index=person.id_index,
        id_masked=person.id_masked,
        phone=person.phone,
        phone_index=person.phone_index,
        phone_masked=person.phone_masked,
        facts={**facts, "age": person.age},
        request_key=key,
        booked_by_id=getattr(actor, "pk", None),
    )
    audit_record(
        actor=actor,
        action=AuditAction.APPOINTMENT_BOOKED,
        target=booking,
        center_id=center.pk,
        after={
            "code": booking.code,
            "item": item.code,
            "day": day.isoformat(),
            "start": slot.start.strftime("%H:%M"),
            "channel": str(channel),
            "id_number": person.id_masked,
        },
    )
    sms_enqueue(
        center_id=center.pk,
        template_code=wording.CONFIRMED,
        phone=person.phone,
        params={
            "date": date_label(day),
            "time": slot.start.strftime("%H:%M"),
            "item": item.name,
            "code": booking.code,
        },
        dedupe_key=f"appointment:{booking.pk}:confirmed",
        actor=actor,
    )
    return booking


def _owned(
    code: str, phone_last4: str, *, lock: bool = True, center_id: int | None = None
) -> Appointment:
    """The booking of this code whose phone ends with these four digits (at this center when
    given); a wrong pair answers exactly as an unknown code does."""
    rows = Appointment.objects.select_related("item").filter(code=normalize_code(code))
    if center_id is not None:
        rows = rows.filter(center_id=center_id)
    booking = (rows.select_for_update() if lock else rows).first()
    digits = "".join(ch for ch in (phone_last4 or "") if ch.isdigit())
    if booking is None or len(digits) != 4 or not (booking.phone or "").endswith(digits):
        raise NotFound(_("预约码或手机号码后四位不正确。"), code=AppointmentError.NOT_FOUND)
    return booking


def _transition(booking: Appointment, to: str) -> None:
    if not pipeline.can_book_transition(booking.status, to):
        raise Conflict(
            _("该预约当前状态为“%(s)s”，不能执行此操作。") % {"s": booking.get_status_display()},
            code=AppointmentError.INVALID_TRANSITION,
        )
    booking.status = to


@transaction.atomic
def appointment_cancel(
    *,
    actor: StaffActor | None,
    code: str,
    phone_last4: str,
    reason: str = CancelReason.CITIZEN,
    center_id: int | None = None,
) -> Appointment:
    """取消预约 by code + the last four digits of the phone (the citizen, or staff for them)."""
    booking = _owned(code, phone_last4, center_id=center_id)
    if actor is not None:
        need(actor, Perm.APPOINTMENT_MANAGE)
        if actor.center_id != booking.center_id:
            raise NotFound(_("预约码或手机号码后四位不正确。"), code=AppointmentError.NOT_FOUND)
    _transition(booking, AppointmentStatus.CANCELLED)
    booking.cancelled_at = clock.now()
    booking.cancel_reason = reason
    booking.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.APPOINTMENT_CANCELLED,
        target=booking,
        center_id=booking.center_id,
        after={"code": booking.code, "reason": str(reason)},
    )
    return booking


def appointment_move(
    *,
    actor: StaffActor | None,
    code: str,
    phone_last4: str,
    day: date,
    start: str,
    channel: BookingChannel = BookingChannel.PHONE,
    center_id: int | None = None,
) -> Appointment:
    """改约: a new booking for the same person and item; the old one is cancelled in the same
    transaction (if the new slot is full, nothing changes)."""
    with transaction.atomic():
        old = _owned(code, phone_last4, center_id=center_id)
        if actor is not None:
            need(actor, Perm.APPOINTMENT_MANAGE)
            if actor.center_id != old.center_id:
                raise NotFound(_("预约码或手机号码后四位不正确。"), code=AppointmentError.NOT_FOUND)
        if (
            old.moved_to_id is not None
            or old.status not in (AppointmentStatus.BOOKED, AppointmentStatus.CANCELLED)
            or (
                old.status == AppointmentStatus.CANCELLED
                and old.cancel_reason != CancelReason.CLOSURE
            )
        ):
            raise Conflict(
                _("该预约当前状态为“%(s)s”，不能改约。") % {"s": old.get_status_display()},
                code=AppointmentError.INVALID_TRANSITION,
            )
        if old.status == AppointmentStatus.BOOKED:
            old.status = AppointmentStatus.CANCELLED
            old.cancelled_at = clock.now()
            old.cancel_reason = CancelReason.MOVED
            old.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
        new = appointment_book(
            actor=actor,
            data=BookingInput(
                center_code=old.center.code,
                item_code=old.item.code,
                day=day,
                start=start,
                name=old.name or "",
                id_number=old.id_number or "",
                phone=old.phone or "",
                facts={k: v for k, v in old.facts.items() if k != "age"},
            ),
            channel=channel,
        )
        old.moved_to = new
        old.save(update_fields=["moved_to", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.APPOINTMENT_MOVED,
            target=old,
            center_id=old.center_id,
            after={"from": old.code, "to": new.code},
        )
        return new


def slot_start_of(booking: Appointment) -> datetime:
    return at_local(booking.day, booking.starts_at)
