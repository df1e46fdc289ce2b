"""The pool, positions and wait estimates, the center's line, the officer's workspace."""

from __future__ import annotations

import json
import statistics
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from bianmin.accounts.selectors import DayHours, center_hours
from bianmin.core import clock
from bianmin.core.caching import Generation, KeptHere, forget_now_and_at_commit
from bianmin.core.compiled import CompiledQuery, Slot
from bianmin.hall import live
from bianmin.hall.enums import EventKind, IssueChannel, TicketStatus
from bianmin.hall.models import (
    HallSettings,
    Ticket,
    TicketEvent,
    TicketItem,
    Window,
    WindowSession,
)

# Rank given to tickets over the waiting limit: above every priority class.
OVERDUE_RANK = 10_000
# Service time assumed for an item before the hall has served it today (minutes).
DEFAULT_SERVICE_MINUTES = 8.0


@dataclass(frozen=True)
class TicketSummary:
    id: str
    number: str
    center_id: int
    item_codes: list[str]
    status: str
    officer_id: int | None
    window_code: str | None
    priority: str
    issued_at: datetime


def ticket_summary(*, ticket_id: str, center_id: int) -> TicketSummary | None:
    """What other contexts (cases) need to know about a ticket of this center; None for an
    unknown id and for another center's ticket (they look the same)."""
    ticket = (
        Ticket.objects.select_related("window")
        .filter(pk=str(ticket_id)[:24], center_id=center_id)
        .first()
    )
    if ticket is None:
        return None
    codes = list(ticket.items.order_by("position").values_list("item__code", flat=True))
    return TicketSummary(
        id=ticket.pk,
        number=ticket.number,
        center_id=ticket.center_id,
        item_codes=codes,
        status=ticket.status,
        officer_id=ticket.officer_id,
        window_code=ticket.window.code if ticket.window else None,
        priority=ticket.priority,
        issued_at=ticket.arrived_at,
    )


# --- hours -----------------------------------------------------------------------------------


def hours_text(hours: DayHours | None) -> str:
    """08:30–12:00、14:00–17:30 (the lunch break left out), or 今日不办公."""
    if hours is None:
        return _("今日不办公")
    fmt = "%H:%M"
    if hours.lunch_from and hours.lunch_to:
        return f"{hours.opens_at.strftime(fmt)}–{hours.lunch_from.strftime(fmt)}、{hours.lunch_to.strftime(fmt)}–{hours.closes_at.strftime(fmt)}"
    return f"{hours.opens_at.strftime(fmt)}–{hours.closes_at.strftime(fmt)}"


def hall_hours_today(*, center_id: int) -> str:
    """Today's hours of the center as the kiosk, phone page and display show them."""
    return hours_text(center_hours(center_id=center_id, day=clock.today()))


# --- settings --------------------------------------------------------------------------------


SETTINGS_CACHE_SECONDS = 300


def _settings_key(center_id: int) -> str:
    return f"hall:settings:{center_id}"


def hall_settings_get(*, center_id: int) -> HallSettings:
    """The hall's settings, or the defaults (unsaved) when the director has set none.

    Read on every issue, call and position read, changed a few times a year: kept in the cache
    (shared by every worker with Redis) and forgotten whenever a row is saved or deleted
    (`hall_settings_forget`, connected in apps.ready)."""
    key = _settings_key(center_id)
    found = cache.get(key)
    if found is None:
        found = HallSettings.objects.filter(center_id=center_id).first()
        found = found if found is not None else HallSettings(center_id=center_id)
        cache.set(key, found, SETTINGS_CACHE_SECONDS)
    return found


def hall_settings_forget(*, center_id: int) -> None:
    """The settings changed: the cached row is dropped (now and at commit)."""
    forget_now_and_at_commit(_settings_key(center_id))
    hall_changed(center_id=center_id)  # the waiting limit and weights order the line


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
    return qs.annotate(
        mine=mine,
        rank=Case(
            When(queue_at__lte=limit_at, then=Value(OVERDUE_RANK)),
            default="priority_weight",
            output_field=IntegerField(),
        ),
    ).order_by("-mine", "-rank", "queue_at", "seq")


def _pool_head_query(*, items: bool) -> CompiledQuery:
    def build(
        center_id: int,
        day: date,
        limit_at: datetime,
        officer_id: int,
        item_ids: Collection[int] | None = None,
    ) -> QuerySet[Ticket]:
        # Locked on PostgreSQL, skipping heads that other calls hold; SQLite serializes writers
        # and leaves the clause out.
        pool = _pool(
            center_id=center_id,
            day=day,
            limit_at=limit_at,
            officer_id=officer_id,
            item_ids=item_ids,
        )
        return pool.select_for_update(skip_locked=True, of=("self",))[:1]

    slots = {
        "center_id": Slot.INT,
        "day": Slot.DATE,
        "limit_at": Slot.DATETIME,
        "officer_id": Slot.INT,
    }
    return CompiledQuery(build, **slots, **({"item_ids": Slot.INTS} if items else {}))


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
    earlier = Q(queue_at__lt=queue_at) | Q(queue_at=queue_at, seq__lt=seq)
    over_limit = Q(queue_at__lte=limit_at)
    if overdue:
        return over_limit & earlier
    return (
        over_limit
        | Q(priority_weight__gt=priority_weight)
        | (Q(priority_weight=priority_weight) & earlier)
    )


def _ahead_of(ticket: Ticket, *, now: datetime, settings: HallSettings) -> dict[str, Any]:
    """The values `_ahead_filter` takes for `ticket` now."""
    limit_at = now - timedelta(minutes=settings.wait_limit_minutes)
    overdue = ticket.queue_at <= limit_at
    values = {"queue_at": ticket.queue_at, "seq": ticket.seq, "limit_at": limit_at}
    if not overdue:
        values["priority_weight"] = ticket.priority_weight
    return {"overdue": overdue, **values}


def ticket_people_ahead(
    ticket: Ticket, *, now: datetime | None = None, settings: HallSettings | None = None
) -> int | None:
    """How many people the rule calls before this ticket; None when it is not waiting today."""
    now = now or clock.now()
    if ticket.status != TicketStatus.WAITING or ticket.service_day != clock.local(now).date():
        return None
    settings = settings or hall_settings_get(center_id=ticket.center_id)
    base = Ticket.objects.filter(
        center_id=ticket.center_id,
        status=TicketStatus.WAITING,
        service_day=ticket.service_day,
    ).exclude(pk=ticket.pk)
    if ticket.target_officer_id is None:
        base = base.filter(target_officer__isnull=True)
    return base.filter(_ahead_filter(**_ahead_of(ticket, now=now, settings=settings))).count()


# --- wait estimates --------------------------------------------------------------------------


def service_minutes_by_item(
    *, center_id: int, now: datetime | None = None, window_hours: int = 3, min_samples: int = 3
) -> dict[int, float]:
    """Median service time per item over recent finish events (cached for a minute).

    Items with fewer than `min_samples` recent services fall back to the last 14 days.
    """
    now = now or clock.now()
    key = f"hall:svc:{center_id}:{int(now.timestamp()) // 60}"
    cached = cache.get(key)
    if cached is not None:
        return dict(cached)
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
    cache.set(key, result, 90)
    return result


_OPEN_WINDOWS = "hall:open-windows:{}"
OPEN_WINDOWS_SECONDS = 300


def open_window_count(*, center_id: int) -> int:
    """Windows signed in and not paused. Every wait estimate divides by it (each issue asks);
    it changes only when a window is signed in or out, paused or resumed, which forget it
    (`open_windows_forget`): cached in between."""
    key = _OPEN_WINDOWS.format(center_id)
    count = cache.get(key)
    if count is None:
        count = WindowSession.objects.filter(
            center_id=center_id, ended_at__isnull=True, paused_at__isnull=True
        ).count()
        cache.set(key, count, OPEN_WINDOWS_SECONDS)
    return int(count)


def open_windows_forget(*, center_id: int) -> None:
    """A window session changed: the cached count is dropped (now and at commit)."""
    forget_now_and_at_commit(_OPEN_WINDOWS.format(center_id))


def estimate_wait_minutes(
    ticket: Ticket,
    *,
    ahead: int | None,
    now: datetime | None = None,
    settings: HallSettings | None = None,
) -> int | None:
    """People ahead × their items' recent median service time, shared by the open windows."""
    if ahead is None:
        return None
    if ahead == 0:
        return 0
    now = now or clock.now()
    settings = settings or hall_settings_get(center_id=ticket.center_id)
    medians = service_minutes_by_item(center_id=ticket.center_id, now=now)
    fallback = statistics.median(medians.values()) if medians else DEFAULT_SERVICE_MINUTES
    ahead_items = (
        Ticket.objects.filter(
            center_id=ticket.center_id, status=TicketStatus.WAITING, service_day=ticket.service_day
        )
        .exclude(pk=ticket.pk)
        .filter(_ahead_filter(**_ahead_of(ticket, now=now, settings=settings)))
        .values("item_id")
        .annotate(n=Count("pk"))
    )
    work = sum(row["n"] * medians.get(row["item_id"], fallback) for row in ahead_items)
    windows = max(open_window_count(center_id=ticket.center_id), 1)
    return max(1, round(work / windows))


# Look-ups by key on the hot paths (every phone's read) are compiled once per connection
# (core.compiled): building and compiling the query cost several times what running it does.


_TICKET_WITH_PLACES = CompiledQuery(
    lambda ticket_id: Ticket.objects.select_related("item", "window", "center").filter(
        pk=ticket_id
    ),
    ticket_id=Slot.TEXT,
)
_TICKET = CompiledQuery(lambda ticket_id: Ticket.objects.filter(pk=ticket_id), ticket_id=Slot.TEXT)


def ticket_get(*, ticket_id: str) -> Ticket | None:
    """The ticket with its item, window and center (the position page)."""
    ticket: Ticket | None = _TICKET_WITH_PLACES.first(ticket_id=str(ticket_id)[:24])
    return ticket


_ITEM_CODES = CompiledQuery(
    lambda ticket_id: (
        TicketItem.objects.filter(ticket_id=ticket_id)
        .order_by("position")
        .values_list("item_id", "item__code")
    ),
    ticket_id=Slot.TEXT,
)


def ticket_item_codes(ticket: Ticket) -> tuple[str, list[str]]:
    """The code of the item the ticket queues for now, and the codes of all its items in
    order, from one query."""
    rows = _ITEM_CODES.rows(ticket_id=ticket.pk)
    current = next((code for item_id, code in rows if item_id == ticket.item_id), None)
    return current if current is not None else ticket.item.code, [code for _id, code in rows]


def ticket_phone(*, ticket_id: str) -> str:
    """The phone the citizen left on the ticket ("" if none): one column, for subscribers of
    the hall's events that need nothing else."""
    phones = Ticket.objects.filter(pk=str(ticket_id)[:24]).values_list("phone", flat=True)
    return next(iter(phones), None) or ""


def _ahead_by_item_query(*, overdue: bool) -> CompiledQuery:
    """The waiting tickets ahead of one ticket counted per item and per "transferred to a
    named officer" (`_ahead_filter`)."""

    def build(center_id: int, day: date, ticket_id: str, **ahead: Any) -> QuerySet[Any]:
        return (
            Ticket.objects.filter(center_id=center_id, status=TicketStatus.WAITING, service_day=day)
            .exclude(pk=ticket_id)
            .filter(_ahead_filter(overdue=overdue, **ahead))
            .values_list("item_id", "target_officer_id")
            .annotate(n=Count("pk"))
            .order_by()
        )

    slots = {
        "center_id": Slot.INT,
        "day": Slot.DATE,
        "ticket_id": Slot.TEXT,
        "queue_at": Slot.DATETIME,
        "seq": Slot.INT,
        "limit_at": Slot.DATETIME,
    }
    if not overdue:  # an overdue ticket's weight plays no part
        slots["priority_weight"] = Slot.INT
    return CompiledQuery(build, **slots)


# Every issue answers with the new ticket's place: compiled once per connection.
_AHEAD_BY_ITEM = {
    True: _ahead_by_item_query(overdue=True),
    False: _ahead_by_item_query(overdue=False),
}


def _ahead_and_estimate(
    ticket: Ticket, *, now: datetime, settings: HallSettings
) -> tuple[int | None, int | None]:
    """`ticket_people_ahead` and `estimate_wait_minutes` from ONE grouped query: the waiting
    tickets ahead counted per item and per "transferred to a named officer" (the position
    leaves those out for a pooled ticket; the estimate counts everyone's work)."""
    if ticket.status != TicketStatus.WAITING or ticket.service_day != clock.local(now).date():
        return None, None
    ahead_of = _ahead_of(ticket, now=now, settings=settings)
    rows = _AHEAD_BY_ITEM[ahead_of.pop("overdue")].rows(
        center_id=ticket.center_id, day=ticket.service_day, ticket_id=ticket.pk, **ahead_of
    )
    counted = [(item_id, targeted is not None, n) for item_id, targeted, n in rows]
    pooled = ticket.target_officer_id is None
    ahead = sum(n for _item, targeted, n in counted if not (pooled and targeted))
    if ahead == 0:
        return 0, 0
    medians = service_minutes_by_item(center_id=ticket.center_id, now=now)
    fallback = statistics.median(medians.values()) if medians else DEFAULT_SERVICE_MINUTES
    work = sum(n * medians.get(item_id, fallback) for item_id, _targeted, n in counted)
    windows = max(open_window_count(center_id=ticket.center_id), 1)
    return ahead, max(1, round(work / windows))


# --- the center's line, computed once per change ---------------------------------------------
#
# Every waiting phone polls its position; with 100 people waiting that is 20 reads a second per
# center, and each read counted the people ahead with its own query. The whole line is now
# computed once (one query for all waiting tickets) and kept in the cache under the center's
# version, which every change of a ticket, window or setting bumps (`hall_changed`): a read is a
# cache look-up, a change costs one recomputation per center, not one per client.

_VERSION = "hall:ver:{}"
POSITIONS_SECONDS = 120


def hall_changed(*, center_id: int) -> None:
    """The center's line changed: bump its version now and again when the change commits (a
    reader between the two would otherwise keep the line as it was before the commit)."""
    Generation(_VERSION.format(center_id)).bump()
    # and tell the center's live pages, once per transaction, after the commit
    live.line_push_on_commit(center_id, line_message_text)


def _center_version(center_id: int) -> int:
    return Generation(_VERSION.format(center_id)).current()


@dataclass(frozen=True)
class _Line:
    spots: dict[str, tuple[int, int]]  # ticket id -> (people ahead, estimated minutes)
    valid_until: datetime  # the next moment a waiting ticket passes the waiting limit
    numbers: dict[str, str] = field(default_factory=dict)  # ticket id -> number shown


def _line_compute(*, center_id: int, day: date, now: datetime, settings: HallSettings) -> _Line:
    """People ahead and wait estimate of every waiting ticket, by the rule of `_ahead_filter`:
    a ticket is ahead when its key (overdue first, then weight, then queue time, then number)
    is strictly smaller; a pooled ticket does not count tickets transferred to a named officer,
    the estimate counts everyone's work."""
    limit = timedelta(minutes=settings.wait_limit_minutes)
    limit_at = now - limit
    rows = list(
        Ticket.objects.filter(center_id=center_id, status=TicketStatus.WAITING, service_day=day)
        .values_list(
            "pk", "item_id", "target_officer_id", "priority_weight", "queue_at", "seq", "number"
        )
        .order_by()
    )
    medians = service_minutes_by_item(center_id=center_id, now=now) if rows else {}
    fallback = statistics.median(medians.values()) if medians else DEFAULT_SERVICE_MINUTES
    windows = max(open_window_count(center_id=center_id), 1) if rows else 1

    def key(row: tuple[Any, ...]) -> tuple[int, datetime, int]:
        rank = OVERDUE_RANK if row[4] <= limit_at else row[3]
        return (-rank, row[4], row[5])

    rows.sort(key=key)
    spots: dict[str, tuple[int, int]] = {}
    before_all = before_pooled = 0
    work = 0.0
    i = 0
    while i < len(rows):
        j, group_key = i, key(rows[i])
        while j < len(rows) and key(rows[j]) == group_key:  # equal keys: none ahead of another
            j += 1
        for pk, _item, target, *_rest in rows[i:j]:
            ahead = before_pooled if target is None else before_all
            spots[pk] = (ahead, 0 if ahead == 0 else max(1, round(work / windows)))
        for _pk, item_id, target, *_rest in rows[i:j]:
            before_all += 1
            before_pooled += target is None
            work += medians.get(item_id, fallback)
        i = j
    later = [row[4] + limit for row in rows if row[4] > limit_at]
    valid_until = min(later) if later else now + timedelta(days=1)
    numbers = {row[0]: row[6] for row in rows}
    return _Line(spots=spots, valid_until=valid_until, numbers=numbers)


# The lines this process read last, by their versioned key: a key names one immutable line (a
# change of the center bumps the version, so a changed line has another key), so a position read
# skips unpickling the whole line from the cache when this process already holds it.
_LINES_HERE: KeptHere[_Line] = KeptHere(max_entries=256)


def _line_key(center_id: int, day: date, now: datetime) -> str:
    minute = int(now.timestamp()) // 60  # the service-time medians move per minute
    return f"hall:line:{center_id}:{_center_version(center_id)}:{day.isoformat()}:{minute}"


def _line_cached(key: str, now: datetime) -> _Line | None:
    """The line kept under `key` (by this process, else in the cache) if still valid at `now`."""
    line = _LINES_HERE.get(key)
    return line if line is not None and now < line.valid_until else None


def _line(
    *,
    center_id: int,
    day: date,
    now: datetime,
    compute: bool,
    settings: HallSettings | None = None,
) -> _Line | None:
    """The center's line as of now: cached, else computed and kept (`compute`), else None."""
    key = _line_key(center_id, day, now)
    line = _line_cached(key, now)
    if line is not None:
        return line
    if not compute:
        return None
    settings = settings or hall_settings_get(center_id=center_id)
    line = _line_compute(center_id=center_id, day=day, now=now, settings=settings)
    cache.set(key, line, POSITIONS_SECONDS)
    _LINES_HERE.keep(key, line)
    return line


# --- the line's public message (the live pages' websocket) ----------------------------------
#
# After each change of a center's line ONE message goes to the center's group (`live`), made
# from the line above: every waiting number with its people ahead and estimated minutes, and
# the numbers being called with their window. Ticket numbers are what the calling display
# shows anyway; no ticket id, phone or name is in it. Each position page picks its own number.

LINE_MESSAGE_REFRESH_MAX = 600  # seconds: clients ask again at the latest after this


def line_message(*, center_id: int, now: datetime | None = None) -> dict[str, Any]:
    """The center's line as the live pages read it (cached with the line's version)."""
    now = now or clock.now()
    day = clock.local(now).date()
    minute = int(now.timestamp()) // 60
    key = f"hall:linemsg:{center_id}:{_center_version(center_id)}:{day.isoformat()}:{minute}"
    cached = cache.get(key)
    if cached is not None and now.timestamp() < cached["until"]:
        return dict(cached["message"])
    settings = hall_settings_get(center_id=center_id)
    line = _line(center_id=center_id, day=day, now=now, settings=settings, compute=True)
    assert line is not None  # compute=True always gives a line
    waiting = {
        line.numbers[pk]: [ahead, minutes]
        for pk, (ahead, minutes) in line.spots.items()
        if pk in line.numbers
    }
    called = dict(
        Ticket.objects.filter(center_id=center_id, status=TicketStatus.CALLED, service_day=day)
        .order_by("called_at")
        .values_list("number", "window__name")
    )
    refresh = max(1, min(LINE_MESSAGE_REFRESH_MAX, int((line.valid_until - now).total_seconds())))
    message = {
        "type": "line",
        "day": day.isoformat(),
        "waiting": waiting,
        "called": called,
        "refresh_in": refresh,
    }
    cache.set(
        key,
        {"message": message, "until": line.valid_until.timestamp()},
        POSITIONS_SECONDS,
    )
    return message


def line_message_text(center_id: int) -> str:
    """`line_message` as the JSON text sent to every socket (serialized once, not per client)."""
    return json.dumps(line_message(center_id=center_id), ensure_ascii=False, separators=(",", ":"))


_TICKET_CENTER = "hall:ticket-center:{}"
TICKET_CENTER_SECONDS = 2 * 24 * 3600
# A ticket's center never changes: once known, this process keeps it (no round trip to Redis
# on the next read).
_TICKET_CENTERS_HERE: KeptHere[int] = KeptHere(max_entries=50_000)


def _ticket_center(ticket_id: str) -> int | None:
    return _TICKET_CENTERS_HERE.get(_TICKET_CENTER.format(ticket_id))


def _ticket_center_remember(ticket_id: str, center_id: int) -> None:
    key = _TICKET_CENTER.format(ticket_id)
    if not _TICKET_CENTERS_HERE.holds(key, center_id):
        cache.set(key, center_id, TICKET_CENTER_SECONDS)
        _TICKET_CENTERS_HERE.keep(key, center_id)


def ticket_public_state(*, ticket_id: str) -> dict[str, Any] | None:
    """The public answer for a ticket id (`GET /api/v1/tickets/{id}`, polled by phones), or None.

    A ticket waiting in its center's cached line is answered from the line alone — its number,
    people ahead and estimate are all there, and the line's key changes with every change of the
    center — without reading the database. Any other ticket (called, finished, another day) or
    a center whose line is not cached is read from its row, which also remembers the ticket's
    center (it never changes) for the next read."""
    tid = str(ticket_id)[:24]
    cached = _waiting_in_cached_line(tid)
    if cached is not None:
        _key, line = cached
        ahead, estimate = line.spots[tid]
        return _public_answer(tid, line.numbers[tid], TicketStatus.WAITING, ahead, estimate)
    ticket = ticket_public_get(ticket_id=tid)
    if ticket is None:
        return None
    _ticket_center_remember(tid, ticket.center_id)
    return ticket_state(ticket)


def _waiting_in_cached_line(ticket_id: str) -> tuple[str, _Line] | None:
    """(the line's key, the line) when the ticket waits in its center's cached line, else None."""
    center_id = _ticket_center(ticket_id)
    if center_id is None:
        return None
    now = clock.now()
    key = _line_key(center_id, clock.local(now).date(), now)
    line = _line_cached(key, now)
    if line is None or ticket_id not in line.spots:
        return None
    return key, line


def ticket_waiting_key(*, ticket_id: str) -> str | None:
    """A cache key for what is shown of a ticket while it waits in its center's cached line, or
    None. The key names the line's version and minute, so it changes with every change of the
    center (a call, an issue, a window, a setting) and every minute: a page made from the
    ticket's waiting state alone may be kept under it and shown again until the key changes."""
    tid = str(ticket_id)[:24]
    cached = _waiting_in_cached_line(tid)
    return None if cached is None else f"{cached[0]}:{tid}"


def ticket_public_get(*, ticket_id: str) -> Ticket | None:
    """The ticket alone (no joins): all that its public state needs."""
    ticket: Ticket | None = _TICKET.first(ticket_id=str(ticket_id)[:24])
    return ticket


def ticket_state(
    ticket: Ticket, *, now: datetime | None = None, shared_line: bool = True
) -> dict[str, Any]:
    """The public shape of a ticket (API and live position page).

    Reads (`shared_line`, the default) take the center's cached line and compute it when it is
    missing; a write's own answer (the ticket just issued, which has changed the line) asks
    one grouped query instead of recomputing the whole line for nobody else yet."""
    now = now or clock.now()
    settings = hall_settings_get(center_id=ticket.center_id)
    ahead: int | None = None
    estimate: int | None = None
    if ticket.status == TicketStatus.WAITING and ticket.service_day == clock.local(now).date():
        line = _line(
            center_id=ticket.center_id,
            day=ticket.service_day,
            now=now,
            settings=settings,
            compute=shared_line,
        )
        spot = line.spots.get(ticket.pk) if line is not None else None
        if spot is None:  # no line, or a ticket committed after the line was made
            ahead, estimate = _ahead_and_estimate(ticket, now=now, settings=settings)
        else:
            ahead, estimate = spot
            # its next reads (API, live fragment) can be answered from the line alone
            _ticket_center_remember(ticket.pk, ticket.center_id)
    expired = ticket.service_day < clock.local(now).date() and ticket.status in (
        TicketStatus.WAITING,
        TicketStatus.PARKED,
        TicketStatus.CALLED,
    )
    return _public_answer(
        ticket.pk, ticket.number, "expired" if expired else ticket.status, ahead, estimate
    )


def _public_answer(
    ticket_id: str, number: str, status: str, ahead: int | None, estimate: int | None
) -> dict[str, Any]:
    """The public shape of a ticket (contracts.md: `GET /api/v1/tickets/{id}`)."""
    return {
        "id": ticket_id,
        "number": number,
        "status": status,
        "position": ahead,
        "estimated_wait_minutes": estimate,
    }


# --- the officer's workspace -----------------------------------------------------------------


def session_current(*, officer_id: int, center_id: int | None = None) -> WindowSession | None:
    """The officer's open window session (in `center_id`, the actor's center, when given)."""
    qs = WindowSession.objects.select_related("window").filter(
        officer_id=officer_id, ended_at__isnull=True
    )
    if center_id is not None:
        qs = qs.filter(center_id=center_id)
    return qs.first()


def ticket_current_for(*, officer_id: int, center_id: int) -> Ticket | None:
    return (
        Ticket.objects.select_related("item", "window")
        .filter(officer_id=officer_id, center_id=center_id, status=TicketStatus.CALLED)
        .order_by("-called_at")
        .first()
    )


def tickets_parked_by(*, officer_id: int, center_id: int) -> QuerySet[Ticket]:
    return (
        Ticket.objects.select_related("item")
        .filter(
            center_id=center_id,
            officer_id=officer_id,
            status=TicketStatus.PARKED,
            service_day=clock.today(),
        )
        .order_by("arrived_at")
    )


def tickets_priority_pending(*, center_id: int) -> QuerySet[Ticket]:
    """Today's waiting tickets whose self-declared priority the guide desk has not yet decided."""
    return (
        Ticket.objects.select_related("item")
        .filter(
            center_id=center_id,
            status=TicketStatus.WAITING,
            service_day=clock.today(),
        )
        .exclude(priority_claim="")
        .order_by("arrived_at")
    )


def sessions_open(*, center_id: int) -> list[WindowSession]:
    """The center's open window sessions with their officers (who sits where)."""
    return list(
        WindowSession.objects.select_related("officer").filter(
            center_id=center_id, ended_at__isnull=True
        )
    )


def tickets_issued_at_guide_today(*, center_id: int, limit: int = 10) -> list[Ticket]:
    """本台今日取号: the guide desk's latest tickets of today."""
    return list(
        Ticket.objects.select_related("item")
        .filter(center_id=center_id, service_day=clock.today(), channel=IssueChannel.GUIDE)
        .order_by("-arrived_at")[:limit]
    )


def windows_of(*, center_id: int) -> QuerySet[Window]:
    return Window.objects.filter(center_id=center_id, is_active=True).order_by("code")


def waiting_count_for(*, center_id: int, officer_id: int, item_ids: set[int] | None) -> int:
    now = clock.now()
    return pool_ordered(
        center_id=center_id,
        now=now,
        settings=hall_settings_get(center_id=center_id),
        officer_id=officer_id,
        item_ids=item_ids,
    ).count()
