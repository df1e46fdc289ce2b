"""The center's line, computed once per change: positions and estimates of every waiting
ticket, the live pages' message, and a ticket's public state."""

from __future__ import annotations

import functools
import json
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.cache import cache

from bianmin.core import clock
from bianmin.core.caching import Generation, KeptHere
from bianmin.hall import live
from bianmin.hall.enums import TicketStatus
from bianmin.hall.models import HallSettings, Ticket
from bianmin.hall.selectors.hall_settings import hall_settings_get
from bianmin.hall.selectors.pool import (
    DEFAULT_SERVICE_MINUTES,
    OVERDUE_RANK,
    ahead_and_estimate,
    estimate_inputs,
)
from bianmin.hall.selectors.tickets import ticket_public_get

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
    """The center's line changed: its version moves when the change commits (until then the
    changing transaction reads the line under a version of its own: `Generation.bump`)."""
    # and tell the center's live pages, once per transaction, after the commit; the bump reads
    # whether anybody follows the line in its own round trip
    Generation(_VERSION.format(center_id)).bump(
        read=live.line_listening_key(center_id),
        then=functools.partial(live.line_send_now, center_id, line_message_text),
    )


def _center_version(center_id: int) -> int:
    return Generation(_VERSION.format(center_id)).current()


@dataclass(frozen=True)
class _Line:
    spots: dict[str, tuple[int, int]]  # ticket id -> (people ahead, estimated minutes)
    valid_until: datetime  # the next moment a waiting ticket passes the waiting limit
    numbers: dict[str, str] = field(default_factory=dict)  # ticket id -> number shown
    # ticket id -> its row's last change (microseconds): what is shown of a waiting ticket
    # besides its place (number, items, time taken) can only change with it
    revisions: dict[str, int] = field(default_factory=dict)
    near_position: int = 0  # the setting the line was computed under


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
            "pk",
            "item_id",
            "target_officer_id",
            "priority_weight",
            "queue_at",
            "seq",
            "number",
            "updated_at",
        )
        .order_by()
    )
    medians, windows = estimate_inputs(center_id=center_id, now=now) if rows else ({}, 1)
    fallback = statistics.median(medians.values()) if medians else DEFAULT_SERVICE_MINUTES

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
    return _Line(
        spots=spots,
        valid_until=valid_until,
        numbers={row[0]: row[6] for row in rows},
        revisions={row[0]: int(row[7].timestamp() * 1_000_000) for row in rows},
        near_position=settings.near_position,
    )


# The lines this process read last, by their versioned key: a key names one immutable line (a
# change of the center bumps the version, so a changed line has another key), so a position read
# skips unpickling the whole line from the cache when this process already holds it.
_LINES_HERE: KeptHere[_Line] = KeptHere(max_entries=256)


def _line_key(center_id: int, day: date, now: datetime) -> str:
    minute = int(now.timestamp()) // 60  # the service-time medians move per minute
    # "line2": the line's shape with revisions (a server started on a new release never
    # unpickles a line an older one cached)
    return f"hall:line2:{center_id}:{_center_version(center_id)}:{day.isoformat()}:{minute}"


def _line_cached(key: str, now: datetime) -> _Line | None:
    """The line kept under `key` (by this process, else in the cache) if still valid at `now`."""
    line = _LINES_HERE.get(key)
    return line if line is not None and now < line.valid_until else None


def _line(
    *,
    center_id: int,
    day: date,
    now: datetime,
    settings: HallSettings | None = None,
) -> _Line:
    """The center's line as of now: cached, else computed and kept."""
    key = _line_key(center_id, day, now)
    line = _line_cached(key, now)
    if line is not None:
        return line
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
    line = _line(center_id=center_id, day=day, now=now, settings=settings)
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

    A ticket waiting in its center's line is answered from the line alone — its number, people
    ahead and estimate are all there, and the line's key changes with every change of the
    center — without reading its row; the line is computed once per change and minute for every
    reader. Any other ticket (called, finished, another day), or one whose center this process
    does not know yet, is read from its row, which also remembers the ticket's center (it never
    changes) for the next read."""
    tid = str(ticket_id)[:24]
    line = _waiting_in_line(tid)
    if line is not None:
        ahead, estimate = line.spots[tid]
        return _public_answer(tid, line.numbers[tid], TicketStatus.WAITING, ahead, estimate)
    ticket = ticket_public_get(ticket_id=tid)
    if ticket is None:
        return None
    _ticket_center_remember(tid, ticket.center_id)
    return ticket_state(ticket)


def _waiting_in_line(ticket_id: str) -> _Line | None:
    """Its center's line (cached, else computed once for every reader of this version and
    minute) when the ticket waits in it; None when the ticket's center is not known here yet
    or the ticket does not wait today."""
    center_id = _ticket_center(ticket_id)
    if center_id is None:
        return None
    now = clock.now()
    line = _line(center_id=center_id, day=clock.local(now).date(), now=now)
    return line if ticket_id in line.spots else None


@dataclass(frozen=True)
class WaitingSpot:
    """A ticket waiting in its center's line: its place, and what names the rest of what is
    shown of it (`revision` moves with any change of its row: a transfer, a phone)."""

    ahead: int
    minutes: int
    revision: int
    near_position: int


def ticket_waiting_spot(*, ticket_id: str) -> WaitingSpot | None:
    """The ticket's place from its center's line (its row is not read; the line is computed
    once per change and minute for every reader), or None when it is not waiting today or this
    process does not know its center yet."""
    tid = str(ticket_id)[:24]
    line = _waiting_in_line(tid)
    if line is None:
        return None
    ahead, minutes = line.spots[tid]
    return WaitingSpot(ahead, minutes, line.revisions[tid], line.near_position)


def ticket_state(
    ticket: Ticket, *, now: datetime | None = None, shared_line: bool = True
) -> dict[str, Any]:
    """The public shape of a ticket (API and live position page).

    Reads (`shared_line`, the default) take the center's cached line and compute it when it is
    missing; a write's own answer (the ticket just issued, which has changed the line) asks
    one grouped query instead of recomputing the whole line for nobody else yet, and does not
    look for the line first: its change has just moved the line's version, so nobody has made
    that line yet (two round trips to the cache saved on every issue)."""
    now = now or clock.now()
    ahead: int | None = None
    estimate: int | None = None
    if ticket.status == TicketStatus.WAITING and ticket.service_day == clock.local(now).date():
        settings = hall_settings_get(center_id=ticket.center_id)  # only a waiting ticket's
        spot = None
        if shared_line:
            line = _line(
                center_id=ticket.center_id, day=ticket.service_day, now=now, settings=settings
            )
            spot = line.spots.get(ticket.pk)
        if spot is None:  # a write's answer, or a ticket committed after the line was made
            ahead, estimate = ahead_and_estimate(ticket, now=now, settings=settings)
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
