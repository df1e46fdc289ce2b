"""Check-in: the window edges through the API, the ticket with appointment priority, late
arrivals, the no-show sweep and the kiosk page."""

from datetime import date

import pytest
import time_machine
from django.test import Client

from bianmin.appointments import services
from bianmin.appointments.enums import AppointmentStatus, BookingChannel
from bianmin.appointments.models import Appointment
from bianmin.appointments.tests.conftest import ID, PHONE, at
from bianmin.hall.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(hall):
    with time_machine.travel(at(2026, 11, 30, 8, 0), tick=False):
        return services.appointment_book(
            actor=None,
            data=services.BookingInput(
                center_code="TG",
                item_code="HZ02",
                day=date(2026, 11, 30),
                start="10:00",
                name="王秀英",
                id_number=ID,
                phone=PHONE,
            ),
            channel=BookingChannel.PHONE,
        )


def check_in(code, body=None):
    return Client().post(
        f"/api/v1/appointments/{code}/check-in", body or {}, content_type="application/json"
    )


@pytest.mark.parametrize(("hour", "minute"), [(9, 45), (10, 0), (10, 10)])
def test_inside_the_window_gives_an_appointment_ticket(booking, hour, minute):
    with time_machine.travel(at(2026, 11, 30, hour, minute), tick=False):
        response = check_in(booking.code)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["priority"] == "appointment"
    assert {"id", "number", "status", "position", "estimated_wait_minutes"} <= set(body)
    ticket = Ticket.objects.get(pk=body["id"])
    assert (ticket.priority, ticket.priority_claim) == ("appointment", "")
    booking.refresh_from_db()
    assert (booking.status, booking.ticket_number) == ("checked_in", ticket.number)


def test_one_minute_too_early_is_409_with_the_time_to_come_back(booking):
    with time_machine.travel(at(2026, 11, 30, 9, 44), tick=False):
        response = check_in(booking.code)
    assert response.status_code == 409
    assert response.json()["code"] == "too_early"
    assert "09:45" in response.json()["message"]
    assert not Ticket.objects.exists()


def test_one_minute_late_is_409_then_a_normal_ticket_on_request(booking):
    with time_machine.travel(at(2026, 11, 30, 10, 11), tick=False):
        refused = check_in(booking.code)
        assert refused.status_code == 409
        assert refused.json()["code"] == "too_late"
        assert not Ticket.objects.exists()
        accepted = check_in(booking.code, {"accept_normal": True})
    assert accepted.status_code == 200
    assert accepted.json()["priority"] == "normal"
    assert "普通号" in accepted.json()["message"]
    booking.refresh_from_db()
    assert booking.status == AppointmentStatus.LATE


def test_checking_in_twice_gives_no_second_ticket(booking):
    with time_machine.travel(at(2026, 11, 30, 10, 0), tick=False):
        assert check_in(booking.code).status_code == 200
        again = check_in(booking.code)
    assert again.status_code == 409
    assert Ticket.objects.count() == 1


def test_check_in_by_id_number_at_the_kiosk(booking):
    with time_machine.travel(at(2026, 11, 30, 9, 50), tick=False):
        page = Client().post("/kiosk/TG/appointments/check-in/", {"id_number": ID})
    assert page.status_code == 200
    assert "签到成功" in page.content.decode()
    assert Ticket.objects.get().priority == "appointment"


def test_late_kiosk_check_in_offers_a_normal_ticket(booking):
    with time_machine.travel(at(2026, 11, 30, 10, 30), tick=False):
        page = Client().post("/kiosk/TG/appointments/check-in/", {"code": booking.code})
        assert page.status_code == 409
        assert "领取普通号" in page.content.decode()
        normal = Client().post(
            "/kiosk/TG/appointments/check-in/", {"code": booking.code, "accept_normal": "1"}
        )
    assert "普通号" in normal.content.decode()
    assert Ticket.objects.get().priority == "normal"


def test_the_sweep_marks_no_shows_after_the_window(booking):
    with time_machine.travel(at(2026, 11, 30, 10, 10), tick=False):
        assert services.no_shows_sweep() == 0
    with time_machine.travel(at(2026, 11, 30, 10, 11), tick=False):
        assert services.no_shows_sweep() == 1
        assert services.no_shows_sweep() == 0
    assert Appointment.objects.get().status == AppointmentStatus.NO_SHOW


def test_kiosk_tiles_are_registered(hall):
    from bianmin.core.navigation import kiosk_tiles

    keys = {t["key"]: t["url"] for t in kiosk_tiles("TG")}
    assert keys["appointment_book"] == "/kiosk/TG/appointments/book/"
    assert keys["appointment_check_in"] == "/kiosk/TG/appointments/check-in/"
    assert keys["appointment_cancel"] == "/kiosk/TG/appointments/cancel/"
