"""Reads of the lost-and-found context, scoped to the user's center (and, for a sanitation
worker, to their own registrations). Public reads return only what a citizen may see."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.core import clock
from bianmin.core.errors import NotFound
from bianmin.core.permissions import Perm, Role, has_perm
from bianmin.lost_found import pipeline
from bianmin.lost_found.enums import (
    DisposalStatus,
    FoundCategory,
    FoundItemStatus,
    LostReportStatus,
    MatchStatus,
)
from bianmin.lost_found.errors import LostFoundError
from bianmin.lost_found.models import (
    CategoryRule,
    Claim,
    CollectionPoint,
    Disposal,
    FoundItem,
    FoundItemPhoto,
    FoundItemToken,
    LostReport,
    Match,
)
from bianmin.lost_found.segment import tokens

PUBLIC_LIMIT = 50
# How many public index rows of a word are counted at most to rank the query's words by rarity
# (a bounded index range; beyond it a word is simply "common"), and how long a count is kept.
FREQUENCY_CAP = 1000
FREQUENCY_SECONDS = 3600
# What a public row needs (public_row); loading less keeps the search fast.
PUBLIC_FIELDS = (
    "number",
    "category",
    "public_description",
    "found_on",
    "place",
    "claim_deadline",
    "owner_notified_at",
    "center_id",
)


def rule_for(*, center_id: int, category: str) -> pipeline.Rule:
    row = CategoryRule.objects.filter(center_id=center_id, category=category).first()
    default = pipeline.DEFAULT_RULES.get(category, pipeline.DEFAULT_RULES["other"])
    if row is None:
        return default
    return pipeline.Rule(
        photo_public=row.photo_public,
        retention_days=row.retention_days,
        perishable_days=row.perishable_days,
    )


def found_item_list(
    *, user: Any, status: str = "", category: str = "", text: str = ""
) -> QuerySet[FoundItem]:
    qs = FoundItem.objects.filter(center_id=user.center_id).select_related("collection_point")
    if not has_perm(user, Perm.FOUND_ITEM_MANAGE):
        qs = qs.filter(registered_by_id=user.pk)  # a sanitation worker sees their own finds
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    text = text.strip()
    if text:
        words = tokens(text)
        ids = FoundItemToken.objects.filter(center_id=user.center_id, token__in=words).values(
            "item_id"
        )
        qs = qs.filter(pk__in=ids) if words else qs.filter(number=text)
    return qs.order_by("-found_at", "-pk")


def found_item_get(*, user: Any, number: str) -> FoundItem:
    item = (
        found_item_list(user=user)
        .select_related("registered_by", "received_by", "owner_person")
        .filter(number=(number or "").strip())
        .first()
    )
    if item is None:
        raise NotFound(_("没有找到该拾得物。"), code=LostFoundError.NOT_FOUND)
    return item


@dataclass(frozen=True)
class ItemDates:
    claim_deadline: dt.date | None
    due_on: dt.date | None
    is_past_deadline: bool
    deadline_label: str


def item_dates(item: FoundItem, *, today: dt.date | None = None) -> ItemDates:
    """The claim deadline (shown on every item) and the day it becomes due for disposal."""
    today = today or clock.today()
    due = pipeline.due_for_disposal_on(
        category=item.category,
        is_perishable=item.is_perishable,
        received_on=clock.local(item.received_at).date() if item.received_at else None,
        claim_deadline=item.claim_deadline,
        rule=rule_for(center_id=item.center_id, category=item.category),
    )
    if item.claim_deadline:
        label = _("认领期限至 %(d)s") % {"d": f"{item.claim_deadline:%Y年%-m月%-d日}"}
    else:
        label = _("发布招领公告后起算一年")
    past = bool(
        item.claim_deadline
        and item.claim_deadline < today
        and item.status in pipeline.OPEN_STATUSES
    )
    return ItemDates(item.claim_deadline, due, past, label)


def photos_of(*, item: FoundItem) -> list[int]:
    return list(FoundItemPhoto.objects.filter(item=item).values_list("pk", flat=True))


def photo_get(*, user: Any, photo_id: int) -> FoundItemPhoto:
    photo = FoundItemPhoto.objects.select_related("item").filter(pk=photo_id).first()
    if photo is None or photo.item.center_id != user.center_id:
        raise NotFound(_("没有找到该照片。"), code=LostFoundError.NOT_FOUND)
    if not has_perm(user, Perm.FOUND_ITEM_MANAGE) and photo.item.registered_by_id != user.pk:
        raise NotFound(_("没有找到该照片。"), code=LostFoundError.NOT_FOUND)
    return photo


def public_photo_get(*, photo_id: int) -> FoundItemPhoto:
    """A photo the public may see: a published item of a category whose photos are public."""
    photo = FoundItemPhoto.objects.select_related("item").filter(pk=photo_id).first()
    if photo is None or not _photo_is_public(photo.item):
        raise NotFound(_("没有找到该照片。"), code=LostFoundError.NOT_FOUND)
    return photo


def _photo_is_public(item: FoundItem) -> bool:
    if item.status not in pipeline.PUBLIC_STATUSES:
        return False
    return pipeline.photo_public(
        item.category, rule_for(center_id=item.center_id, category=item.category)
    )


# --- the public search ---------------------------------------------------------------------------


def public_row(item: FoundItem) -> dict[str, Any]:
    """Exactly the fields of the public API; never a number, a name, a phone or an amount."""
    return {
        "number": item.number,
        "category": item.category,
        "description": pipeline.public_description(
            category=item.category,
            description=item.public_description,
            owner_notified=item.owner_notified_at is not None,
        ),
        "found_on": item.found_on,
        "place": item.place,
        "claim_deadline": item.claim_deadline,
    }


def public_search(
    *,
    q: str = "",
    category: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: int = PUBLIC_LIMIT,
) -> list[FoundItem]:
    """Published items by words (jieba index), category and found date, best match first."""
    words = tokens(q)[:6] if q else ()
    if words:
        ranked = _items_with_all_words(words, category, date_from, date_to, limit)
        if not ranked and len(words) > 2:
            ranked = _items_with_most_words(words, category, date_from, date_to, limit)
        by_pk = FoundItem.objects.only(*PUBLIC_FIELDS).in_bulk(ranked)
        return [by_pk[pk] for pk in ranked if pk in by_pk]
    items = FoundItem.objects.only(*PUBLIC_FIELDS).filter(status__in=pipeline.PUBLIC_STATUSES)
    if category:
        items = items.filter(category=category)
    if date_from:
        items = items.filter(found_on__gte=date_from)
    if date_to:
        items = items.filter(found_on__lte=date_to)
    return list(items.order_by("-found_on", "-pk")[:limit])


def _word_rows(
    category: str, date_from: dt.date | None, date_to: dt.date | None
) -> QuerySet[FoundItemToken]:
    qs = FoundItemToken.objects.filter(is_public=True)
    if category:
        qs = qs.filter(category=category)
    if date_from:
        qs = qs.filter(found_on__gte=date_from)
    if date_to:
        qs = qs.filter(found_on__lte=date_to)
    return qs


def _items_with_all_words(
    words: tuple[str, ...],
    category: str,
    date_from: dt.date | None,
    date_to: dt.date | None,
    limit: int,
) -> list[int]:
    """Newest items holding every word: walk the rarest word's index rows newest first and
    probe the (item, word) index for the others (rarest first), stopping at `limit`. Walking a
    common word ("钱包": one item in five) to find the few that also hold a rare one ("长款")
    read thousands of rows; the rare word's rows are few and each is one probe."""
    first, *others = sorted(words, key=lambda w: (word_frequency(w), -len(w)))
    qs = _word_rows(category, date_from, date_to).filter(token=first)
    for word in others:
        qs = qs.filter(
            Exists(FoundItemToken.objects.filter(item_id=OuterRef("item_id"), token=word))
        )
    return list(qs.order_by("-found_on", "-item_id").values_list("item_id", flat=True)[:limit])


def word_frequency(word: str) -> int:
    """How many public items hold `word` (capped at FREQUENCY_CAP), kept for an hour: the
    ranking only needs the order of magnitude, which a day's new items do not change."""
    key = "lost_found:df:" + hashlib.blake2s(word.encode(), digest_size=12).hexdigest()
    count = cache.get(key)
    if count is None:
        count = FoundItemToken.objects.filter(token=word, is_public=True)[:FREQUENCY_CAP].count()
        cache.set(key, count, FREQUENCY_SECONDS)
    return int(count)


def _items_with_most_words(
    words: tuple[str, ...],
    category: str,
    date_from: dt.date | None,
    date_to: dt.date | None,
    limit: int,
) -> list[int]:
    """Fallback for long queries: items holding at least 60 % of the words, best first."""
    wanted = max(1, math.ceil(len(words) * 0.6))
    return list(
        _word_rows(category, date_from, date_to)
        .filter(token__in=words)
        .values("item_id", "found_on")
        .annotate(hits=Count("token"))
        .filter(hits__gte=wanted)
        .order_by("-hits", "-found_on", "-item_id")
        .values_list("item_id", flat=True)[:limit]
    )


def public_item_get(*, number: str) -> FoundItem:
    item = FoundItem.objects.filter(
        number=(number or "").strip(), status__in=pipeline.PUBLIC_STATUSES
    ).first()
    if item is None:
        raise NotFound(_("没有找到该招领信息。"), code=LostFoundError.NOT_FOUND)
    return item


def public_photo_ids(*, item: FoundItem) -> list[int]:
    return photos_of(item=item) if _photo_is_public(item) else []


def lost_report_follow(*, number: str, phone_last4: str) -> LostReport | None:
    """A reporter follows their own report: number plus the phone's last four digits."""
    report = LostReport.objects.filter(number=(number or "").strip()).first()
    if report is None or len(phone_last4) != 4 or not (report.phone or "").endswith(phone_last4):
        return None
    return report


# --- staff lists -------------------------------------------------------------------------------


def matches_for_item(*, user: Any, item: FoundItem) -> QuerySet[Match]:
    return Match.objects.filter(center_id=user.center_id, found_item=item).select_related(
        "lost_report"
    )


def match_candidates(*, user: Any) -> QuerySet[Match]:
    return (
        Match.objects.filter(center_id=user.center_id, status=MatchStatus.CANDIDATE)
        .select_related("lost_report", "found_item")
        .order_by("-score", "pk")
    )


def lost_report_list(*, user: Any, status: str = "") -> QuerySet[LostReport]:
    qs = LostReport.objects.filter(center_id=user.center_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at")


def collection_points(*, user: Any) -> QuerySet[CollectionPoint]:
    return CollectionPoint.objects.filter(center_id=user.center_id, is_active=True)


def claim_for_item(*, item: FoundItem) -> Claim | None:
    return Claim.objects.select_related("officer").filter(item=item).first()


def disposals_pending(*, user: Any) -> QuerySet[Disposal]:
    return (
        Disposal.objects.filter(center_id=user.center_id, status=DisposalStatus.REQUESTED)
        .select_related("item", "requested_by")
        .order_by("created_at")
    )


def expiry_list(*, user: Any, within_days: int = 7) -> list[tuple[FoundItem, ItemDates]]:
    """Open items due for disposal (retention over, or claim deadline passed) or due soon."""
    today = clock.today()
    horizon = today + dt.timedelta(days=within_days)
    rows = []
    items = FoundItem.objects.filter(
        center_id=user.center_id,
        status__in=[FoundItemStatus.STORED, FoundItemStatus.PUBLISHED],
    ).order_by("found_on")
    for item in items.iterator():
        dates = item_dates(item, today=today)
        if dates.due_on is not None and dates.due_on <= horizon:
            rows.append((item, dates))
    rows.sort(key=lambda row: row[1].due_on or today)
    return rows


def category_rules(*, user: Any) -> list[tuple[str, str, pipeline.Rule]]:
    return [
        (value, str(label), rule_for(center_id=user.center_id, category=value))
        for value, label in FoundCategory.choices
    ]


# --- statistics ------------------------------------------------------------------------------


def statistics(*, user: Any, months: int = 12) -> dict[str, Any]:
    """Figures for the statistics page (ECharts): per month and category, return share, time
    to return, documents returned after the owner SMS, open items past their deadline."""
    today = clock.today()
    first = (today.replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(day=1)
    items = FoundItem.objects.filter(center_id=user.center_id, found_on__gte=first)
    month_keys: list[str] = []
    cursor = first
    while cursor <= today:
        month_keys.append(f"{cursor:%Y-%m}")
        cursor = (cursor + dt.timedelta(days=32)).replace(day=1)
    per: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(month_keys, 0))
    for category, found_on in items.values_list("category", "found_on"):
        per[category][f"{found_on:%Y-%m}"] += 1
    total = items.count()
    returned = items.filter(status=FoundItemStatus.RETURNED).count()
    durations = [
        (clock.local(handed).date() - found_on).days
        for handed, found_on in Claim.objects.filter(
            center_id=user.center_id, item__found_on__gte=first
        ).values_list("handed_over_at", "item__found_on")
    ]
    documents_sms = items.filter(
        category=FoundCategory.DOCUMENT,
        owner_notified_at__isnull=False,
        status=FoundItemStatus.RETURNED,
    ).count()
    past_deadline = FoundItem.objects.filter(
        center_id=user.center_id,
        status__in=list(pipeline.OPEN_STATUSES),
        claim_deadline__lt=today,
    ).count()
    labels = dict(FoundCategory.choices)
    return {
        "total": total,
        "returned": returned,
        "returned_share": round(100 * returned / total, 1) if total else 0.0,
        "mean_days_to_return": round(sum(durations) / len(durations), 1) if durations else None,
        "documents_returned_by_sms": documents_sms,
        "past_deadline": past_deadline,
        "open_reports": LostReport.objects.filter(
            center_id=user.center_id, status=LostReportStatus.OPEN
        ).count(),
        "chart": {
            "months": month_keys,
            "series": [
                {"name": str(labels[c]), "data": list(per[c].values())}
                for c in FoundCategory.values
                if c in per
            ],
            "returned": [returned, total - returned],
        },
    }


def is_sanitation(user: Any) -> bool:
    return getattr(user, "role", "") == Role.SANITATION


# --- period figures (the reports context's briefing and periodic reports) -------------------


@dataclass(frozen=True)
class LostFoundPeriodFigures:
    """Lost and found of one center in `start`..`end` (inclusive days)."""

    found_registered: int  # found items handed in (by the day they were found)
    returned: int  # handed over to their owners in the period
    lost_reports: int  # lost reports registered in the period
    disposed: int  # disposals approved in the period
    in_custody_at_end: int  # found before the end and not returned or disposed by then


def period_figures(*, center_id: int, start: dt.date, end: dt.date) -> LostFoundPeriodFigures:
    zone = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    items = FoundItem.objects.filter(center_id=center_id)
    returned = Claim.objects.filter(
        center_id=center_id, handed_over_at__gte=since, handed_over_at__lt=until
    )
    disposed = Disposal.objects.filter(
        center_id=center_id,
        status=DisposalStatus.APPROVED,
        decided_at__gte=since,
        decided_at__lt=until,
    )
    return LostFoundPeriodFigures(
        found_registered=items.filter(found_on__gte=start, found_on__lte=end).count(),
        returned=returned.count(),
        lost_reports=LostReport.objects.filter(
            center_id=center_id, created_at__gte=since, created_at__lt=until
        ).count(),
        disposed=disposed.count(),
        in_custody_at_end=items.filter(found_on__lte=end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=until))
        .count(),
    )
