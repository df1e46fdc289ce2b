"""The duty roster: the 劳动纪律星 compares first window sign-ins with a shift's start (grace
minutes of the rule), falls back to the opening hours on a day without a shift, and never reads
another center's roster; the page sets and clears shifts within the actor's center."""

from datetime import date, datetime, time

import pytest
import time_machine

from bianmin.audit.models import AuditEntry
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Role
from bianmin.hall.services import window_sign_in, window_sign_out
from bianmin.standards.models import DutyShift
from bianmin.standards.selectors import duty_week
from bianmin.standards.services import duty_shift_clear, duty_shift_set, stars_compute
from bianmin.standards.tests.conftest import SHANGHAI

pytestmark = pytest.mark.django_db


def at(day: int, hour: int, minute: int = 0):
    return time_machine.travel(datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI), tick=False)


def sign_in_and_out(officer, day: int, hour: int, minute: int) -> None:
    with at(day, hour, minute):
        window_sign_in(actor=officer, window_code="W01")
    with at(day, 17, 30):
        window_sign_out(actor=officer)


@pytest.fixture
def leader(make_staff):
    return make_staff(Role.SHIFT_LEADER, username="leader01")


@pytest.fixture
def leader_b(other_center, make_staff):
    return make_staff(Role.SHIFT_LEADER, username="leader_b", center_=other_center)


def afternoon(leader, officer, day: date) -> DutyShift:
    return duty_shift_set(
        actor=leader, officer_id=officer.pk, day=day, start=time(14), end=time(17, 30)
    )


def test_a_sign_in_is_late_against_the_shift_and_on_other_days_against_the_opening_hours(
    clock, hall, officer, director, leader, other_center
):
    afternoon(leader, officer, date(2026, 11, 3))
    afternoon(leader, officer, date(2026, 11, 4))
    # center B's row for the same officer and day would make 08:50 on 11-05 punctual
    DutyShift.objects.create(
        center=other_center, officer=officer, day=date(2026, 11, 5), start=time(9), end=time(12)
    )
    sign_in_and_out(officer, 3, 13, 58)  # shift 14:00, grace 5 → on time (the hall opened 08:30)
    sign_in_and_out(officer, 4, 14, 20)  # shift 14:00 → late
    sign_in_and_out(officer, 5, 8, 50)  # no shift of this center: opens 08:30 → late
    sign_in_and_out(officer, 6, 8, 31)  # no shift: on time

    mine = next(
        r for r in stars_compute(actor=director, month=date(2026, 11, 1)) if r.officer == officer
    )

    facts = mine.facts["discipline"]
    assert facts["days_signed_in"] == 4
    assert facts["late_days"] == ["11-04 14:20", "11-05 08:50"]
    assert facts["late_by_roster"] == 1
    assert (
        "2 天（按排班 1 天、按开放时间 1 天）（11-04 14:20、11-05 08:50）"
        in (mine.explanations["discipline"])
    )


def test_the_other_centers_roster_never_counts(clock, hall, officer, director, other_center):
    DutyShift.objects.create(
        center=other_center, officer=officer, day=date(2026, 11, 3), start=time(14), end=time(18)
    )
    sign_in_and_out(officer, 3, 8, 29)  # on time by the opening hours; 14:00 would not matter

    mine = next(
        r for r in stars_compute(actor=director, month=date(2026, 11, 1)) if r.officer == officer
    )

    assert mine.facts["discipline"]["late_days"] == []
    assert mine.facts["discipline"]["late_by_roster"] == 0


def test_set_change_and_clear_are_audited(clock, hall, officer, leader):
    shift = afternoon(leader, officer, date(2026, 12, 2))
    changed = duty_shift_set(
        actor=leader,
        officer_id=officer.pk,
        day=date(2026, 12, 2),
        start=time(14),
        end=time(16),
        note="下午培训后到岗",
    )
    assert changed.pk == shift.pk
    assert (changed.end, changed.note) == (time(16), "下午培训后到岗")
    row = next(
        r for r in duty_week(center_id=hall.pk, monday=date(2026, 11, 30)) if r.officer == officer
    )
    assert [[(s.start, s.end) for s in cell] for cell in row.days][2] == [(time(14), time(16))]

    assert duty_shift_clear(actor=leader, officer_id=officer.pk, day=date(2026, 12, 2)) == 1

    assert not DutyShift.objects.exists()
    assert list(
        AuditEntry.objects.filter(action__startswith="duty_shift")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["duty_shift_set", "duty_shift_set", "duty_shift_cleared"]


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (time(14), time(14), "下班时间必须晚于上班时间"),
        (time(14), time(9), "下班时间必须晚于上班时间"),
        (time(11), time(15), "重叠"),
    ],
)
def test_bad_shifts_are_refused_and_nothing_changes(
    clock, hall, officer, leader, start, end, message
):
    afternoon(leader, officer, date(2026, 12, 2))
    before = list(DutyShift.objects.values_list("start", "end"))

    with pytest.raises(DomainError, match=message):
        duty_shift_set(
            actor=leader, officer_id=officer.pk, day=date(2026, 12, 2), start=start, end=end
        )

    assert list(DutyShift.objects.values_list("start", "end")) == before


def test_an_officer_cannot_keep_the_roster(clock, hall, officer):
    with pytest.raises(DomainError):
        afternoon(officer, officer, date(2026, 12, 2))
    assert not DutyShift.objects.exists()


# --- the page ------------------------------------------------------------------------------------


def test_the_page_sets_shows_and_clears_a_shift(clock, hall, officer, leader, login_client_for):
    client = login_client_for(leader)

    saved = client.post(
        "/standards/roster/",
        {"officer": officer.pk, "day": "2026-12-03", "start": "14:00", "end": "17:30"},
    )
    page = client.get("/standards/roster/", {"week": "2026-12-03"})

    assert saved.status_code == 302
    assert saved["Location"].endswith("?week=2026-11-30")
    html = page.content.decode()
    assert "14:00–17:30" in html
    assert "2026-11-30 起一周" in html
    assert DutyShift.objects.get().day == date(2026, 12, 3)

    cleared = client.post(
        "/standards/roster/",
        {"action": "clear", "officer": officer.pk, "day": "2026-12-03", "start": "14:00"},
    )
    assert cleared.status_code == 302
    assert not DutyShift.objects.exists()
    assert "14:00–17:30" not in client.get("/standards/roster/?week=2026-11-30").content.decode()


def test_the_page_refuses_an_end_before_the_start(clock, hall, officer, director, login_client_for):
    client = login_client_for(director)

    response = client.post(
        "/standards/roster/",
        {"officer": officer.pk, "day": "2026-12-03", "start": "14:00", "end": "13:00"},
        follow=True,
    )

    assert response.status_code == 200
    assert "下班时间必须晚于上班时间" in response.content.decode()
    assert not DutyShift.objects.exists()


def test_an_officer_is_refused_the_page(clock, hall, officer, login_client_for):
    assert login_client_for(officer).get("/standards/roster/").status_code == 403


def test_a_center_b_leader_cannot_touch_center_a_officers(
    clock, hall, officer, leader, leader_b, login_client_for
):
    afternoon(leader, officer, date(2026, 12, 2))
    before = list(
        DutyShift.objects.values_list("pk", "center_id", "officer_id", "day", "start", "end")
    )
    client = login_client_for(leader_b)

    set_ = client.post(
        "/standards/roster/",
        {"officer": officer.pk, "day": "2026-12-02", "start": "08:00", "end": "12:00"},
    )
    clear = client.post(
        "/standards/roster/", {"action": "clear", "officer": officer.pk, "day": "2026-12-02"}
    )
    page = client.get("/standards/roster/?week=2026-11-30").content.decode()

    assert (set_.status_code, clear.status_code) == (404, 404)
    assert officer.username not in page
    assert (
        list(DutyShift.objects.values_list("pk", "center_id", "officer_id", "day", "start", "end"))
        == before
    )
