"""The pool in calling order, the people ahead of a ticket and its estimated wait."""

from __future__ import annotations

import statistics
from collections.abc import Collection
from datetime import date, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThanOrEqual, TupleLessThan

from bianmin.core import clock
from bianmin.core.caching import forget_now_and_at_commit
from bianmin.core.compiled import CompiledFirst, CompiledQuery, Slot
from bianmin.hall.enums import EventKind, TicketStatus
from bianmin.hall.models import (
    OVERDUE_RANK,
    HallSettings,
    Ticket,
    TicketEvent,
    WaitingTally,
    WindowSession,
)
from bianmin.hall.selectors.hall_settings import hall_settings_get

# Service time assumed for an item before the hall has served it today (minutes).
DEFAULT_SERVICE_MINUTES = 8.0


# --- the pool --------------------------------------------------------------------------------


def pool_ordered(
    *,
    center_id: int,
    now: datetime,
    settings: HallSettings,
    officer_id: int | None = None,
    item_ids: set[int] | None = None,
) -> QuerySet[Ticket]:
    """Today's waiting tickets in calling order.

    The rule: tickets transferred to this officer first; then anyone who has waited longer
    than the limit (longest first, whatever their class); then priority classes by weight;
    then the longest wait. With `officer_id`, only tickets this officer may take (items they
    are authorized for, not transferred to someone else).
    """
    return _pool(
        center_id=center_id,
        day=clock.local(now).date(),
        limit_at=now - timedelta(minutes=settings.wait_limit_minutes),
        officer_id=officer_id,
        item_ids=item_ids,
    )


def _pool(
    *,
    center_id: int,
    day: date,
    limit_at: datetime,
    officer_id: int | None,
    item_ids: Collection[int] | None,
) -> QuerySet[Ticket]:
    qs = Ticket.objects.filter(center_id=center_id, status=TicketStatus.WAITING, service_day=day)
    if officer_id is not None:
        qs = qs.filter(Q(target_officer__isnull=True) | Q(target_officer_id=officer_id))
        mine: Any = Case(
            When(target_officer_id=officer_id, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    else:
        mine = Value(0, output_field=IntegerField())
    if item_ids is not None:
        qs = qs.filter(item_id__in=item_ids)
    return qs.annotate(mine=mine, rank=_rank(limit_at)).order_by(
        "-mine", "-rank", "queue_at", "seq"
    )


def _rank(limit_at: Any) -> Case:
    """A ticket's rank in the calling order: past the waiting limit above every class."""
    return Case(
        When(queue_at__lte=limit_at, then=Value(OVERDUE_RANK)),
        default="priority_weight",
        output_field=IntegerField(),
    )


def _pool_head_query(*, items: bool) -> CompiledFirst:
    """The head of `pool_ordered` for one officer, in three segments of the calling order read
    in turn (`CompiledFirst`): tickets transferred to this officer (`ticket_target_idx`); then
    pooled tickets past the waiting limit, longest first (`ticket_queue_idx`); then the pooled
    tickets by weight, then the longest wait (`ticket_weight_idx`). Each segment follows its
    index and stops at its first row, where one sort of the whole line (3,500 waiting: 6 ms
    inside PostgreSQL; 10,000 on SQLite: 4 ms) read every waiting ticket. The segments are the
    rule's order exactly because no weight reaches `OVERDUE_RANK` (a check on the ticket table,
    `ticket_weight_below_overdue`), and the third is read only when the second found no ticket
    past the limit, so it does not repeat the limit: with that range in it, SQLite chose
    `ticket_queue_idx` for the range and sorted the whole line by weight. (On PostgreSQL a
    ticket past the limit that another call holds is skipped by both, as before.)

    Locked on PostgreSQL, skipping heads that other calls hold; SQLite serializes writers and
    leaves the clause out."""

    def build(
        center_id: int,
        day: date,
        limit_at: datetime,
        officer_id: int,
        item_ids: Collection[int] | None = None,
    ) -> list[QuerySet[Ticket]]:
        line = Ticket.objects.filter(
            center_id=center_id, status=TicketStatus.WAITING, service_day=day
        )
        if item_ids is not None:
            line = line.filter(item_id__in=item_ids)
        pooled = line.filter(target_officer__isnull=True)
        segments = [
            line.filter(target_officer_id=officer_id).order_by(
                _rank(limit_at).desc(), "queue_at", "seq"
            ),
            pooled.filter(queue_at__lte=limit_at).order_by("queue_at", "seq"),
            pooled.order_by("-priority_weight", "queue_at", "seq"),
        ]
        return [
            segment.select_for_update(skip_locked=True, of=("self",))[:1] for segment in segments
        ]

    slots = {
        "center_id": Slot.INT,
        "day": Slot.DATE,
        "limit_at": Slot.DATETIME,
        "officer_id": Slot.INT,
    }
    items_slot = {"item_ids": Slot.INTS} if items else {}
    # prepared: one generic plan serves every call (README, 性能 → Seventeenth pass)
    return CompiledFirst(build, **slots, **items_slot)


# The call's hottest read, compiled once per connection (core.compiled): the head of the pool
# for an all-round officer, and for one authorized for some items.
_POOL_HEAD = {False: _pool_head_query(items=False), True: _pool_head_query(items=True)}


def pool_head(
    *,
    center_id: int,
    now: datetime,
    settings: HallSettings,
    officer_id: int,
    item_ids: set[int] | None,
) -> Ticket | None:
    """The ticket `pool_ordered` puts first for this officer, locked for the transaction on
    PostgreSQL (a head another call holds is skipped)."""
    values: dict[str, Any] = {
        "center_id": center_id,
        "day": clock.local(now).date(),
        "limit_at": now - timedelta(minutes=settings.wait_limit_minutes),
        "officer_id": officer_id,
    }
    if item_ids is not None:
        values["item_ids"] = item_ids
    head: Ticket | None = _POOL_HEAD[item_ids is not None].first(**values)
    return head


def _ahead_filter(
    *, overdue: bool, queue_at: Any, seq: Any, limit_at: Any, priority_weight: Any = None
) -> Q:
    """Waiting tickets that the calling rule puts before a ticket (for the pooled hall) that
    queues since `queue_at` as number `seq` with `priority_weight`; `overdue`: the ticket is
    past the waiting limit itself (`queue_at <= limit_at`), and then its weight plays no part."""
    earlier = Q(_queued_before(queue_at, seq))
    over_limit = Q(queue_at__lte=limit_at)
    if overdue:
        return over_limit & earlier
    return (
        over_limit
        | Q(priority_weight__gt=priority_weight)
        | (Q(priority_weight=priority_weight) & earlier)
    )


# A place in the line is the pair (queue_at, seq), compared as one row value (Django's tuple
# lookups, written for composite keys): `(queue_at, seq) < (%s, %s)` is one range of the
# line's indexes whatever the values, so a prepared statement's generic plan reads just that
# range. Its spelled-out form, `queue_at < %s OR (queue_at = %s AND seq < %s)`, is not an index
# range; PostgreSQL's generic plan for it read the whole day's line: the people ahead of a new
# ticket cost 1.17 ms of the database's CPU per read, against 0.07 ms for the row form
# (4,600 waiting, 2026-12-07; README, 性能 → Twenty-third pass).
def _queued_before(queue_at: Any, seq: Any) -> TupleLessThan:
    return TupleLessThan(Tuple(F("queue_at"), F("seq")), (queue_at, seq))


def _queued_from(queue_at: Any, seq: Any) -> TupleGreaterThanOrEqual:
    """The ticket at (queue_at, seq) and those queued after it."""
    return TupleGreaterThanOrEqual(Tuple(F("queue_at"), F("seq")), (queue_at, seq))


def _ahead_of(
    ticket: Ticket, *, now: datetime, settings: HallSettings
) -> tuple[bool, dict[str, Any]]:
    """Whether `ticket` is past the waiting limit now, and the values `_ahead_filter` takes."""
    limit_at = now - timedelta(minutes=settings.wait_limit_minutes)
    overdue = ticket.queue_at <= limit_at
    values = {"queue_at": ticket.queue_at, "seq": ticket.seq, "limit_at": limit_at}
    if not overdue:
        values["priority_weight"] = ticket.priority_weight
    return overdue, values


def ticket_people_ahead(
    ticket: Ticket, *, now: datetime | None = None, settings: HallSettings | None = None
) -> int | None:
    """How many people the rule calls before this ticket; None when it is not waiting today."""
    now = now or clock.now()
    settings = settings or hall_settings_get(center_id=ticket.center_id)
    return ahead_and_estimate(ticket, now=now, settings=settings)[0]


# --- wait estimates --------------------------------------------------------------------------


def service_minutes_by_item(*, center_id: int, now: datetime | None = None) -> dict[int, float]:
    """Median service minutes per item over recent finish events (cached for a minute; the
    wait estimates read it with the open windows through `estimate_inputs`)."""
    now = now or clock.now()
    cached = cache.get(_svc_key(center_id, now))
    if cached is not None:
        return dict(cached)
    return _service_minutes_compute(center_id=center_id, now=now)


def _svc_key(center_id: int, now: datetime) -> str:
    return f"hall:svc:{center_id}:{int(now.timestamp()) // 60}"


def _service_minutes_compute(
    *, center_id: int, now: datetime, window_hours: int = 3, min_samples: int = 3
) -> dict[int, float]:
    """The medians over the last `window_hours`; items with fewer than `min_samples` recent
    services fall back to the last 14 days. Kept for the minute."""
    result: dict[int, float] = {}
    for since in (now - timedelta(hours=window_hours), now - timedelta(days=14)):
        rows = (
            TicketEvent.objects.filter(
                center_id=center_id,
                kind=EventKind.FINISH,
                at__gte=since,
                at__lte=now,
                service_seconds__isnull=False,
            )
            .exclude(item_id__in=list(result))
            .order_by("-at")
            .values_list("item_id", "service_seconds")[:3000]
        )
        samples: dict[int, list[int]] = {}
        for item_id, seconds in rows:
            samples.setdefault(item_id, []).append(int(seconds or 0))
        for item_id, values in samples.items():
            if item_id not in result and len(values) >= min_samples:
                result[item_id] = statistics.median(values) / 60
    cache.set(_svc_key(center_id, now), result, 90)
    return result


_OPEN_WINDOWS = "hall:open-windows:{}"
OPEN_WINDOWS_SECONDS = 300


def _open_windows_compute(*, center_id: int) -> int:
    """Windows signed in and not paused. Every wait estimate divides by it (each issue asks);
    it changes only when a window is signed in or out, paused or resumed, which forget it
    (`open_windows_forget`): cached in between."""
    count = WindowSession.objects.filter(
        center_id=center_id, ended_at__isnull=True, paused_at__isnull=True
    ).count()
    cache.set(_OPEN_WINDOWS.format(center_id), count, OPEN_WINDOWS_SECONDS)
    return count


def estimate_inputs(*, center_id: int, now: datetime) -> tuple[dict[int, float], int]:
    """What every wait estimate divides: the items' median service minutes and the open
    windows (at least one), read from the cache in one round trip, each computed when missing."""
    svc_key, windows_key = _svc_key(center_id, now), _OPEN_WINDOWS.format(center_id)
    found = cache.get_many([svc_key, windows_key])
    medians = found.get(svc_key)
    if medians is None:
        medians = _service_minutes_compute(center_id=center_id, now=now)
    windows = found.get(windows_key)
    if windows is None:
        windows = _open_windows_compute(center_id=center_id)
    return dict(medians), max(int(windows), 1)


def open_windows_forget(*, center_id: int) -> None:
    """A window session changed: the cached count is dropped (now and at commit)."""
    forget_now_and_at_commit(_OPEN_WINDOWS.format(center_id))


# A ticket's place in its center's line as the people-ahead queries take it (`_ahead_of`).
_PLACE_SLOTS = {
    "center_id": Slot.INT,
    "day": Slot.DATE,
    "queue_at": Slot.DATETIME,
    "seq": Slot.INT,
    "limit_at": Slot.DATETIME,
}


def _ahead_overdue_query() -> CompiledQuery:
    """The waiting tickets ahead of a ticket past the waiting limit (those past it longer),
    counted per item and per "transferred to a named officer" (`_ahead_filter`)."""

    def build(
        center_id: int, day: date, ticket_id: str, queue_at: Any, seq: int, limit_at: Any
    ) -> QuerySet[Any]:
        return (
            Ticket.objects.filter(center_id=center_id, status=TicketStatus.WAITING, service_day=day)
            .exclude(pk=ticket_id)
            .filter(_ahead_filter(overdue=True, queue_at=queue_at, seq=seq, limit_at=limit_at))
            .annotate(targeted=_TARGETED)
            .values_list("item_id", "targeted")
            .annotate(n=Count("pk"))
            .order_by()
        )

    return CompiledQuery(build, ticket_id=Slot.TEXT, **_PLACE_SLOTS)


_TARGETED = ExpressionWrapper(Q(target_officer__isnull=False), output_field=BooleanField())


def _ahead_in_line_query() -> CompiledQuery:
    """The people ahead of a ticket within the waiting limit, without counting the line: the
    waiting tally's buckets of its priority weight and above (`WaitingTally`, kept by the
    database), minus the waiting tickets of its own weight that queue after it (itself
    included: a few, a new ticket is the last), plus the tickets of a lower weight that are
    past the limit (ahead of every class). Rows of (item, transferred to a named officer, n),
    one statement: the three parts are read in one snapshot."""

    def build(
        center_id: int, day: date, priority_weight: int, queue_at: Any, seq: int, limit_at: Any
    ) -> QuerySet[Any]:
        tally = (
            WaitingTally.objects.filter(
                center_id=center_id, service_day=day, priority_weight__gte=priority_weight
            )
            .exclude(n=0)
            .values_list("item_id", "targeted", "n")
            .order_by()
        )
        waiting = Ticket.objects.filter(
            center_id=center_id, status=TicketStatus.WAITING, service_day=day
        ).annotate(targeted=_TARGETED)
        after = (
            waiting.filter(priority_weight=priority_weight)
            .filter(_queued_from(queue_at, seq))
            .values_list("item_id", "targeted")
            .annotate(n=Value(0) - Count("pk"))
            .order_by()
        )
        overdue_below = (
            waiting.filter(priority_weight__lt=priority_weight, queue_at__lte=limit_at)
            .values_list("item_id", "targeted")
            .annotate(n=Count("pk"))
            .order_by()
        )
        return tally.union(after, overdue_below, all=True)

    return CompiledQuery(build, priority_weight=Slot.INT, **_PLACE_SLOTS)


# Every issue answers with the new ticket's place: compiled once per connection and, on
# PostgreSQL, prepared (its generic plan reads index ranges: `_queued_before`).
_AHEAD_OVERDUE = _ahead_overdue_query()
_AHEAD_IN_LINE = _ahead_in_line_query()


def ahead_and_estimate(
    ticket: Ticket, *, now: datetime, settings: HallSettings
) -> tuple[int | None, int | None]:
    """The people the rule calls before this ticket and its estimated wait in minutes (their
    items' recent median service time shared by the open windows), from ONE query of the
    waiting tickets ahead per item and per "transferred to a named officer" (the position
    leaves those out for a pooled ticket; the estimate counts everyone's work): from the
    waiting tally within the waiting limit, counted past it.
    (None, None) when the ticket is not waiting today."""
    if ticket.status != TicketStatus.WAITING or ticket.service_day != clock.local(now).date():
        return None, None
    overdue, ahead_of = _ahead_of(ticket, now=now, settings=settings)
    if overdue:
        rows = _AHEAD_OVERDUE.rows(
            center_id=ticket.center_id, day=ticket.service_day, ticket_id=ticket.pk, **ahead_of
        )
    else:  # the usual case, an issue's answer among them: a few tally rows, not the line
        rows = _AHEAD_IN_LINE.rows(center_id=ticket.center_id, day=ticket.service_day, **ahead_of)
    counted = [(item_id, bool(targeted), n) for item_id, targeted, n in rows]
    pooled = ticket.target_officer_id is None
    ahead = sum(n for _item, targeted, n in counted if not (pooled and targeted))
    if ahead == 0:
        return 0, 0
    medians, windows = estimate_inputs(center_id=ticket.center_id, now=now)
    fallback = statistics.median(medians.values()) if medians else DEFAULT_SERVICE_MINUTES
    work = sum(n * medians.get(item_id, fallback) for item_id, _targeted, n in counted)
    return ahead, max(1, round(work / windows))
