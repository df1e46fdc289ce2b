"""The found item's state machine and the date rules: pure code, no database.

* transitions: registered → stored → published → returned, and → disposal → disposed;
* the claim deadline of 民法典 318 computed with 201–203;
* retention (how long an item is kept before it is due for disposal);
* the matching score of a lost report against a found item.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bianmin.lost_found.enums import FoundCategory, FoundItemStatus

S = FoundItemStatus

#: (from, to) → the action's name; anything else is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.REGISTERED, S.STORED): "receive",
    (S.STORED, S.PUBLISHED): "publish",
    (S.STORED, S.RETURNED): "claim",
    (S.PUBLISHED, S.RETURNED): "claim",
    (S.STORED, S.DISPOSAL_REQUESTED): "request_disposal",
    (S.PUBLISHED, S.DISPOSAL_REQUESTED): "request_disposal",
    (S.DISPOSAL_REQUESTED, S.DISPOSED): "approve_disposal",
    (S.DISPOSAL_REQUESTED, S.STORED): "reject_disposal",
    (S.DISPOSAL_REQUESTED, S.PUBLISHED): "reject_disposal",
}

OPEN_STATUSES = frozenset({S.REGISTERED, S.STORED, S.PUBLISHED, S.DISPOSAL_REQUESTED})
CLOSED_STATUSES = frozenset({S.RETURNED, S.DISPOSED})
PUBLIC_STATUSES = frozenset({S.PUBLISHED})


def can_transition(current: str, target: str) -> bool:
    return (current, target) in TRANSITIONS


# --- 民法典 318 with 201–203 ------------------------------------------------------------------


def same_day_next_year(start: dt.date) -> dt.date:
    """The corresponding day one year later, or the month's last day when there is none (202)."""
    year, month = start.year + 1, start.month
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(start.day, last))


def claim_deadline(published_on: dt.date, is_workday: Callable[[dt.date], bool]) -> dt.date:
    """The last day to claim an item whose notice (招领公告) was published on `published_on`.

    Art. 201: the publication day is not counted, so a one-year period ends on the corresponding
    day of the next year (art. 202; the month's last day when there is none: 29 Feb → 28 Feb).
    Art. 203: when that last day is a rest day (a statutory holiday, or a weekend day that is
    not an adjusted working day), the period ends on the next working day after it.
    """
    end = same_day_next_year(published_on)
    for _ in range(60):  # the longest run of rest days is far shorter
        if is_workday(end):
            return end
        end += dt.timedelta(days=1)
    raise ValueError("no working day within 60 days")  # pragma: no cover - calendar bug


# --- retention ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    photo_public: bool
    retention_days: int | None  # None: until the claim deadline
    perishable_days: int = 3


DEFAULT_RULES: dict[str, Rule] = {
    FoundCategory.DOCUMENT: Rule(photo_public=False, retention_days=30),
    FoundCategory.WALLET: Rule(photo_public=False, retention_days=None),
    FoundCategory.ELECTRONICS: Rule(photo_public=False, retention_days=None),
    FoundCategory.KEYS: Rule(photo_public=True, retention_days=None),
    FoundCategory.BAG: Rule(photo_public=True, retention_days=None),
    FoundCategory.CLOTHING: Rule(photo_public=True, retention_days=None),
    FoundCategory.OTHER: Rule(photo_public=True, retention_days=None),
}


def photo_public(category: str, rule: Rule) -> bool:
    """A document's photo shows a number, a name and a face: never public, whatever the rule."""
    return rule.photo_public and category != FoundCategory.DOCUMENT


def due_for_disposal_on(
    *,
    category: str,
    is_perishable: bool,
    received_on: dt.date | None,
    claim_deadline: dt.date | None,
    rule: Rule,
) -> dt.date | None:
    """The day after which the item may be disposed of (None: not yet known)."""
    if is_perishable and received_on is not None:
        return received_on + dt.timedelta(days=rule.perishable_days)
    if rule.retention_days is not None and received_on is not None:
        # Documents go back to the issuing office after a short time (移交签发机关).
        return received_on + dt.timedelta(days=rule.retention_days)
    return claim_deadline


# --- matching ----------------------------------------------------------------------------------

MATCH_WINDOW_DAYS = 30
MATCH_MIN_SCORE = 0.25


def match_score(
    *,
    report_tokens: Iterable[str],
    report_category: str,
    lost_on: dt.date,
    report_place: str,
    item_tokens: Iterable[str],
    item_category: str,
    found_on: dt.date,
    item_place: str,
) -> float:
    """0…1: same category is required; then shared words, closeness in time and place."""
    if report_category != item_category:
        return 0.0
    gap = (found_on - lost_on).days
    if gap < -1 or gap > MATCH_WINDOW_DAYS:
        return 0.0
    wanted = set(report_tokens)
    have = set(item_tokens)
    words = len(wanted & have) / len(wanted) if wanted else 0.0
    time_score = 1.0 - max(gap, 0) / MATCH_WINDOW_DAYS
    place_score = _place_overlap(report_place, item_place)
    return round(0.6 * words + 0.25 * time_score + 0.15 * place_score, 4)


def _place_overlap(a: str, b: str) -> float:
    a_chars = {c for c in a if "\u4e00" <= c <= "\u9fff"}
    b_chars = {c for c in b if "\u4e00" <= c <= "\u9fff"}
    if not a_chars or not b_chars:
        return 0.0
    return len(a_chars & b_chars) / len(a_chars | b_chars)


# --- what the public may read --------------------------------------------------------------------

_MONEY = re.compile(r"(现金|人民币|现钞)?\s*[¥￥]?\s*\d[\d,，.]*\s*(万元|元|块钱|块)")
_LONG_NUMBER = re.compile(r"[0-9A-Za-z]*\d[0-9A-Za-z\-]{4,}")


def public_description(*, category: str, description: str, owner_notified: bool) -> str:
    """The description a citizen may read: a document is one line without number or name;
    money amounts and long numbers (serials, phones, card numbers) are masked for all items."""
    if category == FoundCategory.DOCUMENT:
        return "证件一件（已通知失主）" if owner_notified else "证件一件"
    text = _MONEY.sub("现金若干", description)
    return _LONG_NUMBER.sub("****", text)
