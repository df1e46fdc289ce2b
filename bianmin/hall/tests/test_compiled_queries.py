"""Reads compiled once per connection (core.compiled) answer as the ORM would, and refuse to
compile what they could bind wrongly; a compiled insert writes the row `save()` writes, and
rows inserted together are written in one statement on PostgreSQL, all or none. The hall's
compiled reads (the pool's head, the people ahead of a ticket) are checked against the
querysets they replace on a varied line."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Value
from django.db.models.signals import post_save, pre_save

from bianmin.core import clock as hall_clock
from bianmin.core.compiled import CompiledQuery, CompiledUpdate, Slot, insert, insert_together
from bianmin.core.permissions import Role
from bianmin.hall.enums import EventKind, TicketStatus
from bianmin.hall.models import (
    Ticket,
    TicketCounter,
    TicketEvent,
    TicketItem,
    Window,
    WindowSession,
)
from bianmin.hall.selectors import hall_settings_get, pool_head, pool_ordered
from bianmin.hall.selectors.pool import _AHEAD_IN_LINE, _AHEAD_OVERDUE, _ahead_filter, _ahead_of
from bianmin.hall.services import ticket_call_next, ticket_transfer, window_sign_in

pytestmark = pytest.mark.django_db

_BY_SEQ = CompiledQuery(
    lambda center_id, seqs: Ticket.objects.filter(center_id=center_id, seq__in=seqs).order_by(
        "seq"
    ),
    center_id=Slot.INT,
    seqs=Slot.INTS,
)
_NOT_SEQ = CompiledQuery(
    lambda center_id, seqs: (
        Ticket.objects.filter(center_id=center_id).exclude(seq__in=seqs).order_by("seq")
    ),
    center_id=Slot.INT,
    seqs=Slot.INTS,
)


@pytest.fixture
def line(issue, guide, clock, hall, make_staff, officer):
    """A varied line: plain and priority tickets, one over the waiting limit, one transferred
    to a named officer, over several items."""
    tickets = [issue("HZ02")]
    clock.shift(61 * 60)  # the first waits past the limit
    tickets.append(issue("JG01"))
    clock.shift(60)
    tickets.append(issue("HZ02", priority="elderly", actor=guide))
    clock.shift(60)
    tickets.append(issue("HZ05"))
    clock.shift(60)
    tickets.append(issue("JG01", priority="disabled", actor=guide))
    clock.shift(60)
    tickets.append(issue("HZ02"))
    colleague = make_staff(Role.OFFICER)
    window_sign_in(actor=officer, window_code="W01")
    called = ticket_call_next(actor=officer, window_code="W01")
    ticket_transfer(actor=officer, ticket_id=called.pk, officer_id=colleague.pk)
    return {"tickets": tickets, "colleague": colleague, "center": hall}


def _orm_head(center_id, officer_id, item_ids):
    now = hall_clock.now()
    return pool_ordered(
        center_id=center_id,
        now=now,
        settings=hall_settings_get(center_id=center_id),
        officer_id=officer_id,
        item_ids=item_ids,
    ).first()


def test_the_pool_head_is_the_first_of_the_calling_order(line, officer, clock) -> None:
    center = line["center"]
    settings = hall_settings_get(center_id=center.pk)
    item_sets = [None, set(), {Ticket.objects.get(number="B001").item_id}]
    item_sets.append({t.item_id for t in line["tickets"]})
    for officer_id in (officer.pk, line["colleague"].pk):
        for item_ids in item_sets:
            expected = _orm_head(center.pk, officer_id, item_ids)
            head = pool_head(
                center_id=center.pk,
                now=hall_clock.now(),
                settings=settings,
                officer_id=officer_id,
                item_ids=item_ids,
            )
            assert (head.pk if head else None) == (expected.pk if expected else None)
            if head is not None:  # the instance is whole, as the ORM reads it
                orm = Ticket.objects.get(pk=head.pk)
                fields = [f.attname for f in Ticket._meta.concrete_fields]
                assert [getattr(head, f) for f in fields] == [getattr(orm, f) for f in fields]
    # the colleague's transferred ticket comes first for them, not for the others
    colleague_head = _orm_head(center.pk, line["colleague"].pk, None)
    assert colleague_head.target_officer_id == line["colleague"].pk
    assert _orm_head(center.pk, officer.pk, set()) is None


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's plan; PostgreSQL's follows its statistics"
)
def test_the_pool_head_reads_along_indexes_on_sqlite(line, officer, clock) -> None:
    """Each segment follows its index, with or without the database's statistics (the embedded
    database never gathers any): no segment sorts the line. With the waiting limit repeated in
    the third segment, SQLite took the limit's range on `ticket_queue_idx` and sorted every
    pooled ticket by weight (4 ms a call at 10,000 waiting)."""
    center = line["center"]
    model = Ticket.objects.get(pk=line["tickets"][-1].pk)  # a pooled ticket, waiting
    copied = [f.attname for f in Ticket._meta.concrete_fields if f.attname != "id"]
    now = hall_clock.now()
    crowd = []
    for n in range(3000):  # a long line
        ticket = Ticket(**{name: getattr(model, name) for name in copied})
        ticket.seq, ticket.number = 1000 + n, f"Z{1000 + n}"
        ticket.queue_at = ticket.arrived_at = now - timedelta(seconds=n % 600)
        crowd.append(ticket)
    Ticket.objects.bulk_create(crowd)
    statements = []

    def capture(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        pool_head(
            center_id=center.pk,
            now=now,
            settings=hall_settings_get(center_id=center.pk),
            officer_id=officer.pk,
            item_ids=None,
        )
    [(sql, params)] = statements
    for gathered in (False, True):
        with connection.cursor() as cursor:
            if gathered:
                cursor.execute("ANALYZE")
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = [row[3] for row in cursor.fetchall()]
        searches = [step for step in plan if step.startswith("SEARCH")]
        assert len(searches) == 3, plan
        assert "ticket_target_idx" in searches[0], plan
        assert "ticket_queue_idx" in searches[1], plan
        assert "ticket_weight_idx" in searches[2], plan
        # only the transferred tickets (a few) are sorted: their order's rank moves with time
        assert sum("TEMP B-TREE" in step for step in plan) == 1, plan


def _summed(rows) -> dict[tuple[int, bool], int]:
    out: dict[tuple[int, bool], int] = {}
    for item_id, targeted, n in rows:
        key = (item_id, bool(targeted))
        out[key] = out.get(key, 0) + n
    return {key: n for key, n in out.items() if n}


def test_the_people_ahead_per_item_match_the_queryset(line, clock) -> None:
    """Past the limit, the compiled count; within it, the waiting tally's rows with their
    corrections: both sum to the queryset's count per item and "transferred" or not."""
    settings = hall_settings_get(center_id=line["center"].pk)
    waiting = Ticket.objects.filter(status=TicketStatus.WAITING)
    overdue_seen = set()
    for ticket in waiting:
        overdue, ahead_of = _ahead_of(ticket, now=hall_clock.now(), settings=settings)
        overdue_seen.add(overdue)
        if overdue:
            compiled = _AHEAD_OVERDUE.rows(
                center_id=ticket.center_id, day=ticket.service_day, ticket_id=ticket.pk, **ahead_of
            )
        else:
            compiled = _AHEAD_IN_LINE.rows(
                center_id=ticket.center_id, day=ticket.service_day, **ahead_of
            )
        orm = (
            Ticket.objects.filter(
                center_id=ticket.center_id,
                status=TicketStatus.WAITING,
                service_day=ticket.service_day,
            )
            .exclude(pk=ticket.pk)
            .filter(_ahead_filter(overdue=overdue, **ahead_of))
            .values_list("item_id", "target_officer_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        expected = _summed((item, target is not None, n) for item, target, n in orm)
        assert _summed(compiled) == expected
    assert overdue_seen == {True, False}  # both queries were read


def test_in_lists_of_every_length_and_under_exclude(issue, hall, clock) -> None:
    tickets = [issue("HZ02") for _ in range(4)]
    seqs = [t.seq for t in tickets]
    for chosen in ([], seqs[:1], seqs[1:3], seqs, {seqs[0], seqs[3]}, (seqs[2], seqs[2])):
        kept = Ticket.objects.filter(center_id=hall.pk, seq__in=chosen).order_by("seq")
        left = Ticket.objects.filter(center_id=hall.pk).exclude(seq__in=chosen).order_by("seq")
        assert _BY_SEQ.objects(center_id=hall.pk, seqs=chosen) == list(kept)
        assert _NOT_SEQ.objects(center_id=hall.pk, seqs=chosen) == list(left)


def test_dates_and_datetimes_bind_as_the_orm_binds_them(issue, hall, clock) -> None:
    early = issue("HZ02")
    clock.shift(90)
    late = issue("HZ02")
    since = CompiledQuery(
        lambda day, at: Ticket.objects.filter(service_day=day, arrived_at__gt=at).values_list(
            "pk", "arrived_at", "service_day"
        ),
        day=Slot.DATE,
        at=Slot.DATETIME,
    )
    local_noon = hall_clock.local(early.arrived_at)  # aware, in Shanghai: converted as Django does
    rows = since.rows(day=early.service_day, at=local_noon)
    assert rows == [(late.pk, late.arrived_at, late.service_day)]
    assert since.rows(day=early.service_day + timedelta(days=1), at=local_noon) == []


def test_select_related_is_read_in_the_same_query(
    officer, hall, windows, django_assert_num_queries
):
    window_sign_in(actor=officer, window_code="W02")
    session_of = CompiledQuery(
        lambda officer_id: WindowSession.objects.select_related("window").filter(
            officer_id=officer_id, ended_at__isnull=True
        ),
        officer_id=Slot.INT,
    )
    with django_assert_num_queries(1):
        session = session_of.first(officer_id=officer.pk)
        assert session.window.code == "W02"
    assert session_of.first(officer_id=officer.pk + 1000) is None


def test_a_placeholder_equal_to_a_constant_is_refused() -> None:
    colliding = CompiledQuery(
        # the constant equals the first placeholder of an integer slot
        lambda seq: Ticket.objects.filter(seq=seq).exclude(recall_count=16_384),
        seq=Slot.INT,
    )
    with pytest.raises(ImproperlyConfigured, match="collides"):
        colliding.rows(seq=1)


def test_a_value_the_orm_rewrites_is_refused() -> None:
    # `contains` binds "%value%", not the value: the placeholder is not found
    rewritten = CompiledQuery(
        lambda text: Ticket.objects.filter(number__contains=text), text=Slot.TEXT
    )
    with pytest.raises(ImproperlyConfigured, match="not found"):
        rewritten.rows(text="A0")


def test_integer_placeholders_fit_a_small_integer_column(issue, guide, clock) -> None:
    issue("HZ02", priority="elderly", actor=guide)
    issue("HZ02")
    by_weight = CompiledQuery(
        lambda weight: Ticket.objects.filter(priority_weight__gt=weight).values_list("number"),
        weight=Slot.INT,
    )
    expected = list(Ticket.objects.filter(priority_weight__gt=0).values_list("number"))
    assert by_weight.rows(weight=0) == expected
    assert expected  # the elderly ticket


def test_values_must_name_the_slots_and_lists_stay_short() -> None:
    with pytest.raises(TypeError):
        _BY_SEQ.rows(center_id=1)
    with pytest.raises(TypeError):
        _BY_SEQ.rows(center_id=1, seqs=[1], extra=2)
    with pytest.raises(ValueError, match="500"):
        _BY_SEQ.rows(center_id=1, seqs=list(range(501)))


# --- insert ----------------------------------------------------------------------------------


def _event(ticket, **fields):
    return TicketEvent(
        center_id=ticket.center_id,
        ticket=ticket,
        kind=EventKind.RECALL,
        at=hall_clock.now(),
        item_id=ticket.item_id,
        data={"n": 1, "号": "A001"},
        **fields,
    )


def test_insert_writes_the_row_save_would_write(issue, clock) -> None:
    ticket = issue("HZ02")
    inserted, saved = _event(ticket, wait_seconds=5), _event(ticket, wait_seconds=5)
    insert(inserted)
    saved.save()
    assert inserted.pk is not None
    assert not inserted._state.adding
    columns = [f.attname for f in TicketEvent._meta.concrete_fields if f.attname != "id"]
    rows = TicketEvent.objects.filter(pk__in=[inserted.pk, saved.pk]).order_by("pk")
    first, second = (tuple(getattr(row, name) for name in columns) for row in rows)
    assert first == second
    assert rows[0].data == {"n": 1, "号": "A001"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="server-side binding: PostgreSQL")
def test_compiled_statements_bind_their_values_on_the_server_on_postgresql(issue, clock) -> None:
    """Compiled SQL goes out with its values apart (psycopg's `Cursor`), not quoted into the
    text on the client (`ClientCursor`, the ORM's default), and reads and writes as the ORM
    would — text with quotes, a percent sign and a backslash included."""
    import psycopg

    ticket = issue("HZ02")
    drivers: list[type] = []

    def watch(execute, sql, params, many, context):
        drivers.append(type(context["cursor"].cursor))
        return execute(sql, params, many, context)

    tricky = {"note": "O'Brien 100% \\ 王", "号": "A001"}
    event = _event(ticket, wait_seconds=7)
    event.data = tricky
    with connection.execute_wrapper(watch):
        insert(event)
        found = _BY_SEQ.objects(center_id=ticket.center_id, seqs=[ticket.seq])
        changed = CompiledUpdate(
            lambda pk, key: (Ticket.objects.filter(pk=pk), {"request_key": key}),
            pk=Slot.TEXT,
            key=Slot.TEXT,
        ).run(pk=ticket.pk, key="O'Brien 100% \\ 王")
    assert [row.pk for row in found] == [ticket.pk]
    assert changed == 1
    assert TicketEvent.objects.get(pk=event.pk).data == tricky
    assert Ticket.objects.get(pk=ticket.pk).request_key == "O'Brien 100% \\ 王"
    assert len(drivers) == 3
    assert not any(issubclass(driver, psycopg.ClientCursor) for driver in drivers)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_compiled_statements_are_prepared_after_five_runs(issue, clock) -> None:
    """After five runs on a connection a compiled statement is prepared on the server (its
    sixth run prepares it); its values are bound on the server from the first."""
    import psycopg

    ticket = issue("HZ02")

    def build(center_id, seqs):  # a statement of this test only (none prepared before it)
        return Ticket.objects.filter(center_id=center_id, seq__in=seqs).order_by("-seq", "-pk")

    compiled = CompiledQuery(build, center_id=Slot.INT, seqs=Slot.INTS)

    def prepared() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            return int(cursor.fetchone()[0])

    connection.ensure_connection()
    assert connection.connection.prepare_threshold == 5
    before = prepared()
    drivers: list[type] = []

    def watch(execute, sql, params, many, context):
        if "pg_prepared_statements" not in sql:
            drivers.append(type(context["cursor"].cursor))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        for run in range(1, 7):
            found = compiled.objects(center_id=ticket.center_id, seqs=[ticket.seq])
            assert [row.pk for row in found] == [ticket.pk]
            assert prepared() == before + (run > 5)
    assert len(drivers) == 6
    assert not any(issubclass(driver, psycopg.ClientCursor) for driver in drivers)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan cache")
def test_the_people_ahead_of_a_new_ticket_read_a_few_rows_once_prepared(issue, clock) -> None:
    """The people-ahead read is prepared, so PostgreSQL may keep one generic plan for every
    ticket. With the place in line written as one row value, the generic plan reads the index
    range of the tickets queued after this one: for the newest ticket in a line of 2,000, a
    few rows. The same condition spelled out with OR is no index range; a generic plan for it
    read the whole day's line on the benchmark (README, 性能 → Twenty-third pass)."""
    model = issue("HZ02")
    copied = [f.attname for f in Ticket._meta.concrete_fields if f.attname != "id"]
    now = hall_clock.now()

    def crowd(count: int, first_seq: int, **values) -> None:
        tickets = []
        for n in range(count):
            ticket = Ticket(**{name: getattr(model, name) for name in copied})
            ticket.seq, ticket.number = first_seq + n, f"Z{first_seq + n}"
            ticket.queue_at = ticket.arrived_at = now - timedelta(seconds=600 - n // 10)
            for name, value in values.items():
                setattr(ticket, name, value(ticket) if callable(value) else value)
            tickets.append(ticket)
        Ticket.objects.bulk_create(tickets)

    crowd(  # yesterday's line, served
        3000,
        1000,
        service_day=model.service_day - timedelta(days=1),
        queue_at=lambda t: t.queue_at - timedelta(days=1),
        status=TicketStatus.FINISHED,
    )
    with connection.cursor() as cursor:
        # the statistics of the morning, before the rush (autovacuum runs behind it)
        cursor.execute("ANALYZE hall_ticket")
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
    crowd(2000, 5000)  # today's line
    clock.shift(1)
    newest = issue("HZ02")
    settings = hall_settings_get(center_id=newest.center_id)
    overdue, ahead_of = _ahead_of(newest, now=hall_clock.now(), settings=settings)
    assert not overdue
    bound = []

    def capture(execute, sql, params, many, context):
        bound.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        for _ in range(8):  # prepared after five runs, and planned generically (forced)
            rows = _AHEAD_IN_LINE.rows(
                center_id=newest.center_id, day=newest.service_day, **ahead_of
            )
    assert sum(n for _item, _targeted, n in rows) == 2001  # the first ticket and the crowd
    sql, params = bound[-1]
    numbers = iter(range(1, len(params) + 1))
    as_prepared = re.sub("%s", lambda _mark: f"${next(numbers)}", sql)  # as psycopg sends it
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, generic_plans FROM pg_prepared_statements WHERE statement = %s",
            [as_prepared],
        )
        [(name, generic)] = cursor.fetchall()
        marks = ", ".join(["%s"] * len(params))
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE {name}({marks})", params)
        [[[plan]]] = cursor.fetchall()
    assert generic >= 3  # the runs since it was prepared

    def nodes(node):
        yield node
        for child in node.get("Plans", []):
            yield from nodes(child)

    # the place in line bounds an index range: only the tickets from this one on are read
    ranges = [n.get("Index Cond", "") for n in nodes(plan["Plan"])]
    assert any("ROW(queue_at, seq) >= ROW(" in cond for cond in ranges), plan
    on_tickets = [n for n in nodes(plan["Plan"]) if n.get("Relation Name") == "hall_ticket"]
    assert len(on_tickets) == 2, plan  # those after it, those of a lower weight past the limit
    read = sum(n["Actual Rows"] + n.get("Rows Removed by Filter", 0) for n in on_tickets)
    assert read <= 2, plan  # the ticket itself (none queue after it, none is past the limit)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_the_counter_and_the_chain_head_are_bound_and_prepared_on_the_server(issue, clock) -> None:
    """The two hand-written statements of every issue (the ticket counter's increment, the
    audit chain's locked head) run on `statement_cursor`: bound on the server, prepared from
    their fifth run on the connection."""
    import psycopg

    drivers: dict[str, list[type]] = {"counter": [], "head": []}

    def watch(execute, sql, params, many, context):
        for name, table in (("counter", "hall_ticketcounter"), ("head", "audit_auditchainhead")):
            if table in sql and "INSERT" not in sql:
                drivers[name].append(type(context["cursor"].cursor))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        numbers = [issue("HZ02").number for _ in range(6)]
    assert len(set(numbers)) == 6
    assert len(drivers["counter"]) >= 5
    assert len(drivers["head"]) >= 6
    assert not any(
        issubclass(driver, psycopg.ClientCursor) for found in drivers.values() for driver in found
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert any('UPDATE "hall_ticketcounter"' in text for text in statements)
    assert any("FROM audit_auditchainhead" in text and "FOR UPDATE" in text for text in statements)


def test_insert_sends_the_signals_save_sends(issue, clock) -> None:
    ticket = issue("HZ02")
    heard = []

    def before(sender, instance, **kwargs):
        heard.append(("pre", instance.pk, instance._state.adding))

    def after(sender, instance, created, **kwargs):
        heard.append(("post", instance.pk, created))

    pre_save.connect(before, sender=TicketEvent)
    post_save.connect(after, sender=TicketEvent)
    try:
        event = _event(ticket)
        insert(event)
    finally:
        pre_save.disconnect(before, sender=TicketEvent)
        post_save.disconnect(after, sender=TicketEvent)
    assert heard == [("pre", None, True), ("post", event.pk, True)]
    assert TicketEvent.objects.filter(pk=event.pk).exists()


def test_insert_refuses_an_unsaved_related_object_as_save_does(issue, clock) -> None:
    ticket = issue("HZ02")
    event = _event(ticket, window=Window(center_id=ticket.center_id, code="W99"))  # not saved
    with pytest.raises(ValueError, match="unsaved related object"):
        insert(event)
    assert event.pk is None


def test_insert_writes_a_ticket_with_its_random_key_as_save_would(issue, clock) -> None:
    """A primary key with a default (the ticket's random id) is written like any column."""
    model = issue("HZ02")
    values = {
        f.attname: getattr(model, f.attname)
        for f in Ticket._meta.concrete_fields
        if f.attname not in {"id", "number", "seq", "created_at", "updated_at"}
    }
    values.update(phone="13912345678", has_phone=True)  # encrypted at rest, as save() writes it
    inserted, saved = (
        Ticket(**values, number="A901", seq=901),
        Ticket(**values, number="A902", seq=902),
    )
    insert(inserted)
    saved.save(force_insert=True)
    assert len(inserted.pk) == len(saved.pk)
    assert not inserted._state.adding
    written = {t.pk: t for t in Ticket.objects.filter(pk__in=[inserted.pk, saved.pk])}
    columns = [
        f.attname for f in Ticket._meta.concrete_fields if f.attname not in {"id", "number", "seq"}
    ]
    first, second = (
        tuple(getattr(written[pk], c) for c in columns) for pk in (inserted.pk, saved.pk)
    )
    assert first == second
    assert written[inserted.pk].phone == "13912345678"


def test_insert_unless_duplicate_leaves_a_duplicate_out_without_an_error(issue, clock) -> None:
    """`ON CONFLICT DO NOTHING`: a row that breaks a unique constraint is not written and the
    transaction goes on (no savepoint to roll back); the first row stays as it was."""
    ticket = issue("HZ02")
    day = hall_clock.today()
    first = TicketCounter(center_id=ticket.center_id, service_day=day, prefix="Z", last=7)
    again = TicketCounter(center_id=ticket.center_id, service_day=day, prefix="Z", last=99)
    heard = []

    def after(sender, instance, created, **kwargs):
        heard.append(instance.last)

    post_save.connect(after, sender=TicketCounter)
    try:
        with transaction.atomic():
            assert insert(first, unless_duplicate=True) is True
            assert insert(again, unless_duplicate=True) is False
            # the transaction is still usable
            assert TicketCounter.objects.filter(prefix="Z").count() == 1
    finally:
        post_save.disconnect(after, sender=TicketCounter)
    assert first.pk is not None
    assert again.pk is None
    assert heard == [7]
    assert TicketCounter.objects.get(prefix="Z").last == 7


def test_insert_unless_duplicate_with_a_written_key_tells_by_the_row_count(issue, clock) -> None:
    """A model whose key is written (a ticket's random id) has no RETURNING: the row count
    tells whether the row went in."""
    ticket = issue("HZ02")
    values = {
        f.attname: getattr(ticket, f.attname)
        for f in Ticket._meta.concrete_fields
        if f.attname not in {"id", "created_at", "updated_at", "request_key"}
    }
    twin = Ticket(**values)  # the same center, day and number: the unique number refuses it
    assert insert(twin, unless_duplicate=True) is False
    assert not Ticket.objects.filter(pk=twin.pk).exists()
    fresh = Ticket(**{**values, "number": "A950", "seq": 950})
    assert insert(fresh, unless_duplicate=True) is True
    assert Ticket.objects.get(pk=fresh.pk).number == "A950"


def test_insert_saves_an_expression_value_through_save(issue, clock) -> None:
    """A value that is an expression (computed by the database) is not bound as a plain value:
    the instance goes through `save()`, which writes what the expression computes."""
    ticket = issue("HZ02")
    event = _event(ticket, wait_seconds=Value(40) + Value(2))
    assert insert(event) is True
    assert TicketEvent.objects.get(pk=event.pk).wait_seconds == 42
    with pytest.raises(ImproperlyConfigured):
        insert(_event(ticket, wait_seconds=Value(1)), unless_duplicate=True)


def _new_ticket(like, seq):
    """A new ticket of the same center and day as `like`, number A{seq}."""
    values = {
        f.attname: getattr(like, f.attname)
        for f in Ticket._meta.concrete_fields
        if f.attname not in {"id", "created_at", "updated_at", "request_key"}
    }
    return Ticket(**{**values, "number": f"A{seq}", "seq": seq})


def _statements_of(run):
    seen: list[str] = []

    def watch(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        run()
    return seen


def test_insert_together_writes_the_rows_of_one_write_in_one_statement_on_postgresql(
    issue, clock
) -> None:
    """A new ticket, its item and two events that refer to it: one statement on PostgreSQL (one
    INSERT each elsewhere); every auto key set, the signals sent as `insert` sends them, and
    the rows read back as written."""
    like = issue("HZ02")
    ticket = _new_ticket(like, 960)
    item = TicketItem(ticket=ticket, item_id=like.item_id, position=0)
    first, second = _event(ticket, wait_seconds=3), _event(ticket, wait_seconds=4)
    heard = []

    def before(sender, instance, **kwargs):
        heard.append(("pre", sender.__name__))

    def after(sender, instance, created, **kwargs):
        heard.append(("post", sender.__name__, instance.pk is not None, created))

    for model in (Ticket, TicketItem, TicketEvent):
        pre_save.connect(before, sender=model)
        post_save.connect(after, sender=model)
    try:
        with transaction.atomic():
            seen = _statements_of(lambda: insert_together(ticket, item, first, second))
    finally:
        for model in (Ticket, TicketItem, TicketEvent):
            pre_save.disconnect(before, sender=model)
            post_save.disconnect(after, sender=model)
    assert len(seen) == (1 if connection.vendor == "postgresql" else 4)
    assert all("INSERT" in sql for sql in seen)
    names = ["Ticket", "TicketItem", "TicketEvent", "TicketEvent"]
    assert [h[1] for h in heard if h[0] == "pre"] == names
    assert [h for h in heard if h[0] == "post"] == [("post", name, True, True) for name in names]
    if connection.vendor == "postgresql":  # every row prepared before the one statement
        assert [h[0] for h in heard] == ["pre"] * 4 + ["post"] * 4
    assert not any(row._state.adding for row in (ticket, item, first, second))
    assert Ticket.objects.get(pk=ticket.pk).number == "A960"
    assert TicketItem.objects.get(pk=item.pk).ticket_id == ticket.pk
    written = TicketEvent.objects.filter(ticket_id=ticket.pk).order_by("wait_seconds")
    assert [(e.pk, e.wait_seconds, e.data) for e in written] == [
        (first.pk, 3, {"n": 1, "号": "A001"}),
        (second.pk, 4, {"n": 1, "号": "A001"}),
    ]


def test_insert_together_writes_all_the_rows_or_none(issue, clock) -> None:
    """A row a unique constraint refuses (a second ticket with a taken number) fails the whole
    write: the event given with it is not written either."""
    like = issue("HZ02")
    twin = _new_ticket(like, like.seq)
    twin.number = like.number
    event = _event(like, wait_seconds=9)
    events_before = TicketEvent.objects.filter(ticket_id=like.pk).count()
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_together(event, twin)
    assert TicketEvent.objects.filter(ticket_id=like.pk).count() == events_before
    assert not Ticket.objects.filter(pk=twin.pk).exists()


def test_insert_together_refuses_a_row_that_refers_to_an_auto_key_of_the_same_call(
    issue, clock
) -> None:
    """A window's key comes from the database: an event of the same call cannot refer to it,
    and nothing is written (Django's own check, before any statement)."""
    ticket = issue("HZ02")
    window = Window(center_id=ticket.center_id, code="W98", name="98号窗口")
    event = _event(ticket, window=window)
    with pytest.raises(ValueError, match="unsaved related object"):
        _statements_of(lambda: insert_together(window, event))
    assert not Window.objects.filter(code="W98").exists()
    assert event.pk is None


def test_an_issue_writes_its_items_event_and_audit_entry_in_one_statement(issue, clock) -> None:
    """After the counter, the ticket (its insert moves the waiting tally, locked before the
    chain's head as in every hall write), then the chain's head, then the items, the event and
    the audit entry together: two INSERT statements on PostgreSQL, four elsewhere; the chain
    still verifies."""
    from bianmin.audit.selectors import audit_verify_chains

    issue("HZ02")  # the day's counter and the chain's head exist
    seen = _statements_of(lambda: issue("HZ05"))
    writes = [sql for sql in seen if "INSERT" in sql or "audit_auditchainhead" in sql]
    if connection.vendor == "postgresql":
        ticket, head, together = writes
        assert ticket.startswith('INSERT INTO "hall_ticket" ')
        assert "FOR UPDATE" in head
        for table in ("hall_ticketitem", "hall_ticketevent", "audit_auditentry"):
            assert f'INSERT INTO "{table}"' in together
    else:
        assert len([sql for sql in writes if "INSERT" in sql]) == 4
    assert audit_verify_chains() == []


def test_the_halls_hot_statements_fit_the_drivers_conversion_cache(issue, officer, clock) -> None:
    """psycopg converts a statement's `%s` placeholders once per text only for texts of up to
    4 KB with up to 50 values; a longer one is parsed again on every run (about 0.6 ms of a
    call-next's CPU under cProfile when the pool head grew past it, with the items read along
    in a first version). Every statement of an issue, a call with its answer and a finish
    stays under."""
    if connection.vendor != "postgresql":
        pytest.skip("psycopg's cache: PostgreSQL")
    from psycopg import _queries

    from bianmin.hall.selectors import ticket_item_codes, ticket_state
    from bianmin.hall.services import ticket_finish

    issue("HZ02")
    window_sign_in(actor=officer, window_code="W01")
    seen: list[tuple[str, int]] = []

    def watch(execute, sql, params, many, context):
        seen.append((sql, len(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        ticket_state(issue("HZ05"))
        called = ticket_call_next(actor=officer, window_code="W01")
        ticket_item_codes(called)
        ticket_finish(actor=officer, ticket_id=called.pk)
    assert len(seen) > 10
    for sql, values in seen:
        assert len(sql.encode()) <= _queries.MAX_CACHED_STATEMENT_LENGTH, sql
        assert values <= _queries.MAX_CACHED_STATEMENT_PARAMS, sql


_RECALLED = CompiledUpdate(
    lambda ticket_id, status, officer_id, now: (
        Ticket.objects.filter(pk=ticket_id, status=status),
        {"officer_id": officer_id, "called_at": now, "recall_count": 2, "updated_at": now},
    ),
    ticket_id=Slot.TEXT,
    status=Slot.TEXT,
    officer_id=Slot.INT,
    now=Slot.DATETIME,
)


def test_a_compiled_update_writes_what_the_orm_update_writes(issue, officer, clock) -> None:
    first, second = issue("HZ02"), issue("HZ02")
    now = hall_clock.now()
    changed = _RECALLED.run(
        ticket_id=first.pk, status=TicketStatus.WAITING, officer_id=officer.pk, now=now
    )
    orm = Ticket.objects.filter(pk=second.pk, status=TicketStatus.WAITING).update(
        officer_id=officer.pk, called_at=now, recall_count=2, updated_at=now
    )
    assert changed == orm == 1
    columns = [
        f.attname
        for f in Ticket._meta.concrete_fields
        if f.attname not in ("id", "seq", "number", "created_at", "arrived_at", "queue_at")
    ]
    compiled_row, orm_row = (Ticket.objects.get(pk=t.pk) for t in (first, second))
    assert [getattr(compiled_row, c) for c in columns] == [getattr(orm_row, c) for c in columns]
    assert (compiled_row.officer_id, compiled_row.called_at, compiled_row.recall_count) == (
        officer.pk,
        now,
        2,
    )


def test_a_compiled_update_whose_condition_fails_changes_nothing(issue, officer, clock) -> None:
    ticket = issue("HZ02")
    before = Ticket.objects.get(pk=ticket.pk)
    changed = _RECALLED.run(
        ticket_id=ticket.pk, status=TicketStatus.CALLED, officer_id=officer.pk, now=hall_clock.now()
    )
    assert changed == 0
    after = Ticket.objects.get(pk=ticket.pk)
    assert (after.officer_id, after.called_at, after.updated_at) == (
        before.officer_id,
        before.called_at,
        before.updated_at,
    )


def test_a_compiled_update_sets_a_missing_time_as_null(issue, clock) -> None:
    ticket = issue("HZ02")
    Ticket.objects.filter(pk=ticket.pk).update(finished_at=hall_clock.now())
    cleared = CompiledUpdate(
        lambda ticket_id, at: (Ticket.objects.filter(pk=ticket_id), {"finished_at": at}),
        ticket_id=Slot.TEXT,
        at=Slot.DATETIME,
    )
    assert cleared.run(ticket_id=ticket.pk, at=None) == 1
    assert Ticket.objects.get(pk=ticket.pk).finished_at is None


def test_a_compiled_update_refuses_expressions_and_other_tables(issue, clock) -> None:
    ticket = issue("HZ02")
    counted = CompiledUpdate(
        lambda ticket_id: (Ticket.objects.filter(pk=ticket_id), {"recall_count": F("seq")}),
        ticket_id=Slot.TEXT,
    )
    with pytest.raises(ImproperlyConfigured, match="plain values"):
        counted.run(ticket_id=ticket.pk)
    joined = CompiledUpdate(
        lambda code: (Ticket.objects.filter(item__code=code), {"recall_count": 1}),
        code=Slot.TEXT,
    )
    with pytest.raises(ImproperlyConfigured, match="one table"):
        joined.run(code="HZ02")
    assert Ticket.objects.get(pk=ticket.pk).recall_count == 0


def test_the_pool_head_follows_the_order_as_tickets_pass_the_limit(
    issue, guide, clock, hall, make_staff, officer
) -> None:
    """Each segment answers in turn: a ticket transferred to the officer first (past the limit
    or not), then the pooled tickets past the limit by their wait whatever their class, then
    the others by class and wait; checked against the ORM's order as the clock moves."""
    colleague = make_staff(Role.OFFICER)
    plain = issue("HZ02")
    clock.shift(60)
    elderly = issue("HZ02", priority="elderly", actor=guide)
    clock.shift(60)
    issue("JG01")
    clock.shift(60)
    issue("JG01", priority="disabled", actor=guide)
    window_sign_in(actor=officer, window_code="W01")
    mine = issue("HZ05")
    assert ticket_call_next(actor=officer, window_code="W01").pk == elderly.pk
    ticket_transfer(actor=officer, ticket_id=elderly.pk, officer_id=colleague.pk)
    heads = []
    for minutes in (0, 58, 2, 3, 60):  # nobody past the limit, then one by one, then all
        clock.shift(minutes * 60)
        for officer_id in (officer.pk, colleague.pk):
            for item_ids in (None, {plain.item_id}, {mine.item_id}):
                expected = _orm_head(hall.pk, officer_id, item_ids)
                head = pool_head(
                    center_id=hall.pk,
                    now=hall_clock.now(),
                    settings=hall_settings_get(center_id=hall.pk),
                    officer_id=officer_id,
                    item_ids=item_ids,
                )
                assert (head.pk if head else None) == (expected.pk if expected else None)
                heads.append(head.number if head else None)
    disabled = Ticket.objects.get(priority="disabled")
    # every segment answered: the transferred ticket (the colleague's), a plain ticket past the
    # limit before a priority class, and a class before longer waits within the limit
    assert {elderly.number, plain.number, disabled.number} <= set(heads)
