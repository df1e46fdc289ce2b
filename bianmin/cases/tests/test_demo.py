import random
from datetime import date, datetime, time

import pytest
from django.utils import timezone

from bianmin.cases import selectors, services
from bianmin.cases.demo import cases_demo_history
from bianmin.cases.models import Case, CaseEvent
from bianmin.cases.tests.conftest import SHANGHAI
from bianmin.people.idnumber import make_id_number
from bianmin.people.services import PersonInput, person_upsert
from tests.support.case_builders import applicant

pytestmark = pytest.mark.django_db


@pytest.fixture
def residents(setup, officer):
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


def test_demo_history_fills_every_stage(pinned, setup, officer, residents):
    made = cases_demo_history(center=setup, rng=random.Random(7), days=30, count=300)
    assert made == Case.objects.count() > 250
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {"accepted", "closed", "awaiting_supplement"} <= statuses
    assert selectors.case_pickup_durations(center_id=setup.pk, since=date(2026, 8, 1))
    board = selectors.case_backlog(center_id=setup.pk)
    assert board.total == Case.objects.filter(status="accepted").count()
    # a few registrations had a mismatch caught at confirmation, against their registrar
    mismatches = CaseEvent.objects.filter(type="confirm_mismatch").select_related("case")
    assert mismatches.count() == made // 25
    assert all(e.actor_id == e.case.created_by_id for e in mismatches)
    # numbers continue after the demo: no clash with today's counter
    case = services.case_create(actor=officer, item_code="HZ02", applicant=applicant())
    assert case.number.startswith("TG-20260929-")


def test_demo_history_is_consistent_with_today(pinned, setup, residents):
    cases_demo_history(center=setup, rng=random.Random(7), days=30, count=300)
    # a realistic handful overdue on the first morning, not a hundred
    assert 1 <= selectors.case_overdue_count(center_id=setup.pk) <= 10
    # nothing happened today or later: the history ends yesterday
    today_start = datetime.combine(date(2026, 9, 29), time(0), tzinfo=SHANGHAI)
    assert not Case.objects.filter(
        created_at__gte=today_start, number__contains="20260929"
    ).exists()
    assert not CaseEvent.objects.filter(created_at__gt=timezone.now()).exists()
    # every closed case closed by the end of its deadline day
    for deadline, closed_at in Case.objects.filter(status="closed").values_list(
        "deadline", "closed_at"
    ):
        assert timezone.localtime(closed_at).date() <= deadline
