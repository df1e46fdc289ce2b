"""One ticket read by its id: for the officer's answer, the position page, other contexts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import CharField, Func, OuterRef, QuerySet, StringAgg, Subquery, Value

from bianmin.core.compiled import CompiledQuery, Slot
from bianmin.hall.models import Ticket, TicketItem


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
    _current, codes = ticket_item_codes(ticket)
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


# kept on the ticket instance, as Django keeps a related object it has read
_READ_ON_INSTANCE = "_item_codes_read"
# the annotation `with_item_codes` adds
_ITEMS_ALONG = "items_along"


class _Spaced(Func):
    """Its values joined by spaces, as text (`||` takes numbers on both databases). Not
    `Concat`, which wraps each part in COALESCE with a parameter of its own: statement texts
    stay short (psycopg converts a text once only up to 4 KB and 50 values)."""

    arg_joiner = " || ' ' || "
    template = "(%(expressions)s)"
    output_field = CharField()


def with_item_codes(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """The tickets with their items read in the same statement, for `ticket_item_codes`: a
    step on a called ticket (finish, recall, park), whose event and answer show the items,
    saves the database a round trip. One text per ticket, a line "position item_id code" per
    item, in no set order (SQLite before 3.44 cannot order an aggregate): `_items_along` sorts
    them. A locking read's items are those of the statement's snapshot: an
    item added while it waited for the lock came with a transfer, which changed the ticket's
    item, and `ticket_item_codes` reads them again."""
    items = (
        TicketItem.objects.filter(ticket_id=OuterRef("pk"))
        .order_by()
        .values("ticket_id")
        .annotate(
            packed=StringAgg(_Spaced("position", "item_id", "item__code"), delimiter=Value("\n"))
        )
        .values("packed")
    )
    return tickets.annotate(**{_ITEMS_ALONG: Subquery(items, output_field=CharField())})


def _items_along(packed: str) -> tuple[tuple[int, str], ...]:
    """`with_item_codes`' text as (item_id, code) in the items' order; the code is the rest of
    its line, whatever it holds."""
    rows = sorted((line.split(" ", 2) for line in packed.split("\n")), key=lambda row: int(row[0]))
    return tuple((int(item_id), code) for _position, item_id, code in rows)


def ticket_item_codes(ticket: Ticket) -> tuple[str, list[str]]:
    """The code of the item the ticket queues for now, and the codes of all its items in
    order: from the statement that read the ticket (`with_item_codes`), else from one query —
    read once per ticket instance: a finish reads them for its event and its answer shows them
    again (a transfer to a new item, which changes the ticket's item, reads them again)."""
    rows: tuple[tuple[int, str], ...] | None = ticket.__dict__.get(_READ_ON_INSTANCE)
    if rows is None and (packed := ticket.__dict__.pop(_ITEMS_ALONG, None)):
        rows = ticket.__dict__[_READ_ON_INSTANCE] = _items_along(packed)
    if rows is None or all(item_id != ticket.item_id for item_id, _code in rows):
        rows = tuple(_ITEM_CODES.rows(ticket_id=ticket.pk))
        ticket.__dict__[_READ_ON_INSTANCE] = rows
    current = next((code for item_id, code in rows if item_id == ticket.item_id), None)
    return current if current is not None else ticket.item.code, [code for _id, code in rows]


def ticket_phone(*, ticket_id: str) -> str:
    """The phone the citizen left on the ticket ("" if none): one column, for subscribers of
    the hall's events that need nothing else."""
    phones = Ticket.objects.filter(pk=str(ticket_id)[:24]).values_list("phone", flat=True)
    return next(iter(phones), None) or ""


def ticket_public_get(*, ticket_id: str) -> Ticket | None:
    """The ticket alone (no joins): all that its public state needs."""
    ticket: Ticket | None = _TICKET.first(ticket_id=str(ticket_id)[:24])
    return ticket
