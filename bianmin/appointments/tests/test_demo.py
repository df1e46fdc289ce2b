"""Demo data: a week of bookings around today, a holiday duty roster, a route of five visits
tomorrow and two deliveries, all consistent with today's date."""

import random
from datetime import timedelta

import pytest

from bianmin.appointments.demo import appointments_demo_load
from bianmin.appointments.models import Appointment, ExtraOpening, HomeVisit
from bianmin.core import clock
from bianmin.core.permissions import Role
from bianmin.core.workdays import is_workday

pytestmark = pytest.mark.django_db


def test_demo_fits_today(hall, make_staff, pinned):
    for i in range(1, 5):
        make_staff(Role.OFFICER, username=f"officer{i:02d}")
    appointments_demo_load(center=hall, rng=random.Random(3))
    today = clock.today()

    past = Appointment.objects.filter(day__lt=today)
    assert past.filter(status="checked_in").exists()
    assert past.filter(status="no_show").exists()
    assert not past.filter(status="booked").exists()
    assert not Appointment.objects.filter(day__gte=today).exclude(status="booked").exists()
    assert Appointment.objects.filter(day__gt=today).exists()

    holiday = ExtraOpening.objects.get(kind="holiday")
    assert holiday.day > today
    assert not is_workday(holiday.day)
    assert holiday.duty_officers.count() == 2

    tomorrow = HomeVisit.objects.filter(visit_day=today + timedelta(days=1), status="scheduled")
    assert tomorrow.count() == 5
    assert {v.team.name for v in tomorrow} == {"流动服务一队"}
    delivered = HomeVisit.objects.filter(status="delivered")
    assert delivered.count() == 2
    assert all(v.requested_at < v.done_at < v.delivered_at <= clock.now() for v in delivered)
