"""Reminders at 18:00 the day before and one hour before: exactly once each, never inside the
SMS quiet hours; closures cancel with one SMS each and offer the next free slot."""

from datetime import date, time

import pytest
import time_machine

from bianmin.appointments import services
from bianmin.appointments.enums import AppointmentStatus, BookingChannel
from bianmin.appointments.models import Appointment
from bianmin.appointments.tests.conftest import ID, OTHER_ID, PHONE, at
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Role
from bianmin.notifications.models import Message

pytestmark = pytest.mark.django_db


def book(day, start, id_number=ID, item="HZ02"):
    with time_machine.travel(at(2026, 11, 30, 7, 0), tick=False):
        return services.appointment_book(
            actor=None,
            data=services.BookingInput(
                center_code="TG",
                item_code=item,
                day=day,
                start=start,
                name="王秀英",
                id_number=id_number,
                phone=PHONE,
            ),
            channel=BookingChannel.PHONE,
        )


def keys():
    return sorted(Message.objects.values_list("dedupe_key", flat=True))


def test_eve_and_hour_reminders_exactly_once(hall):
    booking = book(date(2026, 12, 1), "14:00")
    for moment in [
        at(2026, 11, 30, 17, 55),
        at(2026, 11, 30, 18, 0),
        at(2026, 11, 30, 18, 5),
        at(2026, 12, 1, 12, 0),
        at(2026, 12, 1, 13, 0),
        at(2026, 12, 1, 13, 5),
    ]:
        with time_machine.travel(moment, tick=False):
            services.reminders_send()
    assert keys() == sorted(
        [
            f"appointment:{booking.pk}:confirmed",
            f"appointment:{booking.pk}:reminder",
            f"appointment:{booking.pk}:reminder_hour",
        ]
    )
    eve = Message.objects.get(dedupe_key=f"appointment:{booking.pk}:reminder")
    assert "12月1日 14:00" in eve.text


def test_no_reminder_is_queued_inside_the_quiet_hours(hall):
    booking = book(date(2026, 12, 1), "08:30")
    with time_machine.travel(at(2026, 11, 30, 21, 30), tick=False):
        services.reminders_send()  # the eve reminder's day, but 21:30 is quiet
    with time_machine.travel(at(2026, 12, 1, 7, 30), tick=False):
        services.reminders_send()  # one hour before 08:30 is still quiet
    assert keys() == [f"appointment:{booking.pk}:confirmed"]


def test_cancelled_bookings_get_no_reminder(hall):
    booking = book(date(2026, 12, 1), "14:00")
    services.appointment_cancel(actor=None, code=booking.code, phone_last4=PHONE[-4:])
    with time_machine.travel(at(2026, 11, 30, 18, 5), tick=False):
        assert services.reminders_send() == 0


def test_a_closure_cancels_each_booking_with_one_sms_and_an_offer(hall, make_staff):
    director = make_staff(Role.DIRECTOR)
    first = book(date(2026, 12, 1), "09:00")
    second = book(date(2026, 12, 1), "14:00", id_number=OTHER_ID)
    other_item = book(date(2026, 12, 1), "09:00", item="JG01")
    with time_machine.travel(at(2026, 11, 30, 10, 0), tick=False):
        result = services.closure_create(
            actor=director, day=date(2026, 12, 1), reason="停电", category="household"
        )
        assert (result.cancelled, result.offered) == (2, 2)
        again = services.closure_create(
            actor=director, day=date(2026, 12, 1), reason="停电", category="household"
        )
        assert again.cancelled == 0
    for booking in (first, second):
        booking.refresh_from_db()
        assert (booking.status, booking.cancel_reason) == ("cancelled", "closure")
        assert booking.offered_day == date(2026, 12, 2)
        assert booking.offered_start == time(8, 30)
        assert Message.objects.filter(dedupe_key=f"appointment:{booking.pk}:closure").count() == 1
    assert Appointment.objects.get(pk=other_item.pk).status == AppointmentStatus.BOOKED
    # the citizen moves to the offered slot with the same code
    with time_machine.travel(at(2026, 11, 30, 10, 5), tick=False):
        moved = services.appointment_move(
            actor=None,
            code=first.code,
            phone_last4=PHONE[-4:],
            day=date(2026, 12, 2),
            start="08:30",
        )
    assert moved.status == "booked"
    with time_machine.travel(at(2026, 11, 30, 10, 6), tick=False), pytest.raises(DomainError):
        services.appointment_move(  # the offer is taken once
            actor=None,
            code=first.code,
            phone_last4=PHONE[-4:],
            day=date(2026, 12, 2),
            start="09:00",
        )


def test_closure_hours_remove_slots_and_bad_closure_is_refused(hall, make_staff):
    from bianmin.appointments import selectors
    from bianmin.catalogue.selectors import item_get
    from bianmin.core.errors import DomainError

    director = make_staff(Role.DIRECTOR)
    with time_machine.travel(at(2026, 11, 30, 10, 0), tick=False):
        services.closure_create(
            actor=director,
            day=date(2026, 12, 2),
            reason="业务培训",
            starts_at=time(9),
            ends_at=time(11),
        )
        starts = [
            s.start
            for s in selectors.slots_for(
                center_id=hall.pk, item=item_get(code="HZ02"), day=date(2026, 12, 2)
            )
        ]
        assert time(9) not in starts
        assert time(10, 30) not in starts
        assert time(11) in starts
        with pytest.raises(DomainError) as err:
            services.closure_create(actor=director, day=date(2026, 12, 2), reason="")
        assert err.value.code == "invalid_closure"
