"""The standards context's 群众满意星 reads each officer's real ratings through the source the
ratings context registers at start-up (standards sits below ratings and cannot import it)."""

from datetime import date, datetime, timedelta

import time_machine

from bianmin.ratings.services import officer_satisfaction_facts
from bianmin.ratings.tests.conftest import SHANGHAI
from bianmin.ratings.tests.factories import rating_row, service_event
from bianmin.standards.services import SatisfactionFacts, satisfaction_source

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)


def test_the_registered_source_is_the_ratings_context():
    assert satisfaction_source() is officer_satisfaction_facts


def test_an_officers_month_reaches_the_star_as_counted_in_ratings(center, make_staff):
    officer, colleague = make_staff(username="star1"), make_staff(username="star2")
    with time_machine.travel(NOW, tick=False):
        for i, level in enumerate([5, 5, 4, 3, 1]):
            rating_row(service_event(center, officer=officer, at=NOW - timedelta(days=i)), level)
        rating_row(service_event(center, officer=colleague, at=NOW), 1)
        # October's rating is outside the month.
        rating_row(service_event(center, officer=officer, at=NOW - timedelta(days=40)), 1)
        source = satisfaction_source()
        assert source is not None
        facts = source(center.pk, officer.pk, date(2026, 11, 1))

    assert facts == SatisfactionFacts(
        rated=5, satisfied=3, bad=1, bad_revoked=0, complaints_upheld=0
    )
