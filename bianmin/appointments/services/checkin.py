"""签到: a booking becomes a hall ticket with appointment priority (the only way a ticket gets
it); the no-show sweep marks bookings nobody came for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.appointments import pipeline
from bianmin.appointments.enums import AppointmentStatus
from bianmin.appointments.errors import AppointmentError
from bianmin.appointments.models import Appointment
from bianmin.appointments.services.common import (
    at_local,
    center_by_code,
    date_label,
    local_now,
    need,
    normalize_code,
    rules_for,
)
from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.actors import StaffActor
from bianmin.core.errors import Conflict, DomainError, NotFound
from bianmin.core.permissions import Perm
from bianmin.hall.enums import IssueChannel, Priority
from bianmin.hall.services import ticket_issue
from bianmin.people.idnumber import check_id_number
from bianmin.people.services import id_number_index


@dataclass(frozen=True)
class CheckInResult:
    appointment: Appointment
    ticket: Any
    with_priority: bool
    message: str


def _find(*, center: Any, code: str, id_number: str) -> Appointment:
    """By booking code (typed or read from the QR) or by ID number: today's booking of this
    center; several by ID number → the earliest still open."""
    rows = Appointment.objects.select_for_update().filter(center_id=center.pk)
    code = normalize_code(code)
    if code:
        booking = rows.filter(code=code).first()
    else:
        check = check_id_number((id_number or "").strip().upper(), today=clock.today())
        if not check.valid:
            raise DomainError(
                _("身份证号码有误：%(e)s") % {"e": check.error},
                code=AppointmentError.INVALID_ID_NUMBER,
            )
        booking = (
            rows.filter(
                id_index=id_number_index(check.normalized),
                day=clock.today(),
                status=AppointmentStatus.BOOKED,
            )
            .order_by("starts_at")
            .first()
        )
    if booking is None:
        raise NotFound(_("没有找到今天的预约，请核对预约码。"), code=AppointmentError.NOT_FOUND)
    return booking


def appointment_check_in(
    *,
    actor: StaffActor | None,
    center_code: str,
    code: str = "",
    id_number: str = "",
    accept_normal: bool = False,
    channel: IssueChannel = IssueChannel.KIOSK,
) -> CheckInResult:
    """From 15 minutes before to 10 minutes after the slot start: a ticket with appointment
    priority. Later: with `accept_normal` a normal ticket and the booking counts as missed;
    without, a 409 saying why. Earlier: a 409 saying from when."""
    if actor is not None:
        need(actor, Perm.APPOINTMENT_MANAGE)
    center = center_by_code(center_code)
    if actor is not None and actor.center_id != center.pk:
        raise NotFound(_("没有找到今天的预约，请核对预约码。"), code=AppointmentError.NOT_FOUND)
    with transaction.atomic():
        booking = _find(center=center, code=code, id_number=id_number)
        if booking.status == AppointmentStatus.CHECKED_IN and booking.ticket_id:
            raise Conflict(
                _("该预约已签到，排队号 %(n)s。") % {"n": booking.ticket_number},
                code=AppointmentError.INVALID_TRANSITION,
            )
        if booking.status != AppointmentStatus.BOOKED:
            raise Conflict(
                _("该预约当前状态为“%(s)s”，不能签到。") % {"s": booking.get_status_display()},
                code=AppointmentError.INVALID_TRANSITION,
            )
        rules = rules_for(center.pk)
        start = at_local(booking.day, booking.starts_at)
        now = local_now()
        verdict = pipeline.check_in_verdict(
            slot_start=start,
            now=now,
            before_minutes=rules.check_in_before_minutes,
            after_minutes=rules.check_in_after_minutes,
        )
        if verdict == pipeline.CheckInVerdict.OTHER_DAY:
            raise Conflict(
                _("您的预约是 %(d)s %(t)s，不是今天。")
                % {"d": date_label(booking.day), "t": booking.starts_at.strftime("%H:%M")},
                code=AppointmentError.NOT_TODAY,
            )
        if verdict == pipeline.CheckInVerdict.TOO_EARLY:
            opens = start - timedelta(minutes=rules.check_in_before_minutes)
            raise Conflict(
                _("签到时间未到：请于 %(t)s 以后签到（预约 %(s)s）。")
                % {"t": opens.strftime("%H:%M"), "s": booking.starts_at.strftime("%H:%M")},
                code=AppointmentError.TOO_EARLY,
                opens_at=opens.strftime("%H:%M"),
            )
        late = verdict == pipeline.CheckInVerdict.LATE
        if late and not accept_normal:
            closes = start + timedelta(minutes=rules.check_in_after_minutes)
            raise Conflict(
                _("已超过签到时间（%(t)s 前），预约已失效；可领取普通号排队办理。")
                % {"t": closes.strftime("%H:%M")},
                code=AppointmentError.TOO_LATE,
            )
        ticket = ticket_issue(
            actor=actor,
            center=center,
            item_codes=[booking.item.code],
            channel=channel,
            priority=Priority.NORMAL if late else Priority.APPOINTMENT,
            priority_verified=not late,
            request_key=f"appointment:{booking.code}",
        )
        booking.status = AppointmentStatus.LATE if late else AppointmentStatus.CHECKED_IN
        booking.checked_in_at = clock.now()
        booking.ticket_id = str(ticket.pk)
        booking.ticket_number = ticket.number
        booking.save(
            update_fields=["status", "checked_in_at", "ticket_id", "ticket_number", "updated_at"]
        )
        audit_record(
            actor=actor,
            action=AuditAction.APPOINTMENT_CHECKED_IN,
            target=booking,
            center_id=center.pk,
            after={"code": booking.code, "ticket": ticket.number, "late": late},
        )
    if late:
        message = _(
            "您已超过预约签到时间，预约已失效并记一次爽约；已为您领取普通号 %(n)s，请按顺序等候。"
        ) % {"n": ticket.number}
    else:
        message = _("签到成功：预约优先号 %(n)s，请留意叫号。") % {"n": ticket.number}
    return CheckInResult(booking, ticket, not late, message)


def no_shows_sweep() -> int:
    """Periodic: bookings still open after the check-in window closed are no-shows."""
    now = local_now()
    marked = 0
    candidates = Appointment.objects.filter(
        status=AppointmentStatus.BOOKED, day__lte=now.date()
    ).values_list("pk", "center_id", "day", "starts_at")
    for pk, center_id, day, starts_at in candidates:
        rules = rules_for(center_id)
        if at_local(day, starts_at) + timedelta(minutes=rules.check_in_after_minutes) >= now:
            continue
        with transaction.atomic():
            booking = (
                Appointment.objects.select_for_update()
                .filter(pk=pk, status=AppointmentStatus.BOOKED)
                .first()
            )
            if booking is None:
                continue
            booking.status = AppointmentStatus.NO_SHOW
            booking.no_show_at = clock.now()
            booking.save(update_fields=["status", "no_show_at", "updated_at"])
            audit_record(
                actor=None,
                action=AuditAction.APPOINTMENT_NO_SHOW,
                target=booking,
                center_id=center_id,
                after={"code": booking.code},
            )
            marked += 1
    return marked
