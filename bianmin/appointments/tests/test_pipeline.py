"""The pure rules: capacity, the slot grid, the check-in window edges, the no-show block,
reminder times and the route planner."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bianmin.appointments import pipeline
from bianmin.appointments.pipeline import CheckInVerdict, Span, Stop

TZ = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("windows", "slot", "median", "override", "expected"),
    [(2, 30, 8.0, None, 7), (1, 30, 45.0, None, 1), (3, 20, 6.5, None, 9), (2, 30, 8.0, 4, 4)],
)
def test_capacity_is_windows_times_slot_over_median(windows, slot, median, override, expected):
    assert (
        pipeline.capacity_per_slot(
            windows=windows, slot_minutes=slot, median_minutes=median, override=override
        )
        == expected
    )


def test_the_grid_skips_lunch_and_closed_hours():
    spans = [
        *pipeline.regular_spans(opens_at=time(8, 30), closes_at=time(12, 0), lunch=None, windows=2),
        Span(time(13, 30), time(15, 0), 2),
    ]
    grid = pipeline.slot_grid(
        spans, slot_minutes=30, median_minutes=10, closed=[(time(9, 0), time(10, 0))]
    )
    starts = [s.start.strftime("%H:%M") for s in grid]
    assert starts == ["08:30", "10:00", "10:30", "11:00", "11:30", "13:30", "14:00", "14:30"]
    assert {s.capacity for s in grid} == {6}


SLOT = datetime(2026, 12, 1, 9, 0, tzinfo=TZ)


@pytest.mark.parametrize(
    ("offset_seconds", "verdict"),
    [
        (-15 * 60 - 1, CheckInVerdict.TOO_EARLY),
        (-15 * 60, CheckInVerdict.IN_WINDOW),
        (0, CheckInVerdict.IN_WINDOW),
        (10 * 60, CheckInVerdict.IN_WINDOW),
        (10 * 60 + 1, CheckInVerdict.LATE),
    ],
)
def test_check_in_window_edges(offset_seconds, verdict):
    now = SLOT + timedelta(seconds=offset_seconds)
    assert (
        pipeline.check_in_verdict(slot_start=SLOT, now=now, before_minutes=15, after_minutes=10)
        == verdict
    )


def test_check_in_on_another_day():
    now = SLOT - timedelta(days=1)
    assert (
        pipeline.check_in_verdict(slot_start=SLOT, now=now, before_minutes=15, after_minutes=10)
        == CheckInVerdict.OTHER_DAY
    )


def test_three_misses_in_ninety_days_block_for_thirty_days():
    today = date(2026, 11, 30)
    misses = [date(2026, 9, 10), date(2026, 10, 5), date(2026, 11, 20)]
    assert pipeline.blocked_until(
        missed_days=misses, today=today, limit=3, window_days=90, block_days=30
    ) == date(2026, 12, 20)
    # the first miss is older than 90 days: only two count
    assert (
        pipeline.blocked_until(
            missed_days=[date(2026, 8, 1), *misses[1:]],
            today=today,
            limit=3,
            window_days=90,
            block_days=30,
        )
        is None
    )


def test_reminder_times():
    assert pipeline.eve_reminder_at(SLOT) == datetime(2026, 11, 30, 18, 0, tzinfo=TZ)
    assert pipeline.hour_reminder_at(SLOT) == datetime(2026, 12, 1, 8, 0, tzinfo=TZ)


POSITIONS = {"A": (1.0, 0.0), "B": (5.0, 0.5), "C": (-4.0, 0.1), "D": (-5.0, -0.2), "E": (2.0, 0.2)}


def test_routes_group_neighbouring_towns_and_respect_capacity():
    stops = [Stop(i, t) for i, t in enumerate(["C", "A", "D", "B", "E", "X"], start=1)]
    days = [date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)]
    routes, left = pipeline.plan_routes(stops, days=days, positions=POSITIONS, capacity=3)
    assert [r.day for r in routes] == days[:2]
    first = [s.town for s in routes[0].stops]
    second = [s.town for s in routes[1].stops]
    # east of the center together, west together; the unknown town (out of area) last
    assert sorted(first) == ["A", "B", "E"]
    assert first == ["A", "E", "B"]  # nearest neighbour from the center
    assert second[-1] == "X"
    assert sorted(second[:-1]) == ["C", "D"]
    assert left == []


def test_routes_keep_to_the_requesters_preferred_weekdays():
    # 2026-12-01 is a Tuesday (1), 12-02 a Wednesday (2), 12-03 a Thursday (3)
    stops = [
        Stop(1, "A", frozenset({3})),  # Thursdays only
        Stop(2, "B"),  # any day
        Stop(3, "E", frozenset({2, 3})),
        Stop(4, "C", frozenset({5})),  # Saturdays: not in these days
    ]
    days = [date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)]
    routes, left = pipeline.plan_routes(stops, days=days, positions=POSITIONS, capacity=3)
    by_day = {r.day.weekday(): sorted(s.visit_id for s in r.stops) for r in routes}
    assert by_day == {1: [2], 2: [3], 3: [1]}
    assert [s.visit_id for s in left] == [4]


def test_nearest_neighbour_total_distance():
    order, km = pipeline.nearest_neighbour([Stop(1, "B"), Stop(2, "A")], POSITIONS)
    assert [s.town for s in order] == ["A", "B"]
    assert km == pytest.approx(1.0 + 4.03 + 5.02, abs=0.1)


def test_arrival_windows_skip_lunch():
    windows = pipeline.arrival_windows(5)
    assert [w[0].strftime("%H:%M") for w in windows] == [
        "09:00",
        "10:00",
        "11:00",
        "13:30",
        "14:30",
    ]


def test_state_machines():
    assert pipeline.can_book_transition("booked", "checked_in")
    assert not pipeline.can_book_transition("cancelled", "booked")
    assert pipeline.can_visit_transition("requested", "approved")
    assert not pipeline.can_visit_transition("requested", "done")
