"""The pages: phone booking with conditional materials and QR, cancel, kiosk tiles, guide
desk, settings (holiday duty roster opens bookable hours), home-visit screens."""

from datetime import date, time

import pytest
import time_machine
from django.test import Client

from bianmin.appointments import selectors, services
from bianmin.appointments.models import Appointment, ExtraOpening, HomeVisit
from bianmin.appointments.tests.conftest import ID, PHONE, at
from bianmin.catalogue.selectors import item_get
from bianmin.core.permissions import Role
from bianmin.hall.models import Ticket

pytestmark = pytest.mark.django_db


def test_phone_booking_shows_slots_then_the_confirmation_with_materials(hall, pinned):
    client = Client()
    page = client.get("/appointments/TG/book/", {"item_code": "HZ03", "date": "2026-12-01"})
    assert page.status_code == 200
    assert "09:00–09:30" in page.content.decode()
    fragment = client.get(
        "/appointments/TG/book/",
        {"item_code": "HZ03", "date": "2026-12-01"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert 'id="ap-slots"' in fragment
    assert "<html" not in fragment
    response = client.post(
        "/appointments/TG/book/?item_code=HZ03&date=2026-12-01",
        {
            "item_code": "HZ03",
            "date": "2026-12-01",
            "start": "09:00",
            "name": "王秀英",
            "id_number": ID,
            "phone": PHONE,
            "fact_lost": "1",
        },
    )
    assert response.status_code == 302
    booking = Appointment.objects.get()
    assert response["Location"] == f"/appointments/TG/c/{booking.code}/"
    confirmation = client.get(response["Location"]).content.decode()
    assert booking.code in confirmation
    assert "<svg" in confirmation
    required = [
        m.name
        for m in item_get(code="HZ03").materials.all()
        if m.required_when in ("always", "lost", "aged_16_plus")
    ]
    assert required
    assert all(name in confirmation for name in required)
    assert ID not in confirmation
    assert PHONE not in confirmation


def test_bad_phone_booking_is_a_chinese_message_and_nothing_written(hall, pinned):
    response = Client().post(
        "/appointments/TG/book/",
        {
            "item_code": "HZ02",
            "date": "2026-12-01",
            "start": "09:00",
            "name": "王秀英",
            "id_number": ID,
            "phone": "123",
        },
    )
    assert response.status_code == 400
    assert "手机号码" in response.content.decode()
    assert not Appointment.objects.exists()


def test_cancel_page_and_kiosk_pages(hall, pinned):
    booking = services.appointment_book(
        actor=None,
        data=services.BookingInput(
            center_code="TG",
            item_code="HZ02",
            day=date(2026, 12, 1),
            start="09:00",
            name="王秀英",
            id_number=ID,
            phone=PHONE,
        ),
        channel="phone",
    )
    for url in (
        "/kiosk/TG/appointments/book/",
        "/kiosk/TG/appointments/check-in/",
        "/kiosk/TG/appointments/cancel/",
    ):
        page = Client().get(url)
        assert page.status_code == 200
        assert "kiosk-screen" in page.content.decode()
    done = Client().post(
        "/kiosk/TG/appointments/cancel/", {"code": booking.code, "last4": PHONE[-4:]}
    )
    assert "已取消" in done.content.decode()


def test_guide_desk_checks_in_and_books_for_a_caller(hall, make_staff, login_client_for):
    guide = make_staff(Role.GUIDE)
    client = login_client_for(guide)
    with time_machine.travel(at(2026, 11, 30, 8, 0), tick=False):
        booked = client.post(
            "/appointments/desk/",
            {
                "action": "book",
                "item_code": "HZ02",
                "date": "2026-11-30",
                "start": "10:00",
                "name": "王秀英",
                "id_number": ID,
                "phone": PHONE,
            },
        )
    assert "已预约" in booked.content.decode()
    booking = Appointment.objects.get()
    assert booking.channel == "staff"
    with time_machine.travel(at(2026, 11, 30, 9, 55), tick=False):
        checked = client.post("/appointments/desk/", {"id_number": ID})
        assert "签到成功" in checked.content.decode()
        listing = client.get("/appointments/desk/").content.decode()
    assert booking.code in listing
    assert ID not in listing
    assert Ticket.objects.get().priority == "appointment"


def test_a_holiday_duty_roster_opens_bookable_hours_and_the_hall(
    hall, make_staff, login_client_for
):
    director = make_staff(Role.DIRECTOR)
    officer = make_staff(Role.OFFICER)
    client = login_client_for(director)
    with time_machine.travel(at(2026, 11, 30, 8, 0), tick=False):
        page = client.post(
            "/appointments/settings/",
            {
                "action": "opening",
                "day": "2026-12-05",
                "kind": "holiday",
                "starts_at": "09:00",
                "ends_at": "11:00",
                "windows": "1",
                "duty": [str(officer.pk)],
            },
        )
        assert "值守时段已开放" in page.content.decode(), page.content.decode()
        opening = ExtraOpening.objects.get()
        assert list(opening.duty_officers.all()) == [officer]
        slots = selectors.slots_for(
            center_id=hall.pk, item=item_get(code="HZ02"), day=date(2026, 12, 5)
        )
        assert [s.start for s in slots] == [time(9), time(9, 30), time(10), time(10, 30)]
        assert {s.kind for s in slots} == {"holiday"}
        assert "值班民警" in client.get("/appointments/settings/").content.decode()
        booking = services.appointment_book(
            actor=None,
            data=services.BookingInput(
                center_code="TG",
                item_code="HZ02",
                day=date(2026, 12, 5),
                start="09:30",
                name="王秀英",
                id_number=ID,
                phone=PHONE,
            ),
            channel="phone",
        )
    with time_machine.travel(at(2026, 12, 5, 9, 20), tick=False):
        result = services.appointment_check_in(actor=None, center_code="TG", code=booking.code)
    assert result.ticket.priority == "appointment"


def test_settings_refuse_bad_values(hall, make_staff, login_client_for):
    client = login_client_for(make_staff(Role.DIRECTOR))
    response = client.post("/appointments/settings/", {"action": "rules", "slot_minutes": "2"})
    assert response.status_code == 400
    assert "超出范围" in response.content.decode()


def test_home_visit_pages(hall, make_staff, login_client_for, pinned):
    leader = make_staff(Role.SHIFT_LEADER)
    client = login_client_for(leader)
    page = client.get("/home-visits/")
    assert page.status_code == 200
    assert "累计上门服务人次" in page.content.decode()
    created = client.post(
        "/home-visits/",
        {
            "name": "张桂兰",
            "id_number": ID,
            "phone": "13700000000",
            "town": "城关街道",
            "address": "东风街1号",
            "reason": "elderly",
            "item_codes": ["HZ02"],
            "requester_kind": "community",
            "contact_name": "社区",
            "contact_phone": PHONE,
        },
    )
    assert created.status_code == 302
    visit = HomeVisit.objects.get()
    detail = client.get(created["Location"]).content.decode()
    assert "东风街1号" in detail
    assert ID not in detail
    client.post(created["Location"], {"decision": "approve"})
    visit.refresh_from_db()
    assert visit.status == "approved"
    public = Client().get("/home-visits/TG/request/")
    assert public.status_code == 200
    assert "获取验证码" in public.content.decode()


def test_the_directors_console_shows_the_visits_count(hall, make_staff, login_client_for, pinned):
    HomeVisit.objects.create(
        center=hall,
        number="SM-20261101-0001",
        status="delivered",
        name="张桂兰",
        name_masked="张*兰",
        id_number=ID,
        id_index="i",
        id_masked="m",
        phone=PHONE,
        phone_masked="p",
        town="城关街道",
        address="东风街1号",
        reason="elderly",
        item_codes=["HZ02"],
        requester_kind="family",
        contact_name="张明",
        contact_phone=PHONE,
        contact_phone_masked="p",
        requested_at=at(2026, 11, 1),
        done_at=at(2026, 11, 3),
    )
    page = login_client_for(make_staff(Role.DIRECTOR)).get("/").content.decode()
    assert "出诊式上门服务累计" in page
    assert 'data-testid="visits-total">1<' in page
