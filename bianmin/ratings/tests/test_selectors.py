"""Figures equal the raw rows they summarise (counted here independently, row by row)."""

import random
from datetime import date, datetime, timedelta

import time_machine

from bianmin.ratings.models import Rating, Rectification
from bianmin.ratings.selectors import (
    figures_breakdown,
    month_stats,
    officer_month_figures,
    period_figures,
    public_month,
)
from bianmin.ratings.tests.conftest import SHANGHAI
from bianmin.ratings.tests.factories import rating_row, service_event

NOW = datetime(2026, 12, 15, 10, 0, tzinfo=SHANGHAI)


def _month(center, officers, rng):
    """Ratings spread over November and the first half of December 2026."""
    for i in range(160):
        at = NOW - timedelta(days=rng.randint(0, 44), minutes=rng.randint(0, 500))
        event = service_event(
            center,
            officer=rng.choice(officers),
            at=at,
            window_code=f"W0{rng.randint(1, 4)}",
            item_code=rng.choice(["HZ02", "JG01", "CR01"]),
            reference=f"S{i}",
        )
        if rng.random() < 0.8:
            rating_row(event, rng.choices([5, 4, 3, 2, 1], weights=[60, 25, 7, 5, 3])[0])


def test_figures_equal_the_raw_rows(center, make_staff):
    rng = random.Random(14)
    officers = [make_staff(username=f"o{i}") for i in range(3)]
    with time_machine.travel(NOW, tick=False):
        _month(center, officers, rng)
        start, end = date(2026, 11, 1), date(2026, 11, 30)
        rows = [r for r in Rating.objects.all() if start <= r.day <= end]
        stats = month_stats(center_id=center.pk, month=start)
        satisfied = sum(1 for r in rows if r.level >= 4)
        assert stats["rated"] == len(rows) > 0
        assert stats["bad"] == sum(1 for r in rows if r.level <= 2)
        assert stats["satisfaction_rate"] == round(satisfied / len(rows), 4)
        for officer in officers:
            mine = [r for r in rows if r.officer_id == officer.pk]
            figures = officer_month_figures(center_id=center.pk, officer_id=officer.pk, month=start)
            assert figures.rated == len(mine)
            assert figures.satisfied == sum(1 for r in mine if r.level >= 4)
            assert figures.bad == sum(1 for r in mine if r.level <= 2)
        breakdown = figures_breakdown(center_id=center.pk, start=start, end=end)
        for row in breakdown["by_window"]:
            assert row["rated"] == sum(1 for r in rows if r.window_code == row["key"])
        assert sum(row["rated"] for row in breakdown["by_day"]) == len(rows)
        assert sum(row["bad"] for row in breakdown["by_item"]) == stats["bad"]


def test_an_empty_month_has_no_rate(center):
    stats = month_stats(center_id=center.pk, month=date(2026, 1, 1))
    assert stats == {"rated": 0, "satisfaction_rate": None, "bad": 0, "rectified_on_time": 0}


def test_overdue_counts_open_tasks_past_their_deadline(center):
    with time_machine.travel(NOW, tick=False):
        late = rating_row(service_event(center, at=NOW - timedelta(days=20)), 1)
        fresh = rating_row(service_event(center, at=NOW - timedelta(days=1)), 2)
        for rating, due in ((late, date(2026, 12, 2)), (fresh, date(2026, 12, 21))):
            Rectification.objects.create(center=center, rating=rating, callback_due=due, due_on=due)
        figures = period_figures(
            center_id=center.pk, start=date(2026, 11, 1), end=date(2026, 12, 31)
        )
    assert (figures.rectifications_open, figures.rectifications_overdue) == (2, 1)


def test_the_public_page_names_windows_not_officers_unless_published(center, make_staff):
    from bianmin.ratings.models import RatingSettings

    officer = make_staff(username="named")
    officer.full_name = "王警官"
    officer.save()
    with time_machine.travel(NOW, tick=False):
        rating_row(service_event(center, officer=officer, at=NOW), 5)
        page = public_month(center_id=center.pk, month=date(2026, 12, 1))
        assert page["officers"] == []
        assert "王警官" not in str(page)
        assert [w["key"] for w in page["windows"]] == ["W01"]
        RatingSettings.objects.create(center=center, publish_officer_names=True)
        page = public_month(center_id=center.pk, month=date(2026, 12, 1))
    assert [o["name"] for o in page["officers"]] == ["王警官"]
