"""Booking, cancelling and moving: the API shapes, every bad input answered in Chinese with
nothing written, one booking per person/item/day, the daily cap and the no-show block."""

from datetime import date, timedelta

import pytest
from django.test import Client

from bianmin.appointments import services
from bianmin.appointments.enums import AppointmentStatus, BookingChannel
from bianmin.appointments.models import Appointment, CapacityOverride
from bianmin.appointments.tests.conftest import ID, OTHER_ID, PHONE, booking_payload
from bianmin.catalogue.selectors import item_get
from bianmin.core.errors import DomainError
from bianmin.notifications.models import Message

pytestmark = pytest.mark.django_db


def post(payload):
    return Client().post("/api/v1/appointments", payload, content_type="application/json")


def test_slots_api_lists_capacity_from_the_median(hall, pinned):
    from statistics import median

    from bianmin.catalogue.selectors import item_list

    household = [i.average_service_minutes for i in item_list() if i.category == "household"]
    expected = int(2 * 30 // median(household))  # 2 windows × 30 minutes ÷ the group's median
    response = Client().get(
        "/api/v1/appointments/slots", {"center": "TG", "item_code": "HZ02", "date": "2026-12-01"}
    )
    assert response.status_code == 200
    slots = response.json()
    assert slots[0] == {"start": "08:30", "end": "09:00", "available": expected}
    assert [s["start"] for s in slots][:7] == [
        "08:30",
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
        "11:30",
    ]
    assert "17:30" not in [s["start"] for s in slots]
    assert slots[-1]["end"] == "17:30"


def test_today_offers_only_slots_after_the_minimum_notice(hall, pinned):
    slots = (
        Client()
        .get(
            "/api/v1/appointments/slots",
            {"center": "TG", "item_code": "HZ02", "date": "2026-11-30"},
        )
        .json()
    )
    assert slots[0]["start"] == "11:00"  # 10:00 + 60 minutes notice


def test_booking_answers_the_contract_shape_and_sends_one_sms(hall, pinned):
    response = post(booking_payload())
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"code", "date", "start", "status"}
    assert (body["date"], body["start"], body["status"]) == ("2026-12-01", "09:00", "booked")
    booking = Appointment.objects.get(code=body["code"])
    assert booking.channel == BookingChannel.API
    assert booking.id_number == ID
    assert booking.id_masked != ID
    messages = Message.objects.filter(dedupe_key=f"appointment:{booking.pk}:confirmed")
    assert messages.count() == 1
    assert body["code"] in messages.get().text
    assert ID not in messages.get().text


def test_the_slot_fills_and_then_answers_409_slot_full(hall, pinned):
    CapacityOverride.objects.create(center=hall, group="household", capacity=1)
    assert post(booking_payload()).status_code == 200
    response = post(booking_payload(id_number=OTHER_ID, phone="13800001111"))
    assert response.status_code == 409
    assert response.json()["code"] == "slot_full"
    assert "约满" in response.json()["message"]
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "code", "status"),
    [
        ({"item_code": "ZZ99"}, "unknown_item", 404),
        ({"date": "2026-11-29"}, "date_in_past", 400),
        ({"date": "2027-02-01"}, "too_far_ahead", 400),
        ({"date": "2026-13-01"}, "invalid_date", 400),
        ({"start": "18:00"}, "no_such_slot", 400),
        ({"id_number": "610522199005171230"}, "invalid_id_number", 400),
        ({"phone": "0913382211"}, "invalid_phone", 400),
        ({"name": ""}, "invalid_name", 400),
        ({"center": "XX"}, "unknown_center", 404),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(
    hall, pinned, overrides, code, status
):
    response = post(booking_payload(**overrides))
    assert response.status_code == status
    assert response.json()["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["message"])
    assert not Appointment.objects.exists()
    assert not Message.objects.exists()


def test_one_person_one_booking_per_item_and_day(hall, pinned):
    assert post(booking_payload()).status_code == 200
    again = post(booking_payload(start="10:00"))
    assert again.status_code == 409
    assert again.json()["code"] == "already_booked"
    other_item = post(booking_payload(item_code="HZ03", start="10:00"))
    assert other_item.status_code == 200
    third = post(booking_payload(item_code="HZ10", start="11:00"))
    assert third.json()["code"] == "daily_cap"
    assert Appointment.objects.count() == 2


def test_idempotency_key_returns_the_first_booking(hall, pinned):
    first = Client().post(
        "/api/v1/appointments",
        booking_payload(),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    second = Client().post(
        "/api/v1/appointments",
        booking_payload(),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert first.json() == second.json()
    assert Appointment.objects.count() == 1


def test_cancel_needs_the_code_and_the_last_four_digits(hall, pinned):
    code = post(booking_payload()).json()["code"]
    with pytest.raises(DomainError) as err:
        services.appointment_cancel(actor=None, code=code, phone_last4="0000")
    assert err.value.code == "not_found"
    assert Appointment.objects.get(code=code).status == AppointmentStatus.BOOKED
    cancelled = services.appointment_cancel(actor=None, code=code.lower(), phone_last4=PHONE[-4:])
    assert cancelled.status == AppointmentStatus.CANCELLED
    # the place is free again
    assert post(booking_payload(id_number=OTHER_ID)).status_code == 200


def test_move_books_the_new_slot_and_cancels_the_old_one(hall, pinned):
    code = post(booking_payload()).json()["code"]
    moved = services.appointment_move(
        actor=None, code=code, phone_last4=PHONE[-4:], day=date(2026, 12, 2), start="14:00"
    )
    old = Appointment.objects.get(code=code)
    assert (old.status, old.cancel_reason, old.moved_to_id) == ("cancelled", "moved", moved.pk)
    assert (moved.day, moved.starts_at.strftime("%H:%M"), moved.status) == (
        date(2026, 12, 2),
        "14:00",
        "booked",
    )


def test_move_to_a_full_slot_changes_nothing(hall, pinned):
    CapacityOverride.objects.create(center=hall, group="household", capacity=1)
    code = post(booking_payload()).json()["code"]
    post(booking_payload(id_number=OTHER_ID, phone="13800001111", start="14:00"))
    with pytest.raises(DomainError) as err:
        services.appointment_move(
            actor=None, code=code, phone_last4=PHONE[-4:], day=date(2026, 12, 1), start="14:00"
        )
    assert err.value.code == "slot_full"
    assert Appointment.objects.get(code=code).status == AppointmentStatus.BOOKED


def test_three_no_shows_block_online_booking_with_the_reason_and_the_end(hall, pinned):
    for days_ago in (40, 20, 3):
        post_day = date(2026, 11, 30) - timedelta(days=days_ago)
        Appointment.objects.create(
            center=hall,
            code=f"NS{days_ago:06d}",
            item=item_get(code="HZ02"),
            day=post_day,
            starts_at="09:00",
            ends_at="09:30",
            seat=0,
            status=AppointmentStatus.NO_SHOW,
            channel="phone",
            name="王秀英",
            name_masked="王*英",
            id_number=ID,
            id_index=__import__("bianmin.people.services", fromlist=["x"]).id_number_index(ID),
            id_masked="x",
            phone=PHONE,
            phone_index="p",
            phone_masked="m",
        )
    response = post(booking_payload())
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "booking_blocked"
    assert "2026年12月27日" in body["message"]
    assert "3次" in body["message"]
    assert Appointment.objects.filter(status="booked").count() == 0


def test_staff_book_for_a_caller(hall, pinned, make_staff, api_client_for):
    from bianmin.core.permissions import Role

    guide = make_staff(Role.GUIDE)
    response = api_client_for(guide).post(
        "/api/v1/appointments", booking_payload(), content_type="application/json"
    )
    assert response.status_code == 200
    booking = Appointment.objects.get()
    assert (booking.channel, booking.booked_by_id) == ("staff", guide.pk)


def test_items_of_one_window_group_share_the_places(hall, pinned):
    CapacityOverride.objects.create(center=hall, group="household", capacity=2)
    assert post(booking_payload(item_code="HZ02")).status_code == 200
    assert post(booking_payload(item_code="HZ03", id_number=OTHER_ID)).status_code == 200
    full = post(booking_payload(item_code="HZ10", id_number=ID[:-4] + "0000", phone="13800001111"))
    assert full.status_code in (400, 409)
    traffic = (
        Client()
        .get(
            "/api/v1/appointments/slots",
            {"center": "TG", "item_code": "JG01", "date": "2026-12-01"},
        )
        .json()
    )
    assert traffic[1]["start"] == "09:00"
    assert traffic[1]["available"] > 0
    household = (
        Client()
        .get(
            "/api/v1/appointments/slots",
            {"center": "TG", "item_code": "HZ10", "date": "2026-12-01"},
        )
        .json()
    )
    assert household[1] == {"start": "09:00", "end": "09:30", "available": 0}
