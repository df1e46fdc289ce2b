"""Two citizens booking the last place at the same moment: exactly one wins (real threads,
real connections; SQLite here, PostgreSQL with BIANMIN_DATABASE_URL)."""

import pytest
import time_machine

from bianmin.appointments import services
from bianmin.appointments.enums import BookingChannel
from bianmin.appointments.models import Appointment, CapacityOverride
from bianmin.appointments.tests.conftest import at
from bianmin.core.errors import DomainError
from bianmin.people.idnumber import make_id_number
from tests.support.races import errors_of, run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("racers", [2, 6])
def test_the_last_place_goes_to_exactly_one(hall, racers):
    from datetime import date

    CapacityOverride.objects.create(center=hall, group="household", capacity=1)

    def book(i: int):
        with time_machine.travel(at(2026, 11, 30), tick=False):
            return services.appointment_book(
                actor=None,
                data=services.BookingInput(
                    center_code="TG",
                    item_code="HZ02",
                    day=date(2026, 12, 1),
                    start="09:00",
                    name="李四",
                    id_number=make_id_number("610522", date(1980, 1, 1 + i), 10 + i),
                    phone=f"1390000{i:04d}",
                ),
                channel=BookingChannel.PHONE,
            )

    results = run_concurrently(book, racers)
    winners = [r for r in results if isinstance(r, Appointment)]
    losers = errors_of(results)
    assert len(winners) == 1, results
    assert len(losers) == racers - 1
    assert all(isinstance(e, DomainError) and e.code == "slot_full" for e in losers), losers
    assert Appointment.objects.filter(starts_at="09:00", status="booked").count() == 1


def test_the_same_person_twice_at_once_holds_one_booking(hall):
    from datetime import date

    person = make_id_number("610522", date(1980, 1, 1), 10)

    def book(i: int):
        with time_machine.travel(at(2026, 11, 30), tick=False):
            return services.appointment_book(
                actor=None,
                data=services.BookingInput(
                    center_code="TG",
                    item_code="HZ02",
                    day=date(2026, 12, 1),
                    start=["09:00", "10:00"][i],
                    name="李四",
                    id_number=person,
                    phone="13900000000",
                ),
                channel=BookingChannel.PHONE,
            )

    results = run_concurrently(book, 2)
    assert len([r for r in results if isinstance(r, Appointment)]) == 1, results
    assert [e.code for e in errors_of(results)] == ["already_booked"]
    assert Appointment.objects.count() == 1
