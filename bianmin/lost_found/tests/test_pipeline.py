"""Pure rules: the 民法典 318/201–203 deadline, transitions, retention, public text, scoring."""

import datetime as dt

import chinese_calendar
import pytest

from bianmin.lost_found import pipeline
from bianmin.lost_found.enums import FoundCategory, FoundItemStatus

D = dt.date.fromisoformat


def weekdays_only(day: dt.date) -> bool:
    return day.weekday() < 5


@pytest.mark.parametrize(
    ("published", "deadline", "why"),
    [
        ("2025-03-10", "2026-03-10", "the corresponding day, a Tuesday"),
        ("2024-02-29", "2025-02-28", "leap day: no 29 Feb next year, the month's last day"),
        ("2025-10-01", "2026-10-08", "ends on National Day: moves past the Golden Week"),
        ("2025-01-01", "2026-01-04", "ends on New Year's Day: the next day is an adjusted Sunday"),
        ("2025-11-29", "2026-11-30", "ends on a Sunday: Monday"),
        ("2025-01-31", "2026-02-02", "ends on a Saturday at a month end"),
    ],
)
def test_claim_deadline_follows_civil_code_201_to_203(published, deadline, why):
    assert pipeline.claim_deadline(D(published), chinese_calendar.is_workday) == D(deadline), why


def test_publication_day_is_not_counted_so_the_deadline_is_never_the_day_before():
    # Counting the publication day would end the period on 2026-03-09.
    assert pipeline.claim_deadline(D("2025-03-10"), weekdays_only) != D("2026-03-09")


def test_same_day_next_year_uses_the_month_end_only_when_the_day_is_missing():
    assert pipeline.same_day_next_year(D("2024-02-29")) == D("2025-02-28")
    assert pipeline.same_day_next_year(D("2027-02-28")) == D("2028-02-28")
    assert pipeline.same_day_next_year(D("2025-12-31")) == D("2026-12-31")


def test_transitions_allow_the_loop_and_refuse_shortcuts():
    s = FoundItemStatus
    assert pipeline.can_transition(s.REGISTERED, s.STORED)
    assert pipeline.can_transition(s.PUBLISHED, s.RETURNED)
    assert not pipeline.can_transition(s.REGISTERED, s.PUBLISHED)
    assert not pipeline.can_transition(s.RETURNED, s.RETURNED)
    assert not pipeline.can_transition(s.DISPOSED, s.STORED)
    assert not pipeline.can_transition(s.REGISTERED, s.DISPOSED)


def test_retention_perishable_then_category_days_then_claim_deadline():
    rule = pipeline.Rule(photo_public=True, retention_days=None, perishable_days=3)
    received, deadline = D("2026-11-01"), D("2027-11-01")
    assert pipeline.due_for_disposal_on(
        category="other",
        is_perishable=True,
        received_on=received,
        claim_deadline=deadline,
        rule=rule,
    ) == D("2026-11-04")
    assert pipeline.due_for_disposal_on(
        category="document",
        is_perishable=False,
        received_on=received,
        claim_deadline=deadline,
        rule=pipeline.DEFAULT_RULES["document"],
    ) == D("2026-12-01")
    assert (
        pipeline.due_for_disposal_on(
            category="bag",
            is_perishable=False,
            received_on=received,
            claim_deadline=deadline,
            rule=rule,
        )
        == deadline
    )


def test_document_photos_are_never_public_whatever_the_rule():
    allow = pipeline.Rule(photo_public=True, retention_days=None)
    assert not pipeline.photo_public(FoundCategory.DOCUMENT, allow)
    assert pipeline.photo_public(FoundCategory.BAG, allow)


def test_public_description_hides_documents_money_and_long_numbers():
    assert (
        pipeline.public_description(
            category="document", description="身份证 王秀英", owner_notified=True
        )
        == "证件一件（已通知失主）"
    )
    text = pipeline.public_description(
        category="wallet",
        description="红色钱包，内有现金350元，卡号6222020200112233",
        owner_notified=False,
    )
    assert "350" not in text
    assert "6222020200112233" not in text
    assert "现金若干" in text


def test_match_score_needs_the_same_category_and_a_plausible_time():
    base = {
        "report_tokens": ["黑色", "钱包"],
        "report_category": "wallet",
        "lost_on": D("2026-11-20"),
        "report_place": "人民路",
        "item_tokens": ["黑色", "钱包", "银行卡"],
        "item_category": "wallet",
        "found_on": D("2026-11-21"),
        "item_place": "人民路公交站",
    }
    good = pipeline.match_score(**base)
    assert good > 0.8
    assert pipeline.match_score(**{**base, "item_category": "bag"}) == 0
    assert pipeline.match_score(**{**base, "found_on": D("2026-11-10")}) == 0
    assert pipeline.match_score(**{**base, "item_tokens": ["钥匙"]}) < good
