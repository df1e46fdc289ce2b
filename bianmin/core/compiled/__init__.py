"""ORM reads, updates and inserts compiled to SQL once per database connection, then only given
new values.

Django builds and compiles a queryset's SQL again every time it is evaluated. On the hall's
hottest reads that cost ten times what the database spent answering: with 200 people waiting
on SQLite, the head of the calling pool took 1.34 ms per `first()` and 0.09 ms when its SQL was
run directly (CPU per read, measured in one process, 2026-12-02). A `CompiledQuery` keeps the
query written once, with the ORM, and compiles it once per connection:

    _HELD = CompiledQuery(
        lambda officer_id, day: Ticket.objects.filter(officer_id=officer_id, service_day=day),
        officer_id=Slot.INT,
        day=Slot.DATE,
    )
    held = _HELD.objects(officer_id=actor.pk, day=today)

On first use on a connection, `build` is called with placeholder values of the declared kinds
and compiled twice (with two sets of placeholders, so a constant of the query that happens to
equal a placeholder is caught, not bound). The placeholders are found again among the compiled
parameters; later calls only adapt the new values the way Django's fields would
(`connection.ops.adapt_*`, and psycopg's typed integers) and run the SQL. A placeholder the
ORM rewrote or dropped (a lookup that wraps its argument, a value out of a column's range)
makes the compilation fail loudly rather than bind a wrong value.

What is supported, checked on compilation: integer, text, date and aware-datetime values, and
sequences of up to 500 integers (an `__in` list; each length is compiled once, an empty one as
Django answers it: no rows, or the condition dropped under `exclude`). Results are rows
(`rows`) or model instances with their annotations and `select_related` instances (`objects`,
`first`).

`CompiledFirst` compiles several such queries, segments of one order, into one statement that
answers with the first row of the first segment that has one (the call's head of the line).

`CompiledUpdate` compiles a queryset's `update()` the same way (the call's claim of a ticket, a
finish), and `insert` writes one new row (tickets, events, audit entries; with
`unless_duplicate`, a row a unique constraint refuses is left out without an error);
`insert_together` writes the new rows of one write in one statement on PostgreSQL (a new
ticket's items, its event and the audit entry: one round trip); other writes stay with the ORM.
The two hot statements the ORM cannot write (the ticket counter's `UPDATE … RETURNING`, the
audit chain's locking read of its head) run their fixed SQL on `statement_cursor`, bound and
prepared the same way.

On PostgreSQL the compiled statements send their values apart from the SQL (server-side
binding, psycopg's `Cursor`), where the rest of Django binds them into the SQL text on the
client (`ClientCursor`, Django's default). Binding on the client quotes every value as an SQL
literal in Python; psycopg's C extension adapts the same values for the wire (a 25-value
statement: 68–71 µs of CPU against 103–132 µs, 2026-12-05; served, the hall's write path did
not move beyond the machine's noise — README, 性能 → Sixteenth pass).
Only these statements change: their SQL is fixed and covered by the tests, whereas the ORM's
other queries may repeat a value in ways server-side binding refuses (a grouped expression).
They are also prepared on the server after their fifth run on a connection (psycopg's
`prepare_threshold`, set in the settings; Django's client-binding cursor never prepares), so
PostgreSQL parses them once and, where its generic plan costs no more than one planned for the
values, stops planning them: the served call + finish 0.188 → 0.214 of the bare view, 4.5 → 3.7
ms of the machine's CPU per request (README, 性能 → Seventeenth pass). A statement is written so
that its generic plan is a good one for every value: a condition on a place in the line is one
row value, `(queue_at, seq) >= (…, …)`, an index range whatever the values, not the same
condition spelled out with OR, whose generic plan read the whole day's line (README, 性能 →
Twenty-third pass).
"""

from bianmin.core.compiled.inserts import insert, insert_together
from bianmin.core.compiled.statements import (
    CompiledFirst,
    CompiledQuery,
    CompiledUpdate,
    Slot,
    statement_cursor,
)

__all__ = [
    "CompiledFirst",
    "CompiledQuery",
    "CompiledUpdate",
    "Slot",
    "insert",
    "insert_together",
    "statement_cursor",
]
