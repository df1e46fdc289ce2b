"""Reads of ratings and complaints, always scoped to one center. The figures here are what the
standards context's 群众满意星 and the reports context's briefing read."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from bianmin.core import clock
from bianmin.ratings.enums import (
    BAD_LEVELS,
    OPEN_RECTIFICATION,
    SATISFIED_LEVELS,
    AppealStatus,
    Channel,
    ComplaintStatus,
    EventKind,
    RectificationStatus,
)
from bianmin.ratings.models import (
    Appeal,
    Complaint,
    Rating,
    RatingPad,
    RatingSettings,
    Rectification,
    ServiceEvent,
)


@dataclass(frozen=True)
class OfficerRatingFigures:
    rated: int
    satisfied: int  # levels 4–5
    bad: int  # levels 1–2, including those later revoked
    bad_revoked: int  # bad ratings withdrawn after the officer's 申诉 was upheld
    complaints_upheld: int


@dataclass(frozen=True)
class RatingFigures:
    rated: int
    satisfied: int
    satisfaction_rate: float | None
    bad: int
    rectifications_open: int
    rectifications_overdue: int
    rectified_on_time: int
    complaints_received: int
    complaints_answered: int


def day_start(day: date) -> datetime:
    """Midnight of a center's day (Asia/Shanghai)."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return first, last


def _rate(satisfied: int, rated: int) -> float | None:
    return round(satisfied / rated, 4) if rated else None


def ratings_in(*, center_id: int, start: date, end: date) -> QuerySet[Rating]:
    """Ratings of services given on the center's days start..end (inclusive)."""
    return Rating.objects.filter(center_id=center_id, day__gte=start, day__lte=end)


def officer_month_figures(*, center_id: int, officer_id: int, month: date) -> OfficerRatingFigures:
    """One officer's month (month = its first day, center's days): for 群众满意星."""
    start, end = month_bounds(month)
    rows = ratings_in(center_id=center_id, start=start, end=end).filter(officer_id=officer_id)
    counts = rows.aggregate(
        rated=Count("pk"),
        satisfied=Count("pk", filter=Q(level__in=SATISFIED_LEVELS)),
        bad=Count("pk", filter=Q(level__in=BAD_LEVELS)),
        bad_revoked=Count("pk", filter=Q(level__in=BAD_LEVELS, is_revoked=True)),
    )
    # A complaint upheld against the officer: a bad rating whose appeal the director rejected.
    upheld = Appeal.objects.filter(
        center_id=center_id,
        officer_id=officer_id,
        status=AppealStatus.REJECTED,
        rating__day__gte=start,
        rating__day__lte=end,
    ).count()
    return OfficerRatingFigures(
        rated=counts["rated"],
        satisfied=counts["satisfied"],
        bad=counts["bad"],
        bad_revoked=counts["bad_revoked"],
        complaints_upheld=upheld,
    )


def _on_time(task: Rectification) -> bool:
    return task.closed_at is not None and clock.local(task.closed_at).date() <= task.due_on


def period_figures(*, center_id: int, start: date, end: date) -> RatingFigures:
    """The center's figures for the days start..end (the reports context's briefing)."""
    counts = ratings_in(center_id=center_id, start=start, end=end).aggregate(
        rated=Count("pk"),
        satisfied=Count("pk", filter=Q(level__in=SATISFIED_LEVELS)),
        bad=Count("pk", filter=Q(level__in=BAD_LEVELS)),
    )
    today = clock.today()
    tasks = list(
        Rectification.objects.filter(
            center_id=center_id, rating__day__gte=start, rating__day__lte=end
        )
    )
    open_tasks = [t for t in tasks if t.status in OPEN_RECTIFICATION]
    complaints = Complaint.objects.filter(
        center_id=center_id,
        received_at__gte=day_start(start),
        received_at__lt=day_start(end + timedelta(days=1)),
    ).aggregate(
        received=Count("pk"),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
    )
    return RatingFigures(
        rated=counts["rated"],
        satisfied=counts["satisfied"],
        satisfaction_rate=_rate(counts["satisfied"], counts["rated"]),
        bad=counts["bad"],
        rectifications_open=len(open_tasks),
        rectifications_overdue=sum(1 for t in open_tasks if t.due_on < today),
        rectified_on_time=sum(
            1 for t in tasks if t.status == RectificationStatus.CLOSED and _on_time(t)
        ),
        complaints_received=complaints["received"],
        complaints_answered=complaints["answered"],
    )


def month_stats(*, center_id: int, month: date) -> dict[str, Any]:
    """GET /api/v1/ratings/stats: the public monthly figures."""
    start, end = month_bounds(month)
    figures = period_figures(center_id=center_id, start=start, end=end)
    return {
        "rated": figures.rated,
        "satisfaction_rate": figures.satisfaction_rate,
        "bad": figures.bad,
        "rectified_on_time": figures.rectified_on_time,
    }


def _group(rows: QuerySet[Rating], field: str) -> list[dict[str, Any]]:
    out = []
    for row in (
        rows.values(field)
        .annotate(
            rated=Count("pk"),
            satisfied=Count("pk", filter=Q(level__in=SATISFIED_LEVELS)),
            bad=Count("pk", filter=Q(level__in=BAD_LEVELS)),
        )
        .order_by(field)
    ):
        out.append(
            {
                "key": row[field],
                "rated": row["rated"],
                "satisfied": row["satisfied"],
                "bad": row["bad"],
                "rate": _rate(row["satisfied"], row["rated"]),
            }
        )
    return out


def figures_breakdown(*, center_id: int, start: date, end: date) -> dict[str, Any]:
    """Satisfaction per day, officer, window, item and channel; complaints by category and
    their time to answer (hours)."""
    rows = ratings_in(center_id=center_id, start=start, end=end)
    by_channel = _group(rows, "channel")
    labels = dict(Channel.choices)
    for row in by_channel:
        row["label"] = str(labels.get(row["key"], row["key"]))
    complaints = Complaint.objects.filter(
        center_id=center_id,
        received_at__gte=day_start(start),
        received_at__lt=day_start(end + timedelta(days=1)),
    )
    by_category: dict[str, list[float]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    for c in complaints.only("category", "received_at", "answered_at"):
        counts[c.category] += 1
        if c.answered_at:
            by_category[c.category].append((c.answered_at - c.received_at).total_seconds() / 3600)
    return {
        "by_day": _group(rows, "day"),
        "by_officer": _group(rows, "officer_id"),
        "by_window": _group(rows, "window_code"),
        "by_item": _group(rows, "item_code"),
        "by_channel": by_channel,
        "complaints": [
            {
                "category": category,
                "count": count,
                "answered": len(by_category[category]),
                "mean_hours": round(sum(by_category[category]) / len(by_category[category]), 1)
                if by_category[category]
                else None,
            }
            for category, count in sorted(counts.items())
        ],
    }


def public_month(*, center_id: int, month: date) -> dict[str, Any]:
    """The public page: no citizen names; officers only by window number unless the director
    publishes names."""
    start, end = month_bounds(month)
    setting = RatingSettings.objects.filter(center_id=center_id).first()
    show_names = bool(setting and setting.publish_officer_names)
    rows = ratings_in(center_id=center_id, start=start, end=end)
    windows = _group(rows.exclude(window_code=""), "window_code")
    officers: list[dict[str, Any]] = []
    if show_names:
        named = _group(rows.exclude(officer__isnull=True), "officer__full_name")
        officers = [{**row, "name": row["key"]} for row in named]
    published = Complaint.objects.filter(
        center_id=center_id, is_published=True, received_at__gte=day_start(start)
    ).order_by("-received_at")[:20]
    return {
        "stats": month_stats(center_id=center_id, month=month),
        "windows": windows,
        "officers": officers,
        "suggestions": [c.text for c in published],
    }


def service_event_get(*, center_id: int, event_id: int) -> ServiceEvent | None:
    return ServiceEvent.objects.filter(center_id=center_id, pk=event_id).first()


def service_events_unrated(*, center_id: int, days: int = 7) -> QuerySet[ServiceEvent]:
    """Services of the last days without a rating: the phone-callback list."""
    since = clock.today() - timedelta(days=days)
    return (
        ServiceEvent.objects.filter(center_id=center_id, day__gte=since, rating__isnull=True)
        .select_related("officer")
        .order_by("-at")
    )


def rectification_list(*, center_id: int, open_only: bool = True) -> QuerySet[Rectification]:
    qs = Rectification.objects.filter(center_id=center_id).select_related(
        "rating", "rating__officer", "assignee"
    )
    if open_only:
        qs = qs.filter(status__in=OPEN_RECTIFICATION)
    return qs.order_by("due_on", "pk")


def rectification_get(*, center_id: int, rectification_id: int) -> Rectification | None:
    return (
        rectification_list(center_id=center_id, open_only=False).filter(pk=rectification_id).first()
    )


def rectification_alerts(*, center_id: int) -> dict[str, Any]:
    """The shift leader's board panel: open tasks, callbacks due, overdue."""
    today = clock.today()
    tasks = list(rectification_list(center_id=center_id))
    return {
        "open": len(tasks),
        "callback_due": [
            t for t in tasks if t.status == RectificationStatus.OPEN and t.callback_due <= today
        ],
        "overdue": [t for t in tasks if t.due_on < today],
        "appeals": Appeal.objects.filter(center_id=center_id, status=AppealStatus.PENDING).count(),
        "complaints_overdue": Complaint.objects.filter(
            center_id=center_id,
            due_on__lt=today,
            status__in=[ComplaintStatus.RECEIVED, ComplaintStatus.ASSIGNED],
        ).count(),
    }


def appeal_list(*, center_id: int) -> QuerySet[Appeal]:
    return (
        Appeal.objects.filter(center_id=center_id)
        .select_related("rating", "officer")
        .order_by("status", "-created_at")
    )


def officer_bad_ratings(*, center_id: int, officer_id: int) -> QuerySet[Rating]:
    """The officer's own bad ratings (to appeal), newest first."""
    return Rating.objects.filter(
        center_id=center_id, officer_id=officer_id, level__in=BAD_LEVELS
    ).prefetch_related("appeals")


def complaint_list(*, center_id: int, status: str = "") -> QuerySet[Complaint]:
    qs = Complaint.objects.filter(center_id=center_id).select_related("assignee")
    if status:
        qs = qs.filter(status=status)
    return qs


def complaint_get(*, center_id: int, complaint_id: int) -> Complaint | None:
    return complaint_list(center_id=center_id).filter(pk=complaint_id).first()


def pads_of(*, center_id: int) -> QuerySet[RatingPad]:
    return RatingPad.objects.filter(center_id=center_id).select_related("window")


def export_rows(*, center_id: int, start: date, end: date) -> list[dict[str, Any]]:
    """One row per rating in the provincial 好差评 platform's shape (see clients.py)."""
    rows = ratings_in(center_id=center_id, start=start, end=end).select_related(
        "service_event", "center"
    )
    out = []
    for r in rows.order_by("rated_at", "pk"):
        out.append(
            {
                "center_code": r.center.code,
                "service_event": f"{r.service_event.kind}:{r.service_event.reference}",
                "case_number": r.case_number,
                "item_code": r.item_code,
                "window": r.window_code,
                "served_at": clock.local(r.service_event.at).strftime("%Y-%m-%d %H:%M:%S"),
                "level": r.level,
                "reasons": "|".join(r.reasons),
                "rated_at": clock.local(r.rated_at).strftime("%Y-%m-%d %H:%M:%S"),
                "channel": r.channel,
                "revoked": int(r.is_revoked),
            }
        )
    return out


def ticket_rating_state(*, ticket_id: str) -> str | None:
    """None: no rateable service for this ticket; "rated" or "open"."""
    event = (
        ServiceEvent.objects.filter(kind=EventKind.TICKET, reference=str(ticket_id)[:24])
        .values_list("pk", "rating__pk")
        .first()
    )
    if event is None:
        return None
    return "rated" if event[1] else "open"
