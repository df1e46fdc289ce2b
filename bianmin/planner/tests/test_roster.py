"""Shifts from the hourly need, and the week's roster with its warnings."""

from datetime import date, timedelta

from bianmin.planner.roster import (
    MAX_DAYS_PER_WEEK,
    DayNeed,
    OfficerInfo,
    coverage,
    duties_from_shifts,
    roster_week,
    shifts_for_need,
)

NEED = {8: 3, 9: 8, 10: 10, 11: 7, 12: 3, 13: 2, 14: 6, 15: 7, 16: 5, 17: 2}
MONDAY = date(2026, 11, 30)


def test_shifts_cover_every_hour_of_the_need():
    shifts = shifts_for_need(NEED)
    assert all(coverage(shifts, h) >= n for h, n in NEED.items())
    assert all(3 <= s.end - s.start <= 8 for s in shifts)


def test_a_long_shift_has_a_break_and_a_short_one_none():
    shifts = shifts_for_need(NEED)
    for shift in shifts:
        if shift.end - shift.start >= 6:
            assert shift.break_hour is not None
            assert shift.start < shift.break_hour < shift.end - 1
        else:
            assert shift.break_hour is None


def test_the_break_is_taken_in_the_lunch_closure():
    need = dict.fromkeys((8, 9, 10, 11, 13, 14, 15, 16), 2)
    shifts = shifts_for_need(need, lunch_hours=frozenset({12}))
    assert shifts
    assert {s.break_hour for s in shifts if s.start < 12 < s.end} == {12}
    assert all(coverage(shifts, h) >= 2 for h in need)


def test_no_need_no_shift():
    assert shifts_for_need({}) == []
    assert shifts_for_need({9: 0, 10: 0}) == []


def _week(need, *, absent_on=None, absent=0, categories=None):
    return [
        DayNeed(
            day=MONDAY + timedelta(days=i),
            need=dict(need) if i < 5 else {},
            lunch_hours=frozenset(),
            categories_by_hour=categories or {},
            absent=absent if MONDAY + timedelta(days=i) == absent_on else 0,
        )
        for i in range(7)
    ]


def test_a_week_with_enough_officers_has_no_warning_and_nobody_works_six_days():
    officers = [OfficerInfo(i, f"民警{i}", None) for i in range(1, 21)]
    days = roster_week(_week(NEED), officers)
    assert [d.warnings for d in days] == [[]] * 7
    worked: dict[int, int] = {}
    for day in days:
        assert all(day.rostered(h) >= n for h, n in day.need.items())
        for a in day.assignments:
            worked[a.officer.id] = worked.get(a.officer.id, 0) + 1
    assert max(worked.values()) <= MAX_DAYS_PER_WEEK


def test_a_training_day_below_the_need_is_warned():
    officers = [OfficerInfo(i, f"民警{i}", None) for i in range(1, 21)]
    need_shifts = len(duties_from_shifts(shifts_for_need(NEED)))
    wednesday = MONDAY + timedelta(days=2)
    days = roster_week(_week(NEED, absent_on=wednesday, absent=20 - need_shifts + 3), officers)
    by_day = {d.day: d for d in days}
    assert by_day[MONDAY].warnings == []
    assert any("缺 3 人" in w for w in by_day[wednesday].warnings)
    assert any("低于需要" in w for w in by_day[wednesday].warnings)


def test_a_category_nobody_on_duty_may_serve_is_warned():
    officers = [OfficerInfo(1, "甲", frozenset({"household"}))]
    days = roster_week(
        _week({10: 1}, categories={10: frozenset({"household", "traffic"})}),
        officers,
        labels={"household": "户政", "traffic": "交管"}.get,  # type: ignore[arg-type]
    )
    assert days[0].warnings == ["11月30日 10时：在岗民警无人获授权办理“交管”类事项"]


def test_a_morning_and_an_afternoon_shift_make_one_split_duty():
    shifts = shifts_for_need({9: 3, 10: 3, 11: 3, 12: 0, 13: 0, 14: 2, 15: 2, 16: 2})
    duties = duties_from_shifts(shifts)
    assert len(duties) == 3
    assert sorted(len(d.parts) for d in duties) == [1, 2, 2]
    for duty in duties:
        assert duty.hours <= 8
        assert all(duty.on_duty(h) for p in duty.parts for h in range(p.start, p.end))
    assert all(sum(d.on_duty(h) for d in duties) >= n for h, n in {9: 3, 14: 2, 16: 2}.items())
