"""The forecast: same-weekday working days, rest days and campaign days kept apart."""

from collections import Counter
from datetime import date, timedelta

import pytest

from bianmin.planner.enums import DayKind
from bianmin.planner.forecast import History, forecast_from

MONDAY = date(2026, 11, 30)


def _history(days: dict[date, tuple[DayKind, dict[tuple[int, str], int]]]) -> History:
    history = History(start=min(days), end=MONDAY + timedelta(days=1))
    for day, (kind, counts) in days.items():
        history.kinds[day] = kind
        history.counts[day] = Counter(counts)
    return history


def test_a_working_day_is_forecast_from_the_same_weekday():
    w = DayKind.WORKDAY
    history = _history(
        {
            MONDAY - timedelta(days=7): (w, {(9, "household"): 10, (10, "traffic"): 4}),
            MONDAY - timedelta(days=14): (w, {(9, "household"): 20}),
            MONDAY - timedelta(days=6): (w, {(9, "household"): 99}),  # a Tuesday
            MONDAY - timedelta(days=9): (DayKind.CAMPAIGN, {(9, "household"): 500}),
        }
    )
    forecast = forecast_from(history, day=MONDAY, kind=w, is_open=True)
    assert forecast.basis == [MONDAY - timedelta(days=14), MONDAY - timedelta(days=7)]
    assert forecast.rates == {9: {"household": 15.0}, 10: {"traffic": 2.0}}
    assert forecast.hourly() == {9: 15.0, 10: 2.0}


def test_with_fewer_than_two_same_weekdays_every_working_day_counts():
    w = DayKind.WORKDAY
    history = _history(
        {
            MONDAY - timedelta(days=7): (w, {(9, "household"): 10}),
            MONDAY - timedelta(days=6): (w, {(9, "household"): 30}),
            MONDAY - timedelta(days=5): (DayKind.REST_DAY, {(9, "household"): 1}),
        }
    )
    forecast = forecast_from(history, day=MONDAY, kind=w, is_open=True)
    assert forecast.rates == {9: {"household": 20.0}}


def test_a_campaign_day_is_forecast_from_campaign_days_only():
    history = _history(
        {
            MONDAY - timedelta(days=7): (DayKind.WORKDAY, {(9, "household"): 10}),
            MONDAY - timedelta(days=3): (DayKind.CAMPAIGN, {(9, "household"): 80}),
        }
    )
    forecast = forecast_from(history, day=MONDAY, kind=DayKind.CAMPAIGN, is_open=True)
    assert forecast.rates == {9: {"household": 80.0}}


def test_a_holiday_uses_rest_days_and_a_closed_day_expects_nobody():
    history = _history(
        {
            MONDAY - timedelta(days=7): (DayKind.WORKDAY, {(9, "household"): 10}),
            MONDAY - timedelta(days=2): (DayKind.REST_DAY, {(10, "traffic"): 6}),
        }
    )
    holiday = forecast_from(history, day=MONDAY, kind=DayKind.REST_DAY, is_open=True)
    assert holiday.rates == {10: {"traffic": 6.0}}
    closed = forecast_from(history, day=MONDAY, kind=DayKind.WORKDAY, is_open=False)
    assert (closed.rates, closed.total) == ({}, 0)


def test_the_day_itself_and_later_days_are_never_used():
    history = _history(
        {
            MONDAY: (DayKind.WORKDAY, {(9, "household"): 1000}),
            MONDAY + timedelta(days=7): (DayKind.WORKDAY, {(9, "household"): 1000}),
            MONDAY - timedelta(days=7): (DayKind.WORKDAY, {(9, "household"): 12}),
        }
    )
    forecast = forecast_from(history, day=MONDAY, kind=DayKind.WORKDAY, is_open=True)
    assert forecast.total == pytest.approx(12.0)


@pytest.mark.django_db
def test_the_days_of_a_campaign_are_campaign_days(pinned, center, director):
    from bianmin.fees.tests.factories import CampaignFactory, WaiverPolicyFactory
    from bianmin.planner.forecast import history_load

    policy = WaiverPolicyFactory.create(center=center)
    CampaignFactory.create(
        center=center,
        policy=policy,
        created_by=director,
        starts_on=date(2026, 11, 20),
        ends_on=date(2026, 11, 24),
    )
    history = history_load(center_id=center.pk, start=date(2026, 11, 18), end=date(2026, 11, 27))
    kinds = {d.isoformat(): k for d, k in history.kinds.items()}
    assert kinds == {
        "2026-11-18": DayKind.WORKDAY,
        "2026-11-19": DayKind.WORKDAY,
        "2026-11-20": DayKind.CAMPAIGN,
        "2026-11-21": DayKind.CAMPAIGN,
        "2026-11-22": DayKind.CAMPAIGN,
        "2026-11-23": DayKind.CAMPAIGN,
        "2026-11-24": DayKind.CAMPAIGN,
        "2026-11-25": DayKind.WORKDAY,
        "2026-11-26": DayKind.WORKDAY,
    }
