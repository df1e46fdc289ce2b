import random
import time
from datetime import date

import pytest

from bianmin.cases import selectors, services
from bianmin.cases.models import Case
from bianmin.cases.tests.conftest import applicant
from bianmin.people.idnumber import make_id_number
from bianmin.people.services import PersonInput, person_upsert

pytestmark = pytest.mark.django_db


def test_demo_history_fills_every_stage_quickly(pinned, setup, officer):
    for i in range(30):
        who = applicant(
            name="张伟",
            id_number=make_id_number("610522", date(1980, 1, 1), 2 * i + 1),
            phone=f"1391234{i:04d}",
        )
        person_upsert(
            actor=officer,
            data=PersonInput(
                name=who.name, id_number=who.id_number, gender="male", phone=who.phone
            ),
        )
    started = time.perf_counter()
    made = services.cases_demo_history(center=setup, rng=random.Random(7), days=30, count=300)
    assert time.perf_counter() - started < 20
    assert made == Case.objects.count() > 250
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {"accepted", "closed", "awaiting_supplement"} <= statuses
    assert selectors.case_overdue_count(center_id=setup.pk) > 0
    assert selectors.case_pickup_durations(center_id=setup.pk, since=date(2026, 8, 1))
    board = selectors.case_backlog(center_id=setup.pk)
    assert board.total == Case.objects.filter(status="accepted").count()
    # numbers continue after the demo: no clash with today's counter
    case = services.case_create(actor=officer, item_code="HZ02", applicant=applicant())
    assert case.number.startswith("TG-20260929-")
