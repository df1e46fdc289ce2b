"""Center B's staff cannot act on center A's bookings, settings or home visits, and a kiosk of
center B cannot check in center A's booking. Every write URL and API operation of the context
is named here (tests/test_cross_center_inventory.py):

pages: appointments:book, appointments:manage, appointments:kiosk_book,
appointments:kiosk_cancel, appointments:kiosk_check_in, appointments:desk,
appointments:settings, appointments:visits, appointments:visit_detail,
appointments:visit_capture, appointments:visit_deliver, appointments:visit_request
api: POST /api/v1/appointments, POST /api/v1/appointments/{code}/check-in,
POST /api/v1/home-visits, POST /api/v1/home-visits/code
"""

import json
from datetime import date

import pytest
import time_machine
from django.test import Client

from bianmin.accounts.models import Center
from bianmin.appointments import services
from bianmin.appointments.enums import BookingChannel
from bianmin.appointments.models import (
    Appointment,
    BookingRules,
    Closure,
    ExtraOpening,
    HomeVisit,
    MobileTeam,
)
from bianmin.appointments.tests.conftest import ID, PHONE, at, booking_payload
from bianmin.appointments.tests.factories import SIGNATURE, visit_input
from bianmin.core.permissions import Role
from bianmin.hall.models import Ticket, Window

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(hall, other_center, make_staff):
    Window.objects.create(center=other_center, code="W01", name="1号窗口")
    with time_machine.travel(at(2026, 11, 30, 8, 0), tick=False):
        booking = services.appointment_book(
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
    a_leader = make_staff(Role.SHIFT_LEADER)
    a1, a2 = make_staff(Role.OFFICER), make_staff(Role.OFFICER)
    crew = services.team_save(
        actor=a_leader,
        name="一队",
        officer_ids=[a1.pk, a2.pk],
        vehicle="车",
        kit=[],
        weekdays=[0, 1, 2, 3, 4, 5, 6],
    )
    with time_machine.travel(at(2026, 11, 30, 8, 0), tick=False):
        visit = services.home_visit_request(actor=a1, center_code="TG", data=visit_input())
    return {
        "booking": booking,
        "visit": visit,
        "team": crew,
        "b_guide": make_staff(Role.GUIDE, center_=other_center),
        "b_officer": make_staff(Role.OFFICER, center_=other_center),
        "b_leader": make_staff(Role.SHIFT_LEADER, center_=other_center),
        "b_director": make_staff(Role.DIRECTOR, center_=other_center),
    }


def state():
    return (
        list(Appointment.objects.order_by("pk").values_list("status", "ticket_id")),
        list(HomeVisit.objects.order_by("pk").values_list("status", "team_id", "case_id")),
        Ticket.objects.count(),
        Closure.objects.count(),
        ExtraOpening.objects.count(),
        BookingRules.objects.count(),
        MobileTeam.objects.count(),
    )


def test_b_staff_cannot_check_in_a_booking_of_a_api(world, api_client_for):
    """POST /api/v1/appointments/{code}/check-in as center B's guide."""
    before = state()
    with time_machine.travel(at(2026, 11, 30, 10, 0), tick=False):
        response = api_client_for(world["b_guide"]).post(
            f"/api/v1/appointments/{world['booking'].code}/check-in",
            {},
            content_type="application/json",
        )
    assert response.status_code == 404
    assert state() == before


def test_b_kiosk_cannot_check_in_a_booking_of_a(world):
    """appointments:kiosk_check_in of center B with A's code."""
    before = state()
    with time_machine.travel(at(2026, 11, 30, 10, 0), tick=False):
        response = Client().post(
            "/kiosk/HY/appointments/check-in/", {"code": world["booking"].code}
        )
    assert response.status_code == 404
    assert state() == before


def test_b_desk_cannot_check_in_or_cancel_a_booking_of_a(world, login_client_for):
    """appointments:desk (check-in and cancel) as center B's guide."""
    client = login_client_for(world["b_guide"])
    before = state()
    with time_machine.travel(at(2026, 11, 30, 10, 0), tick=False):
        checked = client.post("/appointments/desk/", {"code": world["booking"].code})
        cancelled = client.post(
            "/appointments/desk/",
            {"action": "cancel", "code": world["booking"].code, "last4": PHONE[-4:]},
        )
    assert (checked.status_code, cancelled.status_code) == (404, 404)
    assert state() == before


def test_b_staff_cannot_book_for_center_a(world, api_client_for):
    """POST /api/v1/appointments with a token of center B naming center TG."""
    before = state()
    with time_machine.travel(at(2026, 11, 30, 8, 0), tick=False):
        response = api_client_for(world["b_guide"]).post(
            "/api/v1/appointments",
            booking_payload(start="11:00"),
            content_type="application/json",
        )
    assert response.status_code == 403
    assert state() == before


def test_b_director_settings_touch_only_b(world, login_client_for):
    """appointments:settings as center B's director: a closure of B cancels nothing of A."""
    client = login_client_for(world["b_director"])
    with time_machine.travel(at(2026, 11, 30, 8, 0), tick=False):
        response = client.post(
            "/appointments/settings/", {"action": "closure", "day": "2026-11-30", "reason": "停电"}
        )
    assert response.status_code == 200
    assert Closure.objects.get().center_id == world["b_director"].center_id
    assert Appointment.objects.get().status == "booked"


def test_b_staff_cannot_see_review_or_capture_a_visit_of_a(world, login_client_for):
    """appointments:visit_detail, appointments:visit_capture, appointments:visit_deliver and
    appointments:visits (plan) as center B's staff."""
    number = world["visit"].number
    before = state()
    leader = login_client_for(world["b_leader"])
    assert leader.get(f"/home-visits/v/{number}/").status_code == 404
    assert leader.post(f"/home-visits/v/{number}/", {"decision": "approve"}).status_code == 404
    officer = login_client_for(world["b_officer"])
    capture = officer.post(
        f"/home-visits/v/{number}/capture/",
        json.dumps(
            {
                "photo": "",
                "signature": SIGNATURE,
                "fingerprints": "captured",
                "latitude": "34.5",
                "longitude": "110.2",
                "capture_key": "x",
            }
        ),
        content_type="application/json",
    )
    assert capture.status_code in (400, 404)
    assert (
        officer.post(f"/home-visits/v/{number}/deliver/", {"signature": SIGNATURE}).status_code
        == 404
    )
    with time_machine.travel(at(2026, 11, 30, 8, 0), tick=False):
        leader.post("/home-visits/", {"action": "plan", "start": "2026-12-01"})
    assert state() == before


def test_b_staff_cannot_register_a_visit_for_a(world, api_client_for):
    """POST /api/v1/home-visits with B's token lands in B (the staff's own center)."""
    payload = {
        "center": "TG",
        "name": "张桂兰",
        "id_number": ID,
        "phone": "13700000000",
        "town": "城关街道",
        "address": "东风街1号",
        "reason": "elderly",
        "item_codes": ["HZ02"],
        "requester_kind": "community",
        "contact_name": "社区",
        "contact_phone": "13912345678",
    }
    response = api_client_for(world["b_officer"]).post(
        "/api/v1/home-visits", payload, content_type="application/json"
    )
    assert response.status_code == 200
    created = HomeVisit.objects.get(number=response.json()["number"])
    assert created.center_id == world["b_officer"].center_id


def test_public_pages_are_scoped_by_the_center_in_the_url(world):
    """appointments:book, appointments:kiosk_book, appointments:manage,
    appointments:kiosk_cancel, appointments:visit_request and POST /api/v1/home-visits/code:
    center B's pages cannot cancel A's booking without its phone digits."""
    before = state()
    wrong = Client().post(
        "/appointments/HY/manage/",
        {"action": "cancel", "code": world["booking"].code, "last4": "0000"},
    )
    assert wrong.status_code == 404
    kiosk = Client().post(
        "/kiosk/HY/appointments/cancel/", {"code": world["booking"].code, "last4": "1111"}
    )
    assert kiosk.status_code == 404
    assert state() == before
    assert Center.objects.count() == 2
