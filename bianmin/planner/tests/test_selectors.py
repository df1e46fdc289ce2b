"""The planner's reads on a month of the demo hall's history: the forecast equals the raw
counts of the issue events, pooled windows need fewer officers than specialized ones, the
what-ifs move the figures the right way, and the accuracy's 'actual' is the hall's events."""

from collections import Counter
from datetime import date, timedelta

import pytest

from bianmin.core import clock
from bianmin.hall.enums import EventKind
from bianmin.hall.models import TicketEvent
from bianmin.planner import selectors
from bianmin.planner.params import Scenario, Targets

MONDAY = date(2026, 11, 30)
TARGETS = Targets(target_wait_minutes=10, target_share=0.8)


def _issues_by_day_and_hour(center_id: int) -> dict[date, Counter[int]]:
    result: dict[date, Counter[int]] = {}
    for at in TicketEvent.objects.filter(center_id=center_id, kind=EventKind.ISSUE).values_list(
        "at", flat=True
    ):
        local = clock.local(at)
        result.setdefault(local.date(), Counter())[local.hour] += 1
    return result


def test_the_forecast_is_the_mean_of_the_past_same_weekdays(hall_history, center):
    raw = _issues_by_day_and_hour(center.pk)
    mondays = [d for d in raw if d.weekday() == 0 and MONDAY - timedelta(weeks=6) <= d < MONDAY]
    assert len(mondays) >= 2
    expected = {
        hour: round(sum(raw[d][hour] for d in mondays) / len(mondays), 2)
        for hour in sorted({h for d in mondays for h in raw[d]})
    }
    forecast = selectors.hourly_forecast(center_id=center.pk, day=MONDAY)
    assert {f.hour: f.arrivals for f in forecast} == expected
    # A statutory holiday the hall is closed on expects nobody.
    assert selectors.hourly_forecast(center_id=center.pk, day=date(2026, 10, 1)) == []


def test_the_pooled_hall_needs_fewer_officers_than_specialized_windows(hall_history, center):
    plan = selectors.day_plan(center_id=center.pk, day=MONDAY, targets=TARGETS)
    assert plan.hours
    for hour in plan.hours:
        assert hour.officers_pooled <= hour.officers_specialized
        assert hour.officers_specialized == sum(hour.specialized_by_category.values())
        assert hour.erlang_share_pooled >= 0.8
        assert hour.simulated_share_pooled is not None
    assert plan.headcount_pooled < plan.headcount_specialized
    assert plan.total_officer_hours_pooled == sum(h.officers_pooled for h in plan.hours)
    assert plan.total_officer_hours_pooled < plan.total_officer_hours_specialized
    assert plan.simulated_share_pooled is not None
    assert plan.simulated_share_pooled >= 0.8
    assert plan.warnings == []

    busier = selectors.day_plan(
        center_id=center.pk,
        day=MONDAY,
        targets=TARGETS,
        scenario=Scenario(extra_demand_percent=50, absent_officers=15, extra_hours=2),
    )
    plain = {h.hour: h for h in plan.hours}
    assert len(busier.hours) == len(plan.hours) + 2
    for hour in busier.hours[: len(plan.hours)]:
        assert hour.arrivals == pytest.approx(plain[hour.hour].arrivals * 1.5, abs=0.01)
        assert hour.officers_pooled >= plain[hour.hour].officers_pooled
    assert busier.officers_available == 5
    assert any("可用民警只有 5 人" in w for w in busier.warnings)


def test_the_week_roster_warns_on_the_training_day_only(hall_history, center):
    wednesday = MONDAY + timedelta(days=2)
    roster = selectors.week_roster(
        center_id=center.pk,
        day=wednesday,
        targets=TARGETS,
        scenario=Scenario(absent_officers=12),
    )
    by_day = {d.day: d for d in roster}
    assert [d.day for d in roster] == [MONDAY + timedelta(days=i) for i in range(7)]
    assert by_day[MONDAY].warnings == []
    assert by_day[wednesday].warnings
    assert by_day[MONDAY + timedelta(days=5)].assignments == []  # Saturday: closed


def test_accuracy_reports_what_the_hall_events_show(hall_history, center):
    result = selectors.accuracy(center_id=center.pk, until=MONDAY, targets=TARGETS, days=7)
    assert result.days
    day = result.days[0]
    start = clock.local(clock.now()).replace(
        year=day.day.year, month=day.day.month, day=day.day.day, hour=0, minute=0
    )
    issued = set(
        TicketEvent.objects.filter(
            center_id=center.pk,
            kind=EventKind.ISSUE,
            at__gte=start,
            at__lt=start + timedelta(days=1),
        ).values_list("ticket_id", flat=True)
    )
    waits = dict(
        TicketEvent.objects.filter(ticket_id__in=issued, kind=EventKind.CALL).values_list(
            "ticket_id", "wait_seconds"
        )
    )
    assert day.arrivals == len(issued)
    assert day.actual_share == pytest.approx(
        len([w for w in waits.values() if w is not None and w <= 600]) / len(waits), abs=1e-4
    )
    for row in result.days:
        for share in (row.predicted_share, row.simulated_share, row.actual_share):
            assert share is not None
            assert 0 <= share <= 1
