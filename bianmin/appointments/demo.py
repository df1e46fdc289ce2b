"""Demo data of the appointments context, dated relative to today (the center's day): a week
of bookings (past days checked in, late or no-show; coming days booked), one holiday duty
roster, one mobile team with a route of five visits tomorrow, requests waiting for review,
and two certificates already delivered to the home."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from bianmin.accounts.selectors import staff_of_center
from bianmin.appointments import selectors
from bianmin.appointments.enums import (
    AppointmentStatus,
    BookingChannel,
    HomeVisitReason,
    HomeVisitStatus,
    OpeningKind,
    RequesterKind,
)
from bianmin.appointments.models import (
    Appointment,
    BookingRules,
    ExtraOpening,
    HomeVisit,
    MobileTeam,
)
from bianmin.appointments.services.common import CODE_ALPHABET
from bianmin.catalogue.selectors import item_get
from bianmin.core import clock
from bianmin.core.masking import mask_name, mask_phone
from bianmin.core.permissions import Role
from bianmin.core.workdays import is_workday
from bianmin.people.idnumber import make_id_number, mask_id_number
from bianmin.people.services import id_number_index, phone_index

#: 潼关县's towns, with rough positions in km from the center (east = x, north = y).
TOWNS = [
    {"name": "城关街道", "x": 0, "y": 0},
    {"name": "秦东镇", "x": 8, "y": 3},
    {"name": "太要镇", "x": -12, "y": -2},
    {"name": "桐峪镇", "x": -6, "y": -14},
    {"name": "代字营镇", "x": 3, "y": -8},
    {"name": "安乐镇", "x": -9, "y": -9},
]
SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = ["秀英", "建国", "桂兰", "志强", "玉梅", "德明", "淑珍", "春花", "国庆", "海燕"]
ITEMS = ["HZ02", "HZ03", "HZ01", "HZ10", "JG01", "CR01"]


def _code(rng: random.Random) -> str:
    return "".join(rng.choice(CODE_ALPHABET) for _ in range(8))


def _person(rng: random.Random, today: date) -> dict[str, Any]:
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    birth = today - timedelta(days=rng.randint(20 * 365, 90 * 365))
    id_number = make_id_number("610522", birth, rng.randint(0, 999))
    phone = f"139{rng.randint(10000000, 99999999)}"
    return {
        "name": name,
        "name_masked": mask_name(name),
        "id_number": id_number,
        "id_index": id_number_index(id_number),
        "id_masked": mask_id_number(id_number),
        "phone": phone,
        "phone_index": phone_index(phone),
        "phone_masked": mask_phone(phone),
    }


def _bookings(center: Any, rng: random.Random, today: date) -> int:
    made = 0
    seats: dict[tuple[str, date, time], int] = {}
    for offset in range(-4, 4):
        day = today + timedelta(days=offset)
        if not is_workday(day):
            continue
        for code in ITEMS[:4]:
            item = item_get(code=code)
            specs = selectors.slot_specs(center_id=center.pk, item=item, day=day)
            for spec in rng.sample(specs, min(len(specs), 3)):
                for _n in range(rng.randint(1, 2)):
                    key = (item.category, day, spec.start)
                    seat = seats.get(key, 0)
                    if seat >= spec.capacity:
                        break
                    seats[key] = seat + 1
                    if offset < 0:
                        status = rng.choices(
                            [
                                AppointmentStatus.CHECKED_IN,
                                AppointmentStatus.NO_SHOW,
                                AppointmentStatus.LATE,
                                AppointmentStatus.CANCELLED,
                            ],
                            weights=[14, 3, 1, 2],
                        )[0]
                    else:
                        status = AppointmentStatus.BOOKED
                    start = timezone.make_aware(datetime.combine(day, spec.start))
                    Appointment.objects.create(
                        center_id=center.pk,
                        code=_code(rng),
                        item_id=item.pk,
                        group=item.category,
                        day=day,
                        starts_at=spec.start,
                        ends_at=spec.end,
                        seat=seat,
                        status=status,
                        channel=rng.choice(list(BookingChannel)),
                        facts={},
                        checked_in_at=start - timedelta(minutes=5)
                        if status == AppointmentStatus.CHECKED_IN
                        else None,
                        no_show_at=start + timedelta(minutes=15)
                        if status == AppointmentStatus.NO_SHOW
                        else None,
                        cancelled_at=start - timedelta(days=1)
                        if status == AppointmentStatus.CANCELLED
                        else None,
                        cancel_reason="citizen" if status == AppointmentStatus.CANCELLED else "",
                        **_person(rng, today),
                    )
                    made += 1
    return made


def _roster(center: Any, today: date) -> None:
    """One holiday duty roster: the next non-working day, 09:00–12:00, two officers on duty."""
    officers = list(staff_of_center(center_id=center.pk, role=Role.OFFICER)[:2])
    day = next(
        today + timedelta(days=i) for i in range(1, 15) if not is_workday(today + timedelta(days=i))
    )
    opening = ExtraOpening.objects.create(
        center_id=center.pk,
        day=day,
        starts_at=time(9),
        ends_at=time(12),
        kind=OpeningKind.HOLIDAY,
        windows=2,
        note="节假日预约办证",
    )
    opening.duty_officers.set(officers)
    evening = today + timedelta(days=1)
    late = ExtraOpening.objects.create(
        center_id=center.pk,
        day=evening,
        starts_at=time(19),
        ends_at=time(21),
        kind=OpeningKind.EVENING,
        windows=1,
        note="24小时值守",
        gap_from=time(17, 30),
        gap_to=time(19),
    )
    late.duty_officers.set(officers[:1])


def _visits(center: Any, rng: random.Random, today: date) -> None:
    officers = list(staff_of_center(center_id=center.pk, role=Role.OFFICER)[2:4])
    team = MobileTeam.objects.create(
        center_id=center.pk,
        name="流动服务一队",
        vehicle="陕E·J0110警",
        kit=["相机", "指纹仪", "身份证读卡器"],
        weekdays=[0, 1, 2, 3, 4, 5, 6],
    )
    team.officers.set(officers)
    now = clock.now()
    tomorrow = today + timedelta(days=1)
    plan = [
        ("城关街道", HomeVisitStatus.SCHEDULED, tomorrow),
        ("秦东镇", HomeVisitStatus.SCHEDULED, tomorrow),
        ("代字营镇", HomeVisitStatus.SCHEDULED, tomorrow),
        ("安乐镇", HomeVisitStatus.SCHEDULED, tomorrow),
        ("太要镇", HomeVisitStatus.SCHEDULED, tomorrow),
        ("桐峪镇", HomeVisitStatus.REQUESTED, None),
        ("西安市雁塔区", HomeVisitStatus.APPROVED, None),
        ("秦东镇", HomeVisitStatus.DELIVERED, None),
        ("城关街道", HomeVisitStatus.DELIVERED, None),
    ]
    for n, (town, status, day) in enumerate(plan, start=1):
        person = _person(rng, today)
        requested = now - timedelta(
            days=rng.randint(2, 6) + (20 if status == HomeVisitStatus.DELIVERED else 0)
        )
        contact = f"138{rng.randint(10000000, 99999999)}"
        visit = HomeVisit(
            center_id=center.pk,
            number=f"SM-{today:%Y%m%d}-{90 + n:04d}",
            status=status,
            town=town,
            community="",
            address=f"{rng.randint(1, 80)}号院{rng.randint(1, 6)}排",
            is_out_of_area=town not in {t["name"] for t in TOWNS},
            reason=rng.choice(list(HomeVisitReason)),
            health_note="长期卧床，行动不便",
            item_codes=[rng.choice(["HZ01", "HZ02", "HZ03"])],
            requester_kind=rng.choice(list(RequesterKind)),
            contact_name="家属",
            contact_phone=contact,
            contact_phone_masked=mask_phone(contact),
            requested_at=requested,
            gender="M",
            **{
                k: person[k]
                for k in (
                    "name",
                    "name_masked",
                    "id_number",
                    "id_index",
                    "id_masked",
                    "phone",
                    "phone_masked",
                )
            },
        )
        if day is not None:
            visit.team, visit.visit_day, visit.route_order = team, day, n
            visit.window_from, visit.window_to = time(8 + n), time(9 + n)
        if status == HomeVisitStatus.DELIVERED:
            visit.team = team
            visit.visit_day = (requested + timedelta(days=3)).date()
            visit.done_at = requested + timedelta(days=3)
            visit.delivered_at = requested + timedelta(days=12)
            visit.recipient_name_masked, visit.recipient_relation = person["name_masked"], "本人"
        visit.save()


def appointments_demo_load(*, center: Any, rng: random.Random) -> None:
    today = clock.today()
    BookingRules.objects.create(center_id=center.pk, towns=TOWNS)
    _bookings(center, rng, today)
    _roster(center, today)
    _visits(center, rng, today)
