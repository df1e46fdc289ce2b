"""What every hall write shares: the queued transaction, the locked look-ups and THE writer.

`change_record` is the only place that writes a `TicketEvent`, its audit entry and the push to
the calling display; every service below goes through it, so an event can never be recorded
without its audit entry (or the reverse), and the display hears about every change after commit.

Concurrency (the calling rule must never hand one ticket to two officers):

* PostgreSQL: the best candidate is locked with ``SELECT … FOR UPDATE SKIP LOCKED`` in the
  rule's order, so twenty officers pressing at once each lock a different row without waiting;
  the status change is still a conditional UPDATE (``WHERE status='waiting'``).
* SQLite: every transaction starts with ``BEGIN IMMEDIATE`` (settings), so writers are
  serialized; the same conditional UPDATE with a rowcount check guards the change.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from bianmin.accounts.selectors import staff_list
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.compiled import CompiledQuery, Slot
from bianmin.core.errors import Conflict, NotFound, PermissionDenied
from bianmin.core.permissions import Perm, has_perm
from bianmin.hall import live, pipeline, voice
from bianmin.hall.enums import EventKind, TicketStatus
from bianmin.hall.errors import HallError
from bianmin.hall.models import Ticket, TicketEvent, Window, WindowSession
from bianmin.hall.selectors import announcement_text, hall_changed, with_item_codes

# SQLite has one writer at a time. Waiting writers poll with growing sleeps (up to 100 ms), so
# under a burst the lock sits idle while everyone sleeps, and an unlucky thread can starve past
# the busy timeout. Queueing this process's hall writers on a lock first keeps them in order.
_SQLITE_WRITER = threading.RLock()


@contextmanager
def sqlite_writer() -> Iterator[None]:
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with _SQLITE_WRITER:
            yield
    else:
        yield


def atomic_write[**P, R](func: Callable[P, R]) -> Callable[P, R]:
    """`transaction.atomic`, queued behind this process's other hall writers on SQLite."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with sqlite_writer(), transaction.atomic():
            return func(*args, **kwargs)

    return wrapper


# --- the one writer ---------------------------------------------------------------------------


def change_record(
    kind: EventKind,
    *,
    actor: StaffActor | None,
    at: datetime,
    center_id: int,
    after: dict[str, Any],
    ticket: Ticket | None = None,
    window: Window | None = None,
    item_id: int | None = None,
    wait_seconds: int | None = None,
    service_seconds: int | None = None,
    along: Sequence[Model] = (),
    **data: Any,
) -> TicketEvent:
    """One step of the hall: the event (the KPIs' source), its audit entry in the same
    transaction, and the display push after commit (as the pipeline says for this kind).

    `along`: the step's new rows not yet written (an issue's items), inserted with the event
    and its entry — one statement on PostgreSQL, after the audit chain's head is locked
    (`audit_record(along=…)`). Not a ticket: its writes move the waiting tally, whose rows
    every hall write locks before the head."""
    event = TicketEvent(
        center_id=center_id,
        ticket=ticket,
        kind=kind,
        at=at,
        officer_id=actor.pk if actor is not None else None,
        window=window,
        item_id=item_id
        if item_id is not None
        else (ticket.item_id if ticket is not None else None),
        wait_seconds=wait_seconds,
        service_seconds=service_seconds,
        data=data,
    )
    hall_changed(center_id=center_id)  # positions and estimates are recomputed on next read
    audit_record(
        actor=actor,
        action=pipeline.audit_action_for(kind),
        target=ticket if ticket is not None else window,
        center_id=center_id,
        after=after,
        along=[*along, event],  # the event is append-only: written with its entry
    )
    push = pipeline.push_kind(kind)
    if push == "call" and ticket is not None and window is not None:
        live.push_on_commit(
            center_id, call_payload(ticket, window, recall=kind == EventKind.RECALL, at=at)
        )
    elif push == "window":
        live.push_on_commit(
            center_id, {"type": "window", "window_code": window.code if window else ""}
        )
    return event


def call_payload(ticket: Ticket, window: Window, *, recall: bool, at: datetime) -> dict[str, Any]:
    audio = ""
    if voice.espeak_path() and voice.is_valid(ticket.number, window.number):
        audio = reverse("hall:voice", kwargs={"number": ticket.number, "window": window.number})
    return {
        "type": "call",
        "recall": recall,
        "number": ticket.number,
        "window_code": window.code,
        "window_name": window.name,
        "window_number": window.number,
        "text": announcement_text(number=ticket.number, window_number=window.number),
        "audio_url": audio,
        "at": clock.local(at).strftime("%H:%M"),  # as in the display's list
    }


# --- shared look-ups and guards ---------------------------------------------------------------


def seconds_between(later: datetime, earlier: datetime | None) -> int | None:
    if earlier is None:
        return None
    return max(0, int((later - earlier).total_seconds()))


def require(actor: StaffActor, perm: Perm) -> None:
    if not has_perm(actor, perm):
        raise PermissionDenied(_("您没有执行此操作的权限"))


def held_by(center_id: Any, officer_id: Any, day: Any) -> QuerySet[Ticket]:
    """The tickets an officer has called on `day` and not finished: one at most (the call
    refuses a second). Its arguments may be a compiled query's slots."""
    return Ticket.objects.filter(
        center_id=center_id, officer_id=officer_id, status=TicketStatus.CALLED, service_day=day
    ).order_by()


_HELD = CompiledQuery(
    lambda center_id, officer_id, day: held_by(center_id, officer_id, day)[:1],
    center_id=Slot.INT,
    officer_id=Slot.INT,
    day=Slot.DATE,
)


def holding(actor: StaffActor, now: datetime) -> Ticket | None:
    """The ticket this officer has called today and not finished (yesterday's leftovers never
    block a window)."""
    held: Ticket | None = _HELD.first(
        center_id=home_center_id(actor), officer_id=actor.pk, day=clock.local(now).date()
    )
    return held


_FOR_UPDATE = CompiledQuery(
    lambda ticket_id, center_id: with_item_codes(
        Ticket.objects.select_for_update(of=("self",))
        .select_related("window")
        .filter(pk=ticket_id, center_id=center_id)
    ),
    ticket_id=Slot.TEXT,
    center_id=Slot.INT,
)


def ticket_for_update(ticket_id: str, *, actor: StaffActor) -> Ticket:
    """The ticket, locked (PostgreSQL row lock; SQLite is serialized already), in the
    actor's center, with its items read in the same statement (`with_item_codes`: the step's
    event and answer show them); unknown and foreign tickets look the same."""
    ticket: Ticket | None = _FOR_UPDATE.first(
        ticket_id=str(ticket_id)[:24], center_id=home_center_id(actor)
    )
    if ticket is None:
        raise NotFound(_("没有找到这张号票"), code=HallError.UNKNOWN_TICKET)
    return ticket


def ticket_step(
    ticket: Ticket, step: pipeline.Step, *, actor: StaffActor, now: datetime
) -> pipeline.Transition:
    """Ask the pipeline whether `actor` may take `step` on `ticket` now."""
    return pipeline.advance(
        step,
        number=ticket.number,
        status=ticket.status,
        holder_id=ticket.officer_id,
        actor_id=actor.pk,
        service_day=ticket.service_day,
        today=clock.local(now).date(),
    )


def ticket_begin(
    actor: StaffActor, ticket_id: str, step: pipeline.Step, *, perm: Perm = Perm.TICKET_CALL
) -> tuple[Ticket, pipeline.Transition, datetime]:
    """The start of every step on one ticket: the right, the locked ticket of the actor's
    center, the pipeline's verdict, and the moment."""
    require(actor, perm)
    now = clock.now()
    ticket = ticket_for_update(ticket_id, actor=actor)
    return ticket, ticket_step(ticket, step, actor=actor, now=now), now


_OPEN_SESSION = CompiledQuery(
    lambda officer_id, center_id: (
        WindowSession.objects.select_for_update(of=("self",))
        .select_related("window")
        .filter(officer_id=officer_id, center_id=center_id, ended_at__isnull=True)
    ),
    officer_id=Slot.INT,
    center_id=Slot.INT,
)


def open_session_locked(actor: StaffActor) -> WindowSession | None:
    """The officer's open window session, locked for this transaction (one at most: a
    constraint)."""
    session: WindowSession | None = _OPEN_SESSION.first(
        officer_id=actor.pk, center_id=home_center_id(actor)
    )
    return session


def session_at(actor: StaffActor, window_code: str) -> WindowSession:
    session = open_session_locked(actor)
    code = (window_code or "").strip().upper()
    if session is None or session.window.code != code:
        window_get(actor, code)  # a code of another center: not found, not "not signed in"
        raise Conflict(_("您没有在 %s 窗口签到，请先签到") % code, code=HallError.NOT_SIGNED_IN)
    return session


def window_get(actor: StaffActor, window_code: str) -> Window:
    """An active window of the actor's own center by its code (codes repeat across centers)."""
    code = (window_code or "").strip().upper()
    window = Window.objects.filter(
        center_id=home_center_id(actor), code=code, is_active=True
    ).first()
    if window is None:
        raise NotFound(_("本中心没有 %s 窗口") % code, code=HallError.UNKNOWN_WINDOW)
    return window


def check_window(
    session: WindowSession | None, window_code: str | None, *, actor: StaffActor
) -> WindowSession:
    code = window_code.strip().upper() if window_code is not None else None
    if code is not None and (session is None or session.window.code != code):
        window_get(actor, code)  # a code of another center: not found, not "not here"
    if session is None:
        raise Conflict(_("您当前没有签到"), code=HallError.NOT_SIGNED_IN)
    if window_code is not None and session.window.code != window_code.strip().upper():
        raise Conflict(
            _("您没有在 %s 窗口签到") % window_code.strip().upper(),
            code=HallError.NOT_SIGNED_IN,
        )
    return session


def colleague(actor: StaffActor, officer_id: int) -> Any:
    target = staff_list(user=actor).filter(pk=officer_id).first()
    if target is None or not has_perm(target, Perm.TICKET_CALL):
        raise NotFound(_("本中心没有这位窗口民警"), code=HallError.UNKNOWN_OFFICER)
    return target
