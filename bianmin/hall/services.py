"""Every write of the hall: issuing, calling, the ticket's life, window sessions, demo history.

Each service runs in one transaction, records an append-only `TicketEvent` and an audit entry
in it, and pushes to the calling display only after commit.

Concurrency (the calling rule must never hand one ticket to two officers):

* PostgreSQL: the best candidate is locked with ``SELECT … FOR UPDATE SKIP LOCKED`` in the
  rule's order, so twenty officers pressing at once each lock a different row without waiting;
  the status change is still a conditional UPDATE (``WHERE status='waiting'``).
* SQLite: every transaction starts with ``BEGIN IMMEDIATE`` (settings), so writers are
  serialized; the same conditional UPDATE with a rowcount check guards the change.

Numbers come from a per-center-per-day-per-prefix counter row incremented with
``UPDATE … SET last = last + 1`` (a row lock on PostgreSQL, the write lock on SQLite).
"""

from __future__ import annotations

import functools
import importlib
import logging
import random
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from bianmin.accounts.selectors import staff_item_ids, staff_list, staff_may_serve
from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.catalogue.enums import CATEGORY_PREFIX, Category
from bianmin.catalogue.selectors import item_get, item_list
from bianmin.core import clock
from bianmin.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from bianmin.core.permissions import Perm, has_perm
from bianmin.core.workdays import is_workday
from bianmin.hall import live, voice
from bianmin.hall.enums import EventKind, HallErrorCode, IssueChannel, Priority, TicketStatus
from bianmin.hall.models import (
    HallSettings,
    Ticket,
    TicketCounter,
    TicketEvent,
    TicketItem,
    Window,
    WindowSession,
)
from bianmin.hall.selectors import (
    announcement_text,
    hall_settings_get,
    pool_ordered,
)
from bianmin.people.idnumber import age_on, check_id_number

log = logging.getLogger(__name__)

MAX_ITEMS_PER_TICKET = 5
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


# --- helpers -------------------------------------------------------------------------------

# SQLite has one writer at a time. Waiting writers poll with growing sleeps (up to 100 ms), so
# under a burst the lock sits idle while everyone sleeps, and an unlucky thread can starve past
# the busy timeout. Queueing this process's hall writers on a lock first keeps them in order.
_SQLITE_WRITER = threading.RLock()


@contextmanager
def _sqlite_writer() -> Iterator[None]:
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with _SQLITE_WRITER:
            yield
    else:
        yield


def atomic_write[**P, R](func: Callable[P, R]) -> Callable[P, R]:
    """`transaction.atomic`, queued behind this process's other hall writers on SQLite."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with _sqlite_writer(), transaction.atomic():
            return func(*args, **kwargs)

    return wrapper


def _as_time(value: Any) -> time:
    if isinstance(value, str):
        hours, minutes = value.split(":")[:2]
        return time(int(hours), int(minutes))
    return value


def center_is_open(center: Any, *, settings: HallSettings, now: datetime) -> bool:
    if settings.is_closed or not getattr(center, "is_active", True):
        return False
    local = clock.local(now).time()
    return _as_time(center.opens_at) <= local < _as_time(center.closes_at)


def _closed_message(center: Any, settings: HallSettings) -> str:
    if settings.is_closed:
        return settings.closed_notice or _("大厅暂停取号，请咨询导办台工作人员")
    return _("现在不是取号时间。本中心取号时间为 %(opens)s–%(closes)s") % {
        "opens": _as_time(center.opens_at).strftime("%H:%M"),
        "closes": _as_time(center.closes_at).strftime("%H:%M"),
    }


def _event(
    ticket: Ticket | None,
    kind: EventKind,
    *,
    at: datetime,
    center_id: int,
    officer: Any = None,
    window: Window | None = None,
    item_id: int | None = None,
    wait_seconds: int | None = None,
    service_seconds: int | None = None,
    **data: Any,
) -> TicketEvent:
    event = TicketEvent(
        center_id=center_id,
        ticket=ticket,
        kind=kind,
        at=at,
        officer=officer if officer is not None and getattr(officer, "pk", None) else None,
        window=window,
        item_id=item_id
        if item_id is not None
        else (ticket.item_id if ticket is not None else None),
        wait_seconds=wait_seconds,
        service_seconds=service_seconds,
        data=data,
    )
    event.save()
    return event


def _seconds(later: datetime, earlier: datetime | None) -> int | None:
    if earlier is None:
        return None
    return max(0, int((later - earlier).total_seconds()))


def _next_seq(*, center_id: int, day: date, prefix: str) -> int:
    """The next number of this prefix today: an atomic increment of the counter row."""
    rows = TicketCounter.objects.filter(center_id=center_id, service_day=day, prefix=prefix)
    if not rows.update(last=F("last") + 1):
        try:
            with transaction.atomic():
                TicketCounter.objects.create(
                    center_id=center_id, service_day=day, prefix=prefix, last=1
                )
            return 1
        except IntegrityError:  # another transaction created it first; it has committed
            rows.update(last=F("last") + 1)
    return rows.values_list("last", flat=True).get()


def _holding(actor: Any, now: datetime) -> Ticket | None:
    """The ticket this officer has called today and not finished (yesterday's leftovers never
    block a window)."""
    return Ticket.objects.filter(
        officer_id=actor.pk, status=TicketStatus.CALLED, service_day=clock.local(now).date()
    ).first()


def _require(actor: Any, perm: Perm) -> None:
    if not has_perm(actor, perm):
        raise PermissionDenied(_("您没有执行此操作的权限"))


def _ticket_for_update(ticket_id: str, *, actor: Any) -> Ticket:
    """The ticket, locked (PostgreSQL row lock; SQLite is serialized already), in the
    actor's center; unknown and foreign tickets look the same."""
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("window")
        .filter(pk=str(ticket_id)[:24], center_id=actor.center_id)
        .first()
    )
    if ticket is None:
        raise NotFound(_("没有找到这张号票"), code=HallErrorCode.UNKNOWN_TICKET)
    return ticket


def _check_today(ticket: Ticket, now: datetime) -> None:
    if ticket.service_day != clock.local(now).date():
        raise Conflict(
            _("号票 %(number)s 是 %(day)s 取的，已过期，请重新取号")
            % {"number": ticket.number, "day": ticket.service_day.strftime("%m月%d日")},
            code=HallErrorCode.EXPIRED,
        )


def _check_holder(ticket: Ticket, actor: Any, *, status: str = TicketStatus.CALLED) -> None:
    """Only the officer who called a ticket acts on it, and only in the expected state."""
    if ticket.officer_id != actor.pk:
        raise PermissionDenied(
            _("号票 %s 不是您叫的号") % ticket.number, code=HallErrorCode.NOT_YOUR_TICKET
        )
    if ticket.status != status:
        raise Conflict(
            _("号票 %(number)s 当前状态为“%(status)s”，不能执行此操作")
            % {"number": ticket.number, "status": TicketStatus(ticket.status).label},
            code=HallErrorCode.WRONG_STATUS,
        )


def _session_at(actor: Any, window_code: str, *, for_update: bool = True) -> WindowSession:
    qs = WindowSession.objects.select_related("window").filter(
        officer_id=actor.pk, ended_at__isnull=True
    )
    if for_update:
        qs = qs.select_for_update(of=("self",))
    session = qs.first()
    code = (window_code or "").strip().upper()
    if session is None or session.window.code != code:
        raise Conflict(_("您没有在 %s 窗口签到，请先签到") % code, code=HallErrorCode.NOT_SIGNED_IN)
    return session


def _open_session_locked(actor: Any) -> WindowSession | None:
    """The officer's open window session, locked for this transaction."""
    return (
        WindowSession.objects.select_for_update(of=("self",))
        .select_related("window")
        .filter(officer_id=actor.pk, ended_at__isnull=True)
        .first()
    )


def _ticket_changed(
    ticket: Ticket,
    kind: EventKind,
    *,
    actor: Any,
    at: datetime,
    after: dict[str, Any],
    window: Window | None = None,
    **event_fields: Any,
) -> None:
    """One step of a ticket's life: its event (the KPIs' source) and its audit entry, written
    together in the caller's transaction."""
    _event(
        ticket,
        kind,
        at=at,
        center_id=ticket.center_id,
        officer=actor,
        window=window,
        **event_fields,
    )
    audit_record(actor=actor, action=AuditAction.TICKET_CHANGED, target=ticket, after=after)


def _check_window(session: WindowSession | None, window_code: str | None) -> WindowSession:
    if session is None:
        raise Conflict(_("您当前没有签到"), code=HallErrorCode.NOT_SIGNED_IN)
    if window_code is not None and session.window.code != window_code.strip().upper():
        raise Conflict(
            _("您没有在 %s 窗口签到") % window_code.strip().upper(),
            code=HallErrorCode.NOT_SIGNED_IN,
        )
    return session


def _call_event(ticket: Ticket, window: Window, *, recall: bool, at: datetime) -> dict[str, Any]:
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
        "at": clock.local(at).strftime("%H:%M:%S"),
    }


def _window_event(window: Window | None) -> dict[str, Any]:
    return {"type": "window", "window_code": window.code if window else ""}


# --- issuing -------------------------------------------------------------------------------


def ticket_issue(
    *,
    actor: Any,
    center: Any,
    item_codes: Sequence[str],
    channel: IssueChannel,
    priority: str = Priority.NORMAL,
    id_number: str = "",
    phone: str = "",
    request_key: str | None = None,
) -> Ticket:
    """取号: a ticket for one or several items. `actor` is the guide (or None for the kiosk
    and phone pages). A repeated `request_key` (double click) returns the first ticket."""
    if actor is not None:
        _require(actor, Perm.TICKET_ISSUE)
        if actor.center_id != center.pk:
            raise PermissionDenied(_("只能为本中心取号"))
    key = (request_key or "").strip()[:64] or None
    try:
        return _ticket_issue(
            actor=actor,
            center=center,
            item_codes=item_codes,
            channel=channel,
            priority=priority,
            id_number=id_number,
            phone=phone,
            request_key=key,
        )
    except IntegrityError:
        # Only a concurrent double submit with the same key lands here (PostgreSQL).
        existing = Ticket.objects.filter(center_id=center.pk, request_key=key).first()
        if key is None or existing is None:
            raise
        return existing


@atomic_write
def _ticket_issue(
    *,
    actor: Any,
    center: Any,
    item_codes: Sequence[str],
    channel: IssueChannel,
    priority: str,
    id_number: str,
    phone: str,
    request_key: str | None,
) -> Ticket:
    now = clock.now()
    if request_key:
        existing = Ticket.objects.filter(center_id=center.pk, request_key=request_key).first()
        if existing is not None:
            return existing
    settings = hall_settings_get(center_id=center.pk)
    if not center_is_open(center, settings=settings, now=now):
        raise Conflict(_closed_message(center, settings), code=HallErrorCode.CENTER_CLOSED)
    codes = list(dict.fromkeys(c.strip().upper() for c in item_codes if c and c.strip()))
    if not codes:
        raise DomainError(_("请选择要办理的事项"), code=HallErrorCode.UNKNOWN_ITEM)
    if len(codes) > MAX_ITEMS_PER_TICKET:
        raise DomainError(_("一次最多选择 %d 个事项") % MAX_ITEMS_PER_TICKET, code="too_many_items")
    items = []
    for code in codes:
        item = item_get(code=code)
        if not item.is_active:
            raise DomainError(_("事项 %s 暂停办理") % code, code="item_inactive")
        items.append(item)
    try:
        priority = Priority(priority or Priority.NORMAL)
    except ValueError:
        raise DomainError(_("优先类别不正确"), code="invalid_priority") from None
    id_number = (id_number or "").strip().upper()
    if id_number:
        check = check_id_number(id_number, today=clock.local(now).date())
        if not check.valid:
            raise DomainError(
                _("身份证号码有误：%s") % check.error, code=HallErrorCode.INVALID_ID_NUMBER
            )
        if (
            priority == Priority.NORMAL
            and age_on(check.normalized, clock.local(now).date()) >= settings.elderly_age
        ):
            priority = Priority.ELDERLY
    phone = re.sub(r"[\s-]", "", phone or "")
    if phone and not PHONE_RE.match(phone):
        raise DomainError(_("手机号码应为 11 位数字"), code=HallErrorCode.INVALID_PHONE)

    day = clock.local(now).date()
    first = items[0]
    prefix = CATEGORY_PREFIX[Category(first.category)]
    seq = _next_seq(center_id=center.pk, day=day, prefix=prefix)
    ticket = Ticket.objects.create(
        center_id=center.pk,
        service_day=day,
        prefix=prefix,
        seq=seq,
        number=f"{prefix}{seq:03d}",
        item_id=first.pk,
        priority=priority,
        priority_weight=settings.weight_for(priority),
        channel=channel,
        arrived_at=now,
        queue_at=now,
        issued_by=actor if actor is not None else None,
        phone=phone or None,
        has_phone=bool(phone),
        request_key=request_key,
    )
    TicketItem.objects.bulk_create(
        TicketItem(ticket=ticket, item_id=item.pk, position=i) for i, item in enumerate(items)
    )
    _event(
        ticket,
        EventKind.ISSUE,
        at=now,
        center_id=center.pk,
        officer=actor,
        channel=str(channel),
        priority=str(priority),
        items=codes,
    )
    audit_record(
        actor=actor,
        action=AuditAction.TICKET_ISSUED,
        target=ticket,
        center_id=center.pk,
        after={
            "number": ticket.number,
            "items": codes,
            "channel": str(channel),
            "priority": str(priority),
        },
    )
    return ticket


@atomic_write
def ticket_set_phone(*, ticket_id: str, phone: str) -> Ticket:
    """The citizen asks for the "your turn is near" SMS from the live position page."""
    phone = re.sub(r"[\s-]", "", phone or "")
    if not PHONE_RE.match(phone):
        raise DomainError(_("手机号码应为 11 位数字"), code=HallErrorCode.INVALID_PHONE)
    ticket = Ticket.objects.select_for_update().filter(pk=str(ticket_id)[:24]).first()
    if ticket is None:
        raise NotFound(_("没有找到这张号票"), code=HallErrorCode.UNKNOWN_TICKET)
    _check_today(ticket, clock.now())
    if ticket.status != TicketStatus.WAITING:
        raise Conflict(_("号票已叫过，不再需要提醒"), code=HallErrorCode.WRONG_STATUS)
    ticket.phone = phone
    ticket.has_phone = True
    ticket.save(update_fields=["phone", "has_phone", "updated_at"])
    return ticket


# --- window sessions -------------------------------------------------------------------------


def _window_get(actor: Any, window_code: str) -> Window:
    code = (window_code or "").strip().upper()
    window = Window.objects.filter(center_id=actor.center_id, code=code, is_active=True).first()
    if window is None:
        raise NotFound(_("本中心没有 %s 窗口") % code, code=HallErrorCode.UNKNOWN_WINDOW)
    return window


def window_sign_in(*, actor: Any, window_code: str) -> WindowSession:
    """签到: the officer works at this window; a session elsewhere ends first."""
    _require(actor, Perm.TICKET_CALL)
    if actor.center_id is None:
        raise PermissionDenied(_("您的账户不属于任何中心"))
    try:
        return _window_sign_in(actor=actor, window_code=window_code)
    except IntegrityError:
        raise Conflict(
            _("%s 窗口刚刚有人签到，请选择其他窗口") % window_code, code=HallErrorCode.WINDOW_TAKEN
        ) from None


@atomic_write
def _window_sign_in(*, actor: Any, window_code: str) -> WindowSession:
    now = clock.now()
    window = _window_get(actor, window_code)
    current = _open_session_locked(actor)
    if current is not None and current.window_id == window.pk:
        return current
    holder = (
        WindowSession.objects.select_related("officer")
        .filter(window=window, ended_at__isnull=True)
        .first()
    )
    if holder is not None:
        raise Conflict(
            _("%(window)s 已有 %(officer)s 签到")
            % {"window": window.name, "officer": holder.officer},
            code=HallErrorCode.WINDOW_TAKEN,
        )
    if _holding(actor, now) is not None:
        raise Conflict(_("请先办结当前号，再换窗口"), code=HallErrorCode.CURRENT_TICKET)
    if current is not None:
        _end_session(current, actor=actor, now=now)
    session = WindowSession.objects.create(
        center_id=actor.center_id, window=window, officer=actor, started_at=now
    )
    _event(None, EventKind.SIGN_IN, at=now, center_id=actor.center_id, officer=actor, window=window)
    audit_record(
        actor=actor,
        action=AuditAction.WINDOW_SIGNED_IN,
        target=window,
        after={"window": window.code},
    )
    live.push_on_commit(actor.center_id, _window_event(window))
    return session


def _end_session(session: WindowSession, *, actor: Any, now: datetime) -> None:
    session.ended_at = now
    session.save(update_fields=["ended_at"])
    _event(
        None,
        EventKind.SIGN_OUT,
        at=now,
        center_id=session.center_id,
        officer=actor,
        window=session.window,
    )
    audit_record(
        actor=actor,
        action=AuditAction.WINDOW_SIGNED_OUT,
        target=session.window,
        after={"window": session.window.code},
    )
    live.push_on_commit(session.center_id, _window_event(session.window))


@atomic_write
def window_sign_out(*, actor: Any, window_code: str | None = None) -> None:
    """签退 (close the window)."""
    now = clock.now()
    session = _check_window(_open_session_locked(actor), window_code)
    if _holding(actor, now) is not None:
        raise Conflict(_("请先办结当前号，再签退"), code=HallErrorCode.CURRENT_TICKET)
    _end_session(session, actor=actor, now=now)


@atomic_write
def window_pause(*, actor: Any, window_code: str | None = None, reason: str = "") -> WindowSession:
    """暂停 (a break): the window stays signed in but call-next is refused."""
    now = clock.now()
    session = _check_window(_open_session_locked(actor), window_code)
    if session.is_paused:
        return session
    if _holding(actor, now) is not None:
        raise Conflict(_("请先办结当前号，再暂停"), code=HallErrorCode.CURRENT_TICKET)
    session.paused_at = now
    session.pause_reason = (reason or "")[:40]
    session.save(update_fields=["paused_at", "pause_reason"])
    _event(
        None,
        EventKind.PAUSE,
        at=now,
        center_id=session.center_id,
        officer=actor,
        window=session.window,
        reason=session.pause_reason,
    )
    audit_record(
        actor=actor,
        action=AuditAction.WINDOW_PAUSED,
        target=session.window,
        after={"window": session.window.code, "reason": session.pause_reason},
    )
    live.push_on_commit(session.center_id, _window_event(session.window))
    return session


@atomic_write
def window_resume(*, actor: Any, window_code: str | None = None) -> WindowSession:
    now = clock.now()
    session = _check_window(_open_session_locked(actor), window_code)
    if not session.is_paused:
        return session
    paused_seconds = _seconds(now, session.paused_at)
    session.paused_at = None
    session.pause_reason = ""
    session.save(update_fields=["paused_at", "pause_reason"])
    _event(
        None,
        EventKind.RESUME,
        at=now,
        center_id=session.center_id,
        officer=actor,
        window=session.window,
        paused_seconds=paused_seconds,
    )
    audit_record(
        actor=actor,
        action=AuditAction.WINDOW_RESUMED,
        target=session.window,
        after={"window": session.window.code},
    )
    live.push_on_commit(session.center_id, _window_event(session.window))
    return session


# --- calling -------------------------------------------------------------------------------


def ticket_call_next(*, actor: Any, window_code: str) -> Ticket | None:
    """叫号: the best waiting ticket this officer may serve, or None when nobody waits."""
    _require(actor, Perm.TICKET_CALL)
    with _sqlite_writer(), transaction.atomic():
        now = clock.now()
        session = _session_at(actor, window_code)
        if session.is_paused:
            raise Conflict(_("窗口暂停中，请先恢复服务"), code=HallErrorCode.WINDOW_PAUSED)
        current = _holding(actor, now)
        if current is not None:
            raise Conflict(
                _("请先办结当前号 %s，再叫下一号") % current.number,
                code=HallErrorCode.CURRENT_TICKET,
                ticket_id=current.pk,
            )
        settings = hall_settings_get(center_id=actor.center_id)
        item_ids = staff_item_ids(staff=actor)
        pool = pool_ordered(
            center_id=actor.center_id,
            now=now,
            settings=settings,
            officer_id=actor.pk,
            item_ids=item_ids,
        )
        ticket = None
        for _attempt in range(20):
            if connection.vendor == "postgresql":
                candidate = pool.select_for_update(skip_locked=True, of=("self",)).first()
            else:
                candidate = pool.first()
            if candidate is None:
                return None
            claimed = Ticket.objects.filter(pk=candidate.pk, status=TicketStatus.WAITING).update(
                status=TicketStatus.CALLED,
                officer_id=actor.pk,
                window_id=session.window_id,
                called_at=now,
                recall_count=0,
                target_officer=None,
                updated_at=now,
            )
            if claimed == 1:
                ticket = candidate
                break
        if ticket is None:
            return None
        ticket.status = TicketStatus.CALLED
        ticket.officer_id = actor.pk
        ticket.window = session.window
        ticket.called_at = now
        ticket.recall_count = 0
        ticket.target_officer_id = None
        _event(
            ticket,
            EventKind.CALL,
            at=now,
            center_id=ticket.center_id,
            officer=actor,
            window=session.window,
            wait_seconds=_seconds(now, ticket.arrived_at),
            requeued=ticket.requeue_count,
        )
        audit_record(
            actor=actor,
            action=AuditAction.TICKET_CALLED,
            target=ticket,
            after={"number": ticket.number, "window": session.window.code},
        )
        live.push_on_commit(
            ticket.center_id, _call_event(ticket, session.window, recall=False, at=now)
        )
        center_id = ticket.center_id
        transaction.on_commit(lambda: ticket_notify_near(center_id=center_id))
    return ticket


@atomic_write
def ticket_recall(*, actor: Any, ticket_id: str) -> Ticket:
    """重呼: announce the called ticket again (at most `recall_limit` times)."""
    _require(actor, Perm.TICKET_CALL)
    now = clock.now()
    ticket = _ticket_for_update(ticket_id, actor=actor)
    _check_today(ticket, now)
    _check_holder(ticket, actor)
    settings = hall_settings_get(center_id=ticket.center_id)
    if ticket.recall_count >= settings.recall_limit:
        raise Conflict(
            _("已重呼 %d 次，请标记未到") % ticket.recall_count, code=HallErrorCode.RECALL_LIMIT
        )
    ticket.recall_count += 1
    ticket.save(update_fields=["recall_count", "updated_at"])
    assert ticket.window is not None
    _ticket_changed(
        ticket,
        EventKind.RECALL,
        actor=actor,
        at=now,
        window=ticket.window,
        count=ticket.recall_count,
        after={"event": "recall", "count": ticket.recall_count},
    )
    live.push_on_commit(ticket.center_id, _call_event(ticket, ticket.window, recall=True, at=now))
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
def ticket_no_show(*, actor: Any, ticket_id: str) -> Ticket:
    """未到: after R recalls, move back K places (up to Q times), then 过号 (no_show)."""
    _require(actor, Perm.TICKET_CALL)
    now = clock.now()
    ticket = _ticket_for_update(ticket_id, actor=actor)
    _check_today(ticket, now)
    _check_holder(ticket, actor)
    settings = hall_settings_get(center_id=ticket.center_id)
    if ticket.recall_count < settings.recall_limit:
        raise Conflict(
            _("请先重呼（已重呼 %(done)d 次，需 %(need)d 次）")
            % {"done": ticket.recall_count, "need": settings.recall_limit},
            code=HallErrorCode.RECALLS_PENDING,
        )
    window = ticket.window
    if ticket.requeue_count < settings.requeue_limit:
        queue_at, weight = _requeue_position(ticket, settings=settings, now=now)
        ticket.status = TicketStatus.WAITING
        ticket.queue_at = queue_at
        ticket.priority_weight = weight
        ticket.requeue_count += 1
        ticket.officer = None
        ticket.window = None
        ticket.recall_count = 0
        kind = EventKind.REQUEUE
        data: dict[str, Any] = {"places": settings.requeue_places}
    else:
        ticket.status = TicketStatus.NO_SHOW
        ticket.finished_at = now
        kind = EventKind.NO_SHOW
        data = {}
    ticket.save()
    _ticket_changed(
        ticket,
        kind,
        actor=actor,
        at=now,
        window=window,
        after={"event": str(kind), "number": ticket.number},
        **data,
    )
    live.push_on_commit(ticket.center_id, _window_event(window))
    return ticket


@atomic_write
def ticket_finish(*, actor: Any, ticket_id: str) -> Ticket:
    """办结: the officer is done with this visit; records the service time."""
    _require(actor, Perm.TICKET_CALL)
    now = clock.now()
    ticket = _ticket_for_update(ticket_id, actor=actor)
    _check_holder(ticket, actor)
    ticket.status = TicketStatus.FINISHED
    ticket.finished_at = now
    ticket.save(update_fields=["status", "finished_at", "updated_at"])
    _ticket_changed(
        ticket,
        EventKind.FINISH,
        actor=actor,
        at=now,
        window=ticket.window,
        service_seconds=_seconds(now, ticket.called_at),
        after={"event": "finish", "number": ticket.number},
    )
    live.push_on_commit(ticket.center_id, _window_event(ticket.window))
    return ticket


@atomic_write
def ticket_transfer(
    *, actor: Any, ticket_id: str, item_code: str | None = None, officer_id: int | None = None
) -> Ticket:
    """转移: to another item and/or to a named officer. The ticket goes back to the pool with
    its ORIGINAL arrival time, so the citizen does not queue twice."""
    _require(actor, Perm.TICKET_CALL)
    now = clock.now()
    ticket = _ticket_for_update(ticket_id, actor=actor)
    _check_today(ticket, now)
    _check_holder(ticket, actor)
    if not item_code and not officer_id:
        raise DomainError(_("请选择转给哪个事项或哪位民警"), code="transfer_target_missing")
    from_item = ticket.item_id
    item = item_get(code=item_code) if item_code else None
    if item is not None:
        ticket.item_id = item.pk
        TicketItem.objects.get_or_create(
            ticket=ticket, item_id=item.pk, defaults={"position": ticket.items.count()}
        )
    target = None
    if officer_id:
        target = _colleague(actor, officer_id)
        if target.pk == actor.pk:
            raise DomainError(_("不能转给自己"), code="transfer_to_self")
        if not staff_may_serve(staff=target, item_id=ticket.item_id):
            raise DomainError(_("%s 没有办理该事项的授权") % target, code="transfer_not_authorized")
    window = ticket.window
    duration = _seconds(now, ticket.called_at)
    ticket.status = TicketStatus.WAITING
    ticket.queue_at = ticket.arrived_at
    ticket.officer = None
    ticket.window = None
    ticket.recall_count = 0
    ticket.target_officer = target
    ticket.save()
    _ticket_changed(
        ticket,
        EventKind.TRANSFER,
        actor=actor,
        at=now,
        window=window,
        item_id=from_item,
        service_seconds=duration,
        to_item=item.code if item else None,
        to_officer=target.pk if target else None,
        after={
            "event": "transfer",
            "to_item": item.code if item else None,
            "to_officer": target.pk if target else None,
        },
    )
    live.push_on_commit(ticket.center_id, _window_event(window))
    return ticket


def _colleague(actor: Any, officer_id: int) -> Any:
    target = staff_list(user=actor).filter(pk=officer_id).first()
    if target is None or not has_perm(target, Perm.TICKET_CALL):
        raise NotFound(_("本中心没有这位窗口民警"), code="unknown_officer")
    return target


@atomic_write
def ticket_park(*, actor: Any, ticket_id: str) -> Ticket:
    """暂挂: the citizen fetches a document; the officer goes on calling. Kept with its
    original arrival time in the officer's parked list."""
    _require(actor, Perm.TICKET_CALL)
    now = clock.now()
    ticket = _ticket_for_update(ticket_id, actor=actor)
    _check_today(ticket, now)
    _check_holder(ticket, actor)
    window = ticket.window
    ticket.status = TicketStatus.PARKED
    ticket.save(update_fields=["status", "updated_at"])
    _ticket_changed(
        ticket,
        EventKind.PARK,
        actor=actor,
        at=now,
        window=window,
        service_seconds=_seconds(now, ticket.called_at),
        after={"event": "park", "number": ticket.number},
    )
    live.push_on_commit(ticket.center_id, _window_event(window))
    return ticket


@atomic_write
def ticket_unpark(
    *, actor: Any, ticket_id: str, window_code: str, to_queue: bool = False
) -> Ticket:
    """取回: the citizen is back. Called straight to the officer's window, or (to_queue)
    returned to the pool with the original arrival time, for this officer."""
    _require(actor, Perm.TICKET_CALL)
    now = clock.now()
    ticket = _ticket_for_update(ticket_id, actor=actor)
    _check_today(ticket, now)
    _check_holder(ticket, actor, status=TicketStatus.PARKED)
    if to_queue:
        ticket.status = TicketStatus.WAITING
        ticket.queue_at = ticket.arrived_at
        ticket.target_officer_id = actor.pk
        ticket.officer = None
        ticket.window = None
        ticket.save()
        _ticket_changed(
            ticket,
            EventKind.UNPARK,
            actor=actor,
            at=now,
            to_queue=True,
            after={"event": "unpark", "to_queue": True},
        )
        return ticket
    session = _session_at(actor, window_code)
    if _holding(actor, now) is not None:
        raise Conflict(_("请先办结当前号，再取回暂挂号"), code=HallErrorCode.CURRENT_TICKET)
    ticket.status = TicketStatus.CALLED
    ticket.window = session.window
    ticket.called_at = now
    ticket.recall_count = 0
    ticket.save()
    _event(
        ticket,
        EventKind.UNPARK,
        at=now,
        center_id=ticket.center_id,
        officer=actor,
        window=session.window,
        to_queue=False,
    )
    _event(
        ticket,
        EventKind.CALL,
        at=now,
        center_id=ticket.center_id,
        officer=actor,
        window=session.window,
        wait_seconds=_seconds(now, ticket.arrived_at),
        unparked=True,
    )
    audit_record(
        actor=actor,
        action=AuditAction.TICKET_CALLED,
        target=ticket,
        after={"number": ticket.number, "window": session.window.code, "unparked": True},
    )
    live.push_on_commit(ticket.center_id, _call_event(ticket, session.window, recall=False, at=now))
    return ticket


# --- "your turn is near" -----------------------------------------------------------------


def ticket_notify_near(*, center_id: int) -> int:
    """Send the near-turn SMS to tickets that now have at most N people ahead (once each).

    Runs after a call commits. The conditional UPDATE on `near_notified_at` makes the SMS
    exactly-once even when twenty officers call at the same moment.
    """
    now = clock.now()
    settings = hall_settings_get(center_id=center_id)
    if settings.near_position <= 0:
        return 0
    head = list(
        pool_ordered(center_id=center_id, now=now, settings=settings).values_list(
            "pk", "has_phone", "near_notified_at"
        )[: settings.near_position + 1]
    )
    sent = 0
    for ahead, (pk, has_phone, notified_at) in enumerate(head):
        if not has_phone or notified_at is not None:
            continue
        with _sqlite_writer():
            claimed = Ticket.objects.filter(pk=pk, near_notified_at__isnull=True).update(
                near_notified_at=now
            )
        if not claimed:
            continue
        ticket = Ticket.objects.select_related("center").get(pk=pk)
        if ticket.phone:
            sent += int(ticket_near_sms(ticket=ticket, ahead=ahead))
    return sent


def ticket_near_sms(*, ticket: Ticket, ahead: int) -> bool:
    """The one hook into notifications (template "ticket_near"); never breaks a call."""
    try:
        notifications = importlib.import_module("bianmin.notifications.services")
        sms_enqueue = notifications.sms_enqueue
    except (ImportError, AttributeError):
        log.warning(
            "notifications.sms_enqueue is not available; near-turn SMS for %s skipped",
            ticket.number,
        )
        return False
    try:
        return bool(
            sms_enqueue(
                center_id=ticket.center_id,
                template_code="ticket_near",
                phone=ticket.phone or "",
                params={"number": ticket.number, "ahead": str(ahead), "center": ticket.center.name},
                dedupe_key=f"ticket_near:{ticket.pk}",
                urgent=True,
            )
        )
    except Exception:
        log.exception("near-turn SMS for ticket %s failed", ticket.number)
        return False


# --- settings --------------------------------------------------------------------------------


@atomic_write
def hall_settings_update(*, actor: Any, center_id: int, changes: dict[str, Any]) -> HallSettings:
    _require(actor, Perm.HALL_CONFIGURE)
    if actor.center_id != center_id:
        raise PermissionDenied(_("只能修改本中心的设置"))
    settings, _created = HallSettings.objects.get_or_create(center_id=center_id)
    before = {k: getattr(settings, k) for k in changes}
    for key, value in changes.items():
        setattr(settings, key, value)
    settings.full_clean()
    settings.save()
    audit_record(
        actor=actor,
        action=AuditAction.HALL_SETTINGS_UPDATED,
        target=settings,
        center_id=center_id,
        before=before,
        after=changes,
    )
    return settings


# --- demo history ----------------------------------------------------------------------------

# Relative arrival intensity per hour of a working day (peaks mid-morning, dip at lunch).
_HOURLY_SHAPE = {
    8: 0.6,
    9: 1.6,
    10: 2.0,
    11: 1.4,
    12: 0.5,
    13: 0.4,
    14: 1.1,
    15: 1.2,
    16: 0.9,
    17: 0.2,
}


def hall_demo_history(*, center: Any, rng: random.Random, days: int = 30) -> int:
    """Thirty past working days of realistic ticket life (issue → call → finish, some
    no-shows and transfers), written with bulk_create; returns the number of tickets."""
    items = [(i.pk, i.category, i.average_service_minutes) for i in item_list()]
    if not items:
        return 0
    weights = [
        3.0 if cat in (Category.HOUSEHOLD, Category.TRAFFIC) else 1.0 for _pk, cat, _m in items
    ]
    windows = list(Window.objects.filter(center=center, is_active=True).order_by("code"))
    officers = [s for s in staff_list(user=_CenterScope(center.pk)) if s.role == "officer"]
    if not windows or not officers:
        return 0
    today = clock.today()
    tz = clock.local(clock.now()).tzinfo
    total = 0
    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        if not is_workday(day):
            continue
        total += _demo_day(
            center_id=center.pk,
            day=day,
            tz=tz,
            rng=rng,
            items=items,
            weights=weights,
            windows=windows,
            officers=officers,
        )
    return total


class _CenterScope:
    def __init__(self, center_id: int) -> None:
        self.center_id = center_id


def _demo_day(
    *,
    center_id: int,
    day: date,
    tz: Any,
    rng: random.Random,
    items: list[tuple[int, str, int]],
    weights: list[float],
    windows: list[Window],
    officers: list[Any],
) -> int:
    volume = rng.randint(300, 1500)
    scale = volume / sum(_HOURLY_SHAPE.values())
    arrivals: list[datetime] = []
    for hour, shape in _HOURLY_SHAPE.items():
        for _n in range(round(shape * scale)):
            arrivals.append(
                datetime.combine(day, time(hour, 0), tzinfo=tz)
                + timedelta(seconds=rng.uniform(0, 3600))
            )
    arrivals.sort()
    staffed = windows[: min(len(windows), len(officers))]
    free_at = {w.pk: datetime.combine(day, time(8, 30), tzinfo=tz) for w in staffed}
    officer_of = {w.pk: officers[i] for i, w in enumerate(staffed)}
    counters: dict[str, int] = {}
    tickets: list[Ticket] = []
    links: list[TicketItem] = []
    events: list[TicketEvent] = []
    for w in staffed:
        events.append(
            TicketEvent(
                center_id=center_id,
                kind=EventKind.SIGN_IN,
                at=free_at[w.pk],
                officer=officer_of[w.pk],
                window=w,
            )
        )
    for arrived in arrivals:
        item_id, category, minutes = rng.choices(items, weights=weights)[0]
        prefix = CATEGORY_PREFIX[Category(category)]
        counters[prefix] = counters.get(prefix, 0) + 1
        priority = Priority.ELDERLY if rng.random() < 0.08 else Priority.NORMAL
        window = min(staffed, key=lambda w: free_at[w.pk])
        called = max(arrived, free_at[window.pk]) + timedelta(seconds=rng.uniform(5, 40))
        officer = officer_of[window.pk]
        ticket = Ticket(
            center_id=center_id,
            service_day=day,
            prefix=prefix,
            seq=counters[prefix],
            number=f"{prefix}{counters[prefix]:03d}",
            item_id=item_id,
            priority=priority,
            priority_weight=20 if priority != Priority.NORMAL else 0,
            channel=rng.choice(
                [IssueChannel.KIOSK, IssueChannel.KIOSK, IssueChannel.GUIDE, IssueChannel.PHONE]
            ),
            arrived_at=arrived,
            queue_at=arrived,
            called_at=called,
            officer=officer,
            window=window,
        )
        events.append(
            TicketEvent(
                center_id=center_id,
                ticket=ticket,
                kind=EventKind.ISSUE,
                at=arrived,
                item_id=item_id,
            )
        )
        events.append(
            TicketEvent(
                center_id=center_id,
                ticket=ticket,
                kind=EventKind.CALL,
                at=called,
                officer=officer,
                window=window,
                item_id=item_id,
                wait_seconds=int((called - arrived).total_seconds()),
            )
        )
        if rng.random() < 0.03:
            done = called + timedelta(seconds=rng.uniform(60, 120))
            ticket.status = TicketStatus.NO_SHOW
            events.append(
                TicketEvent(
                    center_id=center_id,
                    ticket=ticket,
                    kind=EventKind.NO_SHOW,
                    at=done,
                    officer=officer,
                    window=window,
                    item_id=item_id,
                )
            )
        else:
            service = max(60.0, rng.gauss(minutes * 60, minutes * 20))
            done = called + timedelta(seconds=service)
            ticket.status = TicketStatus.FINISHED
            events.append(
                TicketEvent(
                    center_id=center_id,
                    ticket=ticket,
                    kind=EventKind.FINISH,
                    at=done,
                    officer=officer,
                    window=window,
                    item_id=item_id,
                    service_seconds=int(service),
                )
            )
        ticket.finished_at = done
        free_at[window.pk] = done
        tickets.append(ticket)
        links.append(TicketItem(ticket=ticket, item_id=item_id, position=0))
    end = max([*free_at.values(), datetime.combine(day, time(17, 30), tzinfo=tz)])
    for w in staffed:
        events.append(
            TicketEvent(
                center_id=center_id,
                kind=EventKind.SIGN_OUT,
                at=end,
                officer=officer_of[w.pk],
                window=w,
            )
        )
    Ticket.objects.bulk_create(tickets, batch_size=500)
    TicketItem.objects.bulk_create(links, batch_size=1000)
    TicketEvent.objects.bulk_create(events, batch_size=1000)
    counters_rows = [
        TicketCounter(center_id=center_id, service_day=day, prefix=p, last=n)
        for p, n in counters.items()
    ]
    TicketCounter.objects.bulk_create(counters_rows)
    return len(tickets)
