"""Issuing tickets (guide desk, kiosk, phone page, API), the citizen's phone number for the
near-turn SMS, and the guide desk's decision on a self-declared priority.

Numbers come from a per-center-per-day-per-prefix counter row incremented with
``UPDATE … SET last = last + 1 RETURNING last`` (a row lock on PostgreSQL, the write lock on SQLite).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from bianmin.accounts.selectors import center_hours
from bianmin.catalogue.enums import CATEGORY_PREFIX, Category
from bianmin.catalogue.selectors import item_get_plain
from bianmin.core import clock
from bianmin.core.actors import StaffActor
from bianmin.core.compiled import insert, statement_cursor
from bianmin.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from bianmin.core.permissions import Perm
from bianmin.core.validators import is_mobile
from bianmin.hall import pipeline
from bianmin.hall.enums import EventKind, IssueChannel, Priority, TicketStatus
from bianmin.hall.errors import HallError
from bianmin.hall.models import HallSettings, Ticket, TicketCounter, TicketItem, WaitingTally
from bianmin.hall.selectors import hall_settings_get, hours_text
from bianmin.hall.services._common import (
    atomic_write,
    change_record,
    require,
    ticket_begin,
)
from bianmin.people.idnumber import age_on, check_id_number

MAX_ITEMS_PER_TICKET = 5


def center_is_open(center: Any, *, settings: HallSettings, now: datetime) -> bool:
    """Tickets are issued while the center's hours of the day say open (lunch break closed)."""
    if settings.is_closed or not getattr(center, "is_active", True):
        return False
    local = clock.local(now)
    hours = center_hours(center_id=center.pk, day=local.date())
    return hours is not None and hours.is_open_at(local.time().replace(tzinfo=None))


def _closed_message(center: Any, settings: HallSettings, day: date) -> str:
    if settings.is_closed:
        return settings.closed_notice or _("大厅暂停取号，请咨询导办台工作人员")
    hours = center_hours(center_id=center.pk, day=day)
    if hours is None:
        return _("本中心今日不办公，请在工作日前来")
    return _("现在不是取号时间。本中心今日取号时间为 %s") % hours_text(hours)


# TicketCounter's table (a test checks the name against the model).
_INCREMENT = (
    'UPDATE "hall_ticketcounter" SET "last" = "last" + 1 '
    'WHERE "center_id" = %s AND "service_day" = %s AND "prefix" = %s RETURNING "last"'
)


def _increment(*, center_id: int, day: date, prefix: str) -> int | None:
    """`UPDATE … SET last = last + 1 … RETURNING last`: the increment and its value in one
    statement (SQLite ≥ 3.35 and PostgreSQL; there bound and prepared, `statement_cursor`);
    None when the day's row does not exist yet."""
    with statement_cursor() as cursor:
        cursor.execute(_INCREMENT, [center_id, connection.ops.adapt_datefield_value(day), prefix])
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def _next_seq(*, center_id: int, day: date, prefix: str) -> int:
    """The next number of this prefix today: an atomic increment of the counter row."""
    seq = _increment(center_id=center_id, day=day, prefix=prefix)
    if seq is not None:
        return seq
    try:
        with transaction.atomic():
            TicketCounter.objects.create(
                center_id=center_id, service_day=day, prefix=prefix, last=1
            )
        return 1
    except IntegrityError:  # another transaction created it first; it has committed
        seq = _increment(center_id=center_id, day=day, prefix=prefix)
        assert seq is not None
        return seq


def _clean_phone(phone: str) -> str:
    phone = re.sub(r"[\s-]", "", phone or "")
    if phone and not is_mobile(phone):
        raise DomainError(_("手机号码应为 11 位数字"), code=HallError.INVALID_PHONE)
    return phone


def ticket_issue(
    *,
    actor: StaffActor | None,
    center: Any,
    item_codes: Sequence[str],
    channel: IssueChannel,
    priority: str = Priority.NORMAL,
    id_number: str = "",
    phone: str = "",
    request_key: str | None = None,
    priority_verified: bool = False,
) -> Ticket:
    """取号: a ticket for one or several items. `actor` is the guide (or None for the kiosk
    and phone pages). A repeated `request_key` (double click) returns the first ticket.

    A priority class chosen without staff (kiosk, phone, public API) is recorded as a claim and
    counts only once the guide desk confirms it (`ticket_priority_decide`). A context that has
    verified the class itself (an appointment check-in against a real booking) passes
    `priority_verified=True`."""
    if actor is not None:
        require(actor, Perm.TICKET_ISSUE)
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
            priority_verified=priority_verified,
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
    actor: StaffActor | None,
    center: Any,
    item_codes: Sequence[str],
    channel: IssueChannel,
    priority: str,
    id_number: str,
    phone: str,
    request_key: str | None,
    priority_verified: bool,
) -> Ticket:
    now = clock.now()
    day = clock.local(now).date()
    if request_key:
        existing = Ticket.objects.filter(center_id=center.pk, request_key=request_key).first()
        if existing is not None:
            return existing
    settings = hall_settings_get(center_id=center.pk)
    if not center_is_open(center, settings=settings, now=now):
        raise Conflict(_closed_message(center, settings, day), code=HallError.CENTER_CLOSED)
    codes = list(dict.fromkeys(c.strip().upper() for c in item_codes if c and c.strip()))
    if not codes:
        raise DomainError(_("请选择要办理的事项"), code=HallError.UNKNOWN_ITEM)
    if len(codes) > MAX_ITEMS_PER_TICKET:
        raise DomainError(
            _("一次最多选择 %d 个事项") % MAX_ITEMS_PER_TICKET, code=HallError.TOO_MANY_ITEMS
        )
    items = []
    for code in codes:
        item = item_get_plain(code=code)
        if not item.is_active:
            raise DomainError(_("事项 %s 暂停办理") % code, code=HallError.ITEM_INACTIVE)
        items.append(item)
    try:
        asked = Priority(priority or Priority.NORMAL)
    except ValueError:
        raise DomainError(_("优先类别不正确"), code=HallError.INVALID_PRIORITY) from None
    if asked == Priority.APPOINTMENT and not priority_verified:
        # The one source of this class is the appointments context's check-in.
        raise DomainError(
            _("预约优先只能通过预约签到获得，请在“预约签到”中输入预约码"),
            code=HallError.INVALID_PRIORITY,
        )
    age = None
    id_number = (id_number or "").strip().upper()
    if id_number:
        check = check_id_number(id_number, today=day)
        if not check.valid:
            raise DomainError(
                _("身份证号码有误：%s") % check.error, code=HallError.INVALID_ID_NUMBER
            )
        age = age_on(check.normalized, day)
    decision = pipeline.issue_priority(
        asked=asked,
        by_staff=actor is not None or priority_verified,
        age=age,
        elderly_age=settings.elderly_age,
    )
    phone = _clean_phone(phone)

    first = items[0]
    prefix = CATEGORY_PREFIX[Category(first.category)]
    seq = _next_seq(center_id=center.pk, day=day, prefix=prefix)
    ticket = Ticket(
        center_id=center.pk,
        service_day=day,
        prefix=prefix,
        seq=seq,
        number=f"{prefix}{seq:03d}",
        item_id=first.pk,
        priority=decision.priority,
        priority_weight=settings.weight_for(decision.priority),
        priority_claim=decision.claimed or "",
        channel=channel,
        arrived_at=now,
        queue_at=now,
        issued_by_id=actor.pk if actor is not None else None,
        phone=phone or None,
        has_phone=bool(phone),
        request_key=request_key,
    )
    # The ticket alone first: its insert enters the waiting tally (a trigger that locks the
    # tally's row), and every hall write locks the tally before the audit chain's head — a call
    # moves the tally, then records. Its items go in with the event and the audit entry.
    insert(ticket)  # the INSERT compiled once (core.compiled)
    change_record(
        EventKind.ISSUE,
        actor=actor,
        at=now,
        center_id=center.pk,
        ticket=ticket,
        after={
            "number": ticket.number,
            "items": codes,
            "channel": str(channel),
            "priority": str(decision.priority),
            "priority_claim": str(decision.claimed or ""),
        },
        channel=str(channel),
        priority=str(decision.priority),
        items=codes,
        along=[
            TicketItem(ticket=ticket, item_id=item.pk, position=n) for n, item in enumerate(items)
        ],
    )
    return ticket


@atomic_write
def ticket_set_phone(*, ticket_id: str, phone: str) -> Ticket:
    """The citizen asks for the "your turn is near" SMS from the live position page."""
    phone = _clean_phone(phone)
    if not phone:
        raise DomainError(_("手机号码应为 11 位数字"), code=HallError.INVALID_PHONE)
    ticket = Ticket.objects.select_for_update().filter(pk=str(ticket_id)[:24]).first()
    if ticket is None:
        raise NotFound(_("没有找到这张号票"), code=HallError.UNKNOWN_TICKET)
    if ticket.service_day != clock.today():
        raise Conflict(
            _("号票 %(number)s 是 %(day)s 取的，已过期，请重新取号")
            % {"number": ticket.number, "day": ticket.service_day.strftime("%m月%d日")},
            code=HallError.EXPIRED,
        )
    if ticket.status != TicketStatus.WAITING:
        raise Conflict(_("号票已叫过，不再需要提醒"), code=HallError.WRONG_STATUS)
    ticket.phone = phone
    ticket.has_phone = True
    ticket.save(update_fields=["phone", "has_phone", "updated_at"])
    return ticket


@atomic_write
def ticket_priority_decide(*, actor: StaffActor, ticket_id: str, confirm: bool) -> Ticket:
    """The guide desk confirms (seen the card, the age, the appointment) or denies a class the
    citizen chose on the kiosk or phone. Confirmed, the ticket takes its place by that class;
    denied, it stays a normal ticket. Audited either way."""
    step = pipeline.Step.PRIORITY_CONFIRM if confirm else pipeline.Step.PRIORITY_DENY
    ticket, rule, now = ticket_begin(actor, ticket_id, step, perm=Perm.TICKET_ISSUE)
    claimed = ticket.priority_claim
    if not claimed:
        raise Conflict(
            _("号票 %s 没有待确认的优先类别") % ticket.number, code=HallError.NO_PRIORITY_CLAIM
        )
    if confirm:
        settings = hall_settings_get(center_id=ticket.center_id)
        ticket.priority = claimed
        ticket.priority_weight = max(ticket.priority_weight, settings.weight_for(claimed))
    ticket.priority_claim = ""
    ticket.save(update_fields=["priority", "priority_weight", "priority_claim", "updated_at"])
    change_record(
        rule.kind,
        actor=actor,
        at=now,
        center_id=ticket.center_id,
        ticket=ticket,
        after={"event": str(rule.kind), "number": ticket.number, "claimed": claimed},
        claimed=claimed,
    )
    return ticket


def waiting_tally_prune(*, keep_days: int = 2) -> int:
    """Nightly: the waiting tally's rows of past days go (the database keeps the tally as
    tickets move, `WaitingTally`; only today's is read). Returns the rows deleted."""
    since = clock.today() - timedelta(days=keep_days - 1)
    deleted, _by_model = WaitingTally.objects.filter(service_day__lt=since).delete()
    return deleted
