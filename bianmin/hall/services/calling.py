"""The window's work on a ticket: call next, recall, no-show ladder, finish, transfer, park
and unpark. Each step is allowed by `hall.pipeline` and recorded by `change_record`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists
from django.utils.translation import gettext as _

from bianmin.accounts.selectors import staff_item_ids, staff_may_serve
from bianmin.catalogue.selectors import item_get
from bianmin.core import clock
from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.compiled import CompiledUpdate, Slot
from bianmin.core.errors import Conflict, DomainError
from bianmin.core.events import publish
from bianmin.core.permissions import Perm
from bianmin.hall import pipeline
from bianmin.hall.enums import EventKind, TicketStatus
from bianmin.hall.errors import HallError
from bianmin.hall.events import TicketFinished
from bianmin.hall.models import HallSettings, Ticket, TicketItem
from bianmin.hall.selectors import (
    hall_settings_get,
    pool_head,
    pool_ordered,
    ticket_item_codes,
)
from bianmin.hall.services._common import (
    atomic_write,
    change_record,
    colleague,
    held_by,
    holding,
    require,
    seconds_between,
    session_at,
    sqlite_writer,
    ticket_begin,
    ticket_step,
)
from bianmin.hall.services.near import ticket_notify_near_soon

Step = pipeline.Step


# The call's claim: the candidate becomes this officer's, unless another call took it first
# or the officer holds a ticket already — checked in the same statement, whose snapshot is
# taken after the officer's window session was locked (so after any other call of theirs).
_CLAIM = CompiledUpdate(
    lambda ticket_id, officer_id, window_id, now, center_id, day: (
        Ticket.objects.filter(pk=ticket_id, status=TicketStatus.WAITING).exclude(
            Exists(held_by(center_id, officer_id, day))
        ),
        {
            "status": TicketStatus.CALLED,
            "officer_id": officer_id,
            "window_id": window_id,
            "called_at": now,
            "recall_count": 0,
            "target_officer_id": None,
            "updated_at": now,
        },
    ),
    ticket_id=Slot.TEXT,
    officer_id=Slot.INT,
    window_id=Slot.INT,
    now=Slot.DATETIME,
    center_id=Slot.INT,
    day=Slot.DATE,
)


def _refuse_if_holding(actor: StaffActor, now: datetime) -> None:
    current = holding(actor, now)
    if current is not None:
        raise Conflict(
            _("请先办结当前号 %s，再叫下一号") % current.number,
            code=HallError.CURRENT_TICKET,
            ticket_id=current.pk,
        )


def _claim_next(actor: StaffActor, session: Any, now: datetime) -> Ticket | None:
    """The pool's head becomes this officer's. An officer who holds a called ticket is refused
    (`_CLAIM` checks it; the ticket is read only to say which). The caller holds the officer's
    window session locked, and every step that makes a ticket the officer's takes that lock:
    once read, "holds nothing" stays true for this call, and a claim lost after it was lost to
    a colleague (no second read per lost race)."""
    center_id = home_center_id(actor)
    settings = hall_settings_get(center_id=center_id)
    item_ids = staff_item_ids(staff=actor)
    day = clock.local(now).date()
    holds_nothing = False
    for _attempt in range(20):
        candidate = pool_head(
            center_id=center_id,
            now=now,
            settings=settings,
            officer_id=actor.pk,
            item_ids=item_ids,
        )
        if candidate is None:
            if not holds_nothing:
                _refuse_if_holding(actor, now)
            return None
        ticket_step(candidate, Step.CALL, actor=actor, now=now)
        claimed = _CLAIM.run(
            ticket_id=candidate.pk,
            officer_id=actor.pk,
            window_id=session.window_id,
            now=now,
            center_id=center_id,
            day=day,
        )
        if claimed == 0:  # another call took it first, or this officer holds a ticket
            if not holds_nothing:
                _refuse_if_holding(actor, now)
                holds_nothing = True
            continue
        candidate.status = TicketStatus.CALLED
        candidate.officer_id = actor.pk
        candidate.window = session.window
        candidate.called_at = now
        candidate.recall_count = 0
        candidate.target_officer_id = None
        return candidate
    return None


def _record_call(ticket: Ticket, *, actor: StaffActor, now: datetime, **data: Any) -> None:
    assert ticket.window is not None
    change_record(
        EventKind.CALL,
        actor=actor,
        at=now,
        center_id=ticket.center_id,
        ticket=ticket,
        window=ticket.window,
        wait_seconds=seconds_between(now, ticket.arrived_at),
        after={"number": ticket.number, "window": ticket.window.code, **data},
        **data,
    )


def ticket_call_next(*, actor: StaffActor, window_code: str) -> Ticket | None:
    """叫号: the best waiting ticket this officer may serve, or None when nobody waits."""
    require(actor, Perm.TICKET_CALL)
    with sqlite_writer(), transaction.atomic():
        now = clock.now()
        session = session_at(actor, window_code)
        if session.is_paused:
            raise Conflict(_("窗口暂停中，请先恢复服务"), code=HallError.WINDOW_PAUSED)
        ticket = _claim_next(actor, session, now)
        if ticket is None:
            return None
        _record_call(ticket, actor=actor, now=now, requeued=ticket.requeue_count)
        center_id = ticket.center_id
        # robust: a failing hand-off is logged and never turns a made call into an error
        transaction.on_commit(lambda: ticket_notify_near_soon(center_id=center_id), robust=True)
    return ticket


def _change(
    ticket: Ticket,
    kind: EventKind,
    *,
    actor: StaffActor,
    at: datetime,
    window: Any,
    after: dict[str, Any],
    **fields: Any,
) -> None:
    change_record(
        kind,
        actor=actor,
        at=at,
        center_id=ticket.center_id,
        ticket=ticket,
        window=window,
        after={"number": ticket.number, **after},
        **fields,
    )


@atomic_write
def ticket_recall(*, actor: StaffActor, ticket_id: str) -> Ticket:
    """重呼: announce the called ticket again (at most `recall_limit` times)."""
    ticket, rule, now = ticket_begin(actor, ticket_id, Step.RECALL)
    settings = hall_settings_get(center_id=ticket.center_id)
    pipeline.check_recall(recall_count=ticket.recall_count, recall_limit=settings.recall_limit)
    ticket.recall_count += 1
    ticket.save(update_fields=["recall_count", "updated_at"])
    _change(
        ticket,
        rule.kind,
        actor=actor,
        at=now,
        window=ticket.window,
        count=ticket.recall_count,
        after={"event": "recall", "count": ticket.recall_count},
    )
    return ticket


def _requeue_position(
    ticket: Ticket, *, settings: HallSettings, now: datetime
) -> tuple[datetime, int]:
    """Where a ticket goes when moved back K places: just behind the K-th waiting ticket."""
    places = settings.requeue_places
    line = list(
        pool_ordered(center_id=ticket.center_id, now=now, settings=settings)
        .filter(target_officer__isnull=True)
        .exclude(pk=ticket.pk)
        .values_list("queue_at", "priority_weight")[: max(places, 1)]
    )
    if not line or places == 0:
        return ticket.queue_at, ticket.priority_weight
    queue_at, weight = line[-1]
    return queue_at + timedelta(microseconds=1), min(weight, ticket.priority_weight)


@atomic_write
def ticket_no_show(*, actor: StaffActor, ticket_id: str) -> Ticket:
    """未到: after R recalls, move back K places (up to Q times), then 过号 (no_show)."""
    ticket, _rule, now = ticket_begin(actor, ticket_id, Step.NO_SHOW)
    settings = hall_settings_get(center_id=ticket.center_id)
    step = pipeline.no_show_step(
        recall_count=ticket.recall_count,
        recall_limit=settings.recall_limit,
        requeue_count=ticket.requeue_count,
        requeue_limit=settings.requeue_limit,
    )
    rule = pipeline.TRANSITIONS[step]
    window = ticket.window
    data: dict[str, Any] = {}
    if step == Step.REQUEUE:
        ticket.queue_at, ticket.priority_weight = _requeue_position(
            ticket, settings=settings, now=now
        )
        ticket.requeue_count += 1
        ticket.officer = None
        ticket.window = None
        ticket.recall_count = 0
        data = {"places": settings.requeue_places}
    else:
        ticket.finished_at = now
    ticket.status = rule.target
    ticket.save()
    _change(
        ticket,
        rule.kind,
        actor=actor,
        at=now,
        window=window,
        after={"event": str(rule.kind)},
        **data,
    )
    return ticket


_LEAVE = CompiledUpdate(
    lambda ticket_id, status, now, finished_at: (
        Ticket.objects.filter(pk=ticket_id),
        {"status": status, "updated_at": now, "finished_at": finished_at},
    ),
    ticket_id=Slot.TEXT,
    status=Slot.TEXT,
    now=Slot.DATETIME,
    finished_at=Slot.DATETIME,
)


def _leave_window(actor: StaffActor, ticket_id: str, step: pipeline.Step) -> Ticket:
    """The visit at the window ends (办结) or pauses (暂挂): the service time is recorded."""
    ticket, rule, now = ticket_begin(actor, ticket_id, step)  # the ticket's row is locked
    ticket.status = rule.target
    ticket.updated_at = now
    if step == Step.FINISH:
        ticket.finished_at = now
    # a park writes the finish time the ticket has (none): one statement for both steps
    _LEAVE.run(ticket_id=ticket.pk, status=ticket.status, now=now, finished_at=ticket.finished_at)
    _change(
        ticket,
        rule.kind,
        actor=actor,
        at=now,
        window=ticket.window,
        service_seconds=seconds_between(now, ticket.called_at),
        after={"event": str(step)},
    )
    return ticket


@atomic_write
def ticket_finish(*, actor: StaffActor, ticket_id: str) -> Ticket:
    """办结: the officer is done with this visit; records the service time."""
    ticket = _leave_window(actor, ticket_id, Step.FINISH)
    publish(
        TicketFinished(
            center_id=ticket.center_id,
            ticket_id=ticket.pk,
            number=ticket.number,
            officer_id=actor.pk,
            window_code=ticket.window.code if ticket.window else "",
            item_codes=tuple(ticket_item_codes(ticket)[1]) or (ticket.item.code,),
            finished_at=ticket.finished_at or clock.now(),
            has_phone=ticket.has_phone,
        )
    )
    return ticket


@atomic_write
def ticket_park(*, actor: StaffActor, ticket_id: str) -> Ticket:
    """暂挂: the citizen fetches a document; the officer goes on calling. Kept with its
    original arrival time in the officer's parked list."""
    return _leave_window(actor, ticket_id, Step.PARK)


@atomic_write
def ticket_transfer(
    *,
    actor: StaffActor,
    ticket_id: str,
    item_code: str | None = None,
    officer_id: int | None = None,
) -> Ticket:
    """转移: to another item and/or to a named officer. The ticket goes back to the pool with
    its ORIGINAL arrival time, so the citizen does not queue twice."""
    ticket, rule, now = ticket_begin(actor, ticket_id, Step.TRANSFER)
    if not item_code and not officer_id:
        raise DomainError(_("请选择转给哪个事项或哪位民警"), code=HallError.TRANSFER_TARGET_MISSING)
    from_item = ticket.item_id
    item = item_get(code=item_code) if item_code else None
    if item is not None:
        ticket.item_id = item.pk
        TicketItem.objects.get_or_create(
            ticket=ticket, item_id=item.pk, defaults={"position": ticket.items.count()}
        )
    target = None
    if officer_id:
        target = colleague(actor, officer_id)
        if target.pk == actor.pk:
            raise DomainError(_("不能转给自己"), code=HallError.TRANSFER_TO_SELF)
        if not staff_may_serve(staff=target, item_id=ticket.item_id):
            raise DomainError(
                _("%s 没有办理该事项的授权") % target, code=HallError.TRANSFER_NOT_AUTHORIZED
            )
    window = ticket.window
    duration = seconds_between(now, ticket.called_at)
    ticket.status = rule.target
    ticket.queue_at = ticket.arrived_at
    ticket.officer = None
    ticket.window = None
    ticket.recall_count = 0
    ticket.target_officer = target
    ticket.save()
    moved = {"to_item": item.code if item else None, "to_officer": target.pk if target else None}
    _change(
        ticket,
        rule.kind,
        actor=actor,
        at=now,
        window=window,
        item_id=from_item,
        service_seconds=duration,
        after={"event": "transfer", **moved},
        **moved,
    )
    return ticket


@atomic_write
def ticket_unpark(
    *, actor: StaffActor, ticket_id: str, window_code: str, to_queue: bool = False
) -> Ticket:
    """取回: the citizen is back. Called straight to the officer's window, or (to_queue)
    returned to the pool with the original arrival time, for this officer."""
    step = Step.UNPARK_QUEUE if to_queue else Step.UNPARK
    ticket, rule, now = ticket_begin(actor, ticket_id, step)
    if to_queue:
        ticket.status = rule.target
        ticket.queue_at = ticket.arrived_at
        ticket.target_officer_id = actor.pk
        ticket.officer = None
        ticket.window = None
        ticket.save()
        _change(
            ticket,
            rule.kind,
            actor=actor,
            at=now,
            window=None,
            to_queue=True,
            after={"event": "unpark", "to_queue": True},
        )
        return ticket
    session = session_at(actor, window_code)
    if holding(actor, now) is not None:
        raise Conflict(_("请先办结当前号，再取回暂挂号"), code=HallError.CURRENT_TICKET)
    ticket.status = rule.target
    ticket.window = session.window
    ticket.called_at = now
    ticket.recall_count = 0
    ticket.save()
    _change(
        ticket,
        rule.kind,
        actor=actor,
        at=now,
        window=session.window,
        to_queue=False,
        after={"event": "unpark", "to_queue": False},
    )
    _record_call(ticket, actor=actor, now=now, unparked=True)
    return ticket
