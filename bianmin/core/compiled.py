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
`unless_duplicate`, a row a unique constraint refuses is left out without an error); other
writes stay with the ORM. The two hot statements the ORM cannot write (the ticket counter's
`UPDATE … RETURNING`, the audit chain's locking read of its head) run their fixed SQL on
`statement_cursor`, bound and prepared the same way.

On PostgreSQL the compiled statements send their values apart from the SQL (server-side
binding, psycopg's `Cursor`), where the rest of Django binds them into the SQL text on the
client (`ClientCursor`, Django's default). Binding on the client quotes every value as an SQL
literal in Python; psycopg's C extension adapts the same values for the wire (a 25-value
statement: 68–71 µs of CPU against 103–132 µs, 2026-12-05; served, the hall's write path did
not move beyond the machine's noise — README, 性能 → Sixteenth pass).
Only these statements change: their SQL is fixed and covered by the tests, whereas the ORM's
other queries may repeat a value in ways server-side binding refuses (a grouped expression).
They are also prepared on the server from their fifth run on a connection (psycopg's
`prepare_threshold`, set in the settings; Django's client-binding cursor never prepares), so
PostgreSQL parses them once and, where its generic plan costs no more than one planned for the
values, stops planning them: the served call + finish 0.188 → 0.214 of the bare view, 4.5 → 3.7
ms of the machine's CPU per request (README, 性能 → Seventeenth pass). A statement whose best plan
depends on its values (the people ahead of a new ticket: how many queue after it is known only
from the time given) is declared `custom_plan=True`: it is bound on the server like the others
but never prepared (psycopg's `prepare=False`), so PostgreSQL plans it for its values every time.
"""

from __future__ import annotations

import enum
import weakref
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.backends.utils import CursorWrapper
from django.db.models import FETCH_ONE, BinaryField, Model
from django.db.models.query import get_related_populators
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery, UpdateQuery


class Slot(enum.Enum):
    """The kind of a value a compiled query is given."""

    INT = "int"
    TEXT = "text"
    DATE = "date"
    DATETIME = "datetime"
    INTS = "ints"  # a sequence of integers, for `__in`


# Integer placeholders fit every integer column, positive small ones too (Django drops a
# condition whose value is out of the column's range); a second set (`variant` 1) is compiled
# too, so a constant of the query that equals a placeholder shows. Up to 15 slots and
# sequences of up to `MAX_SEQUENCE` values.
_INT_BASE = 16_384
MAX_SEQUENCE = 500


def _placeholder(slot: Slot, number: int, index: int, variant: int) -> Any:
    if slot in (Slot.INT, Slot.INTS):
        return _INT_BASE + 1024 * number + 2 * index + variant
    if slot is Slot.TEXT:
        return f"~compiled-{number}-{variant}~"
    if slot is Slot.DATE:
        return date(1901, 1, 1) + timedelta(days=40 * number + 2 * variant)
    return datetime(1901, 1, 1, tzinfo=UTC) + timedelta(days=40 * number + 2 * variant, seconds=7)


def _adapter(slot: Slot, connection: BaseDatabaseWrapper) -> Callable[[Any], Any]:
    if slot is Slot.DATE:
        return connection.ops.adapt_datefield_value
    if slot is Slot.DATETIME:
        return connection.ops.adapt_datetimefield_value
    return lambda value: value


class _Bind(NamedTuple):
    """Where a compiled parameter's value comes from."""

    name: str  # the slot
    position: int  # the position in a sequence slot (0 otherwise)
    wrap: Callable[[Any], Any] | None  # the type the driver was given the placeholder in


class _Compiled:
    """One compilation: the SQL, where each parameter comes from, how to read the rows."""

    def __init__(
        self,
        sql: str | None,
        binds: list[_Bind | None],
        constants: list[Any],
        converters: dict[int, tuple[list[Any], Any]],
        model: type[Model] | None,
        attnames: list[str],
        related: list[Any],
        annotations: dict[str, int],
    ) -> None:
        self.sql = sql  # None: the query matches nothing for this shape
        self.binds = binds  # per parameter: where its value comes from, or None (a constant)
        self.constants = constants
        self.converters = converters
        self.model = model
        self.attnames = attnames
        self.related = related  # Django's populators of select_related() instances
        self.annotations = annotations


# How a compilation's rows are read: converters per column, then (for model instances) the
# model, its attribute names, the select_related populators and the annotations' columns.
_Reading = tuple[dict[int, Any], type[Model] | None, list[str], list[Any], dict[str, int]]


class _PlannedPerCallCursor(ServerBindingCursor):  # type: ignore[misc]
    """Values bound on the server, the statement never prepared: PostgreSQL plans the unnamed
    statement for each call's values (`custom_plan`)."""

    def execute(self, query: Any, params: Any = None, *, prepare: Any = None, **kw: Any) -> Any:
        return super().execute(query, params, prepare=False, **kw)  # type: ignore[misc]


def _cursor(connection: BaseDatabaseWrapper, *, custom_plan: bool = False) -> CursorWrapper:
    """A cursor for compiled SQL: Django's, except that on PostgreSQL it binds the values on
    the server and, unless `custom_plan`, may prepare the statement (see the module's
    docstring); wrapped as Django wraps its own, so errors, query logging and the execute
    wrappers behave the same."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    driver = _PlannedPerCallCursor if custom_plan else ServerBindingCursor
    with connection.wrap_database_errors:
        # Django's private step from a driver cursor to its wrapper (debug or not)
        return connection._prepare_cursor(  # type: ignore[attr-defined,no-any-return]
            driver(connection.connection)  # type: ignore[call-arg]
        )


def statement_cursor(*, using: str = DEFAULT_DB_ALIAS) -> CursorWrapper:
    """A cursor for a fixed statement the ORM cannot write (`UPDATE … RETURNING`, a locking read
    that creates its row first): on PostgreSQL its values are bound on the server and it is
    prepared from its fifth run on a connection, as the compiled statements are; Django's own
    cursor elsewhere. Its SQL must not depend on the values (one text, one prepared plan)."""
    return _cursor(connections[using])


def _as_sql(query: Any, connection: BaseDatabaseWrapper) -> tuple[Any, str, list[Any]]:
    compiler = query.get_compiler(using=connection.alias)
    sql, params = compiler.as_sql()
    return compiler, sql, list(params)


class _CompiledStatement:
    """A statement built with the ORM and compiled once per connection and shape (what
    `CompiledQuery` reads and `CompiledUpdate` writes share)."""

    def __init__(
        self, build: Callable[..., Any], *, custom_plan: bool = False, **slots: Slot
    ) -> None:
        """`build` takes the slots' values and returns the queryset (`CompiledFirst`: the
        querysets) to compile; `custom_plan`: never prepared, planned for each call's values."""
        if len(slots) > 15:
            raise ImproperlyConfigured("a compiled query takes 15 values at most")
        if not isinstance(custom_plan, bool):  # a slot of that name, unpacked from a dict
            raise ImproperlyConfigured("`custom_plan` is a flag; a slot needs another name")
        self.build = build
        self.custom_plan = custom_plan
        self.slots = slots
        self._compiled: weakref.WeakKeyDictionary[
            BaseDatabaseWrapper, dict[tuple[int, ...], _Compiled]
        ] = weakref.WeakKeyDictionary()

    # --- compiling ---------------------------------------------------------------------------

    def _shape(self, values: dict[str, Any]) -> tuple[int, ...]:
        if values.keys() != self.slots.keys():
            raise TypeError(f"values for {sorted(self.slots)} expected, got {sorted(values)}")
        shape = tuple(len(values[name]) for name, slot in self.slots.items() if slot is Slot.INTS)
        if any(length > MAX_SEQUENCE for length in shape):
            raise ValueError(f"a compiled query takes sequences of {MAX_SEQUENCE} values at most")
        return shape

    def _for(self, connection: BaseDatabaseWrapper, values: dict[str, Any]) -> _Compiled:
        shape = self._shape(values)
        by_shape = self._compiled.setdefault(connection, {})
        compiled = by_shape.get(shape)
        if compiled is None:
            compiled = by_shape[shape] = self._compile(connection, shape)
        return compiled

    def _samples(self, shape: tuple[int, ...], variant: int) -> dict[str, Any]:
        lengths = iter(shape)
        samples: dict[str, Any] = {}
        for number, (name, slot) in enumerate(self.slots.items()):
            if slot is Slot.INTS:
                samples[name] = [
                    _placeholder(slot, number, index, variant) for index in range(next(lengths))
                ]
            else:
                samples[name] = _placeholder(slot, number, 0, variant)
        return samples

    def _compile(self, connection: BaseDatabaseWrapper, shape: tuple[int, ...]) -> _Compiled:
        first, second = (self._compile_once(connection, shape, variant) for variant in (0, 1))
        if first.sql != second.sql or first.binds != second.binds:
            raise ImproperlyConfigured(
                f"{self.build!r}: a placeholder collides with a constant or changes the SQL"
            )
        return first

    def _compile_once(
        self, connection: BaseDatabaseWrapper, shape: tuple[int, ...], variant: int
    ) -> _Compiled:
        samples = self._samples(shape, variant)
        try:
            compiler, sql, params = self._statement(self.build(**samples), connection)
        except EmptyResultSet:
            if 0 in shape:  # an empty `__in` list: no rows, as Django answers it
                return _Compiled(None, [], [], {}, None, [], [], {})
            raise ImproperlyConfigured(
                f"{self.build!r}: a placeholder emptied the query (out of a field's range?)"
            ) from None
        where: dict[tuple[type, Any], tuple[str, int]] = {}
        for name, slot in self.slots.items():
            adapt = _adapter(slot, connection)
            sample = samples[name]
            for index, value in enumerate(sample if slot is Slot.INTS else [sample]):
                where[_match_key(adapt(value))] = (name, index)
        binds: list[_Bind | None] = []
        constants: list[Any] = []
        for param in params:
            try:
                found = where.get(_match_key(param))
            except TypeError:  # an unhashable constant
                found = None
            # psycopg 3 binds some integers typed (Int2, Int4): the value is given the same type
            wrap = (
                type(param) if found and isinstance(param, int) and type(param) is not int else None
            )
            binds.append(_Bind(*found, wrap) if found else None)
            constants.append(None if found else param)
        missing = set(where.values()) - {(b.name, b.position) for b in binds if b is not None}
        if missing:
            raise ImproperlyConfigured(
                f"{self.build!r}: {sorted(missing)} not found among the compiled parameters"
            )
        return _Compiled(sql, binds, constants, *self._reading(compiler))

    @staticmethod
    def _statement(built: Any, connection: BaseDatabaseWrapper) -> tuple[Any, str, list[Any]]:
        """The compiler that reads the rows, the SQL and its parameters (EmptyResultSet when
        the query can match nothing)."""
        return _as_sql(built.query, connection)

    @staticmethod
    def _reading(compiler: Any) -> _Reading:
        """How rows are read: the columns' converters, and how rows become instances, as
        Django's ModelIterable makes them."""
        converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
        klass_info = compiler.klass_info
        if not klass_info:  # values() / values_list(): rows only
            return converters, None, [], [], {}
        fields = klass_info["select_fields"]
        if fields != list(range(len(fields))):
            raise ImproperlyConfigured("a compiled query must select the model's fields first")
        attnames = [compiler.select[i][0].target.attname for i in fields]
        related = get_related_populators(klass_info, compiler.select, compiler.using, FETCH_ONE)
        annotations = dict(compiler.annotation_col_map or {})
        return converters, klass_info["model"], attnames, related, annotations

    def _params(
        self, compiled: _Compiled, connection: BaseDatabaseWrapper, values: dict[str, Any]
    ) -> list[Any]:
        given: dict[str, Sequence[Any]] = {}
        for name, slot in self.slots.items():
            adapt = _adapter(slot, connection)
            value = values[name]
            items = _sequence(value) if slot is Slot.INTS else [value]
            given[name] = [adapt(item) for item in items]
        params = []
        for bind, constant in zip(compiled.binds, compiled.constants, strict=True):
            if bind is None:
                params.append(constant)
                continue
            value = given[bind.name][bind.position]
            params.append(value if bind.wrap is None else bind.wrap(value))
        return params


class CompiledQuery(_CompiledStatement):
    """A read: rows, model instances, or the first of them."""

    # --- reading -----------------------------------------------------------------------------

    def rows(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[tuple[Any, ...]]:
        """The result rows, with Django's converters applied (dates, datetimes, …)."""
        connection = connections[using]
        return self._fetch(connection, self._for(connection, values), values)

    def objects(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[Any]:
        """Model instances (with the query's annotations as attributes)."""
        connection = connections[using]
        compiled = self._for(connection, values)
        if compiled.sql is None:
            return []
        model = compiled.model
        if model is None:
            raise ImproperlyConfigured("objects() needs a query of model instances")
        width = len(compiled.attnames)
        out = []
        for row in self._fetch(connection, compiled, values):
            instance = model.from_db(using, compiled.attnames, row[:width], fetch_mode=FETCH_ONE)
            for populator in compiled.related:
                populator.populate(row, instance)
            for name, position in compiled.annotations.items():
                setattr(instance, name, row[position])
            out.append(instance)
        return out

    def _fetch(
        self, connection: BaseDatabaseWrapper, compiled: _Compiled, values: dict[str, Any]
    ) -> list[tuple[Any, ...]]:
        if compiled.sql is None:
            return []
        with _cursor(connection, custom_plan=self.custom_plan) as cursor:
            cursor.execute(compiled.sql, self._params(compiled, connection, values))
            fetched = cursor.fetchall()
        if not compiled.converters:
            return [tuple(row) for row in fetched]
        out = []
        for row in fetched:
            converted = list(row)
            for position, (functions, expression) in compiled.converters.items():
                value = converted[position]
                for function in functions:
                    value = function(value, expression, connection)
                converted[position] = value
            out.append(tuple(converted))
        return out

    def first(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any) -> Any | None:
        found = self.objects(using=using, **values)
        return found[0] if found else None


class CompiledFirst(CompiledQuery):
    """The first row of several queries taken in turn, in ONE statement: `build` returns the
    queries (segments of one order, each sliced to its first row), and the answer is the first
    row of the first segment that has one.

    The segments run as common table expressions joined by `UNION ALL … LIMIT 1`: the database
    reads the next segment only when the ones before it are empty, so a segment that locks its
    row (`select_for_update`) locks nothing unless it is the one that answers (PostgreSQL plans
    no parallel query for a statement that locks rows, and SQLite has none: the segments are
    read in order). Each segment can follow an index in its own order where one sort over the
    union would read every row. Every segment must select the same columns."""

    @staticmethod
    def _statement(built: Any, connection: BaseDatabaseWrapper) -> tuple[Any, str, list[Any]]:
        segments = list(built)
        if len(segments) < 2:
            raise ImproperlyConfigured("CompiledFirst takes two queries or more")
        compilers, parts, params = [], [], []
        for number, segment in enumerate(segments):
            compiler = segment.query.get_compiler(using=connection.alias)
            sql, segment_params = compiler.as_sql()
            compilers.append(compiler)
            parts.append((f'"first_{number}"', sql))
            params.extend(segment_params)
        columns = [[select_sql for _c, select_sql, _a in c.select] for c in compilers]
        if any(selected != columns[0] for selected in columns[1:]):
            raise ImproperlyConfigured("the segments of a CompiledFirst select different columns")
        ctes = ", ".join(f"{name} AS ({sql})" for name, sql in parts)
        # the names are ours ("first_0", …) and each part is the ORM's SQL with its parameters
        union = " UNION ALL ".join(f"SELECT * FROM {name}" for name, _sql in parts)  # noqa: S608
        return compilers[0], f"WITH {ctes} {union} LIMIT 1", params


def _match_key(value: Any) -> tuple[type, Any]:
    """How a compiled parameter is recognised as a placeholder: integers by value whatever
    their wrapper type, anything else by type and value (a date is not its text)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return int, int(value)
    return type(value), value


def _sequence(value: Sequence[Any] | set[Any] | frozenset[Any]) -> Sequence[Any]:
    return value if isinstance(value, (list, tuple)) else sorted(value)


class CompiledUpdate(_CompiledStatement):
    """`queryset.update(**values)` compiled once per connection: `build` returns the queryset
    and the values to set, and the slots may appear in both.

        _CLAIM = CompiledUpdate(
            lambda ticket_id, now: (
                Ticket.objects.filter(pk=ticket_id, status=TicketStatus.WAITING),
                {"status": TicketStatus.CALLED, "called_at": now},
            ),
            ticket_id=Slot.TEXT,
            now=Slot.DATETIME,
        )
        claimed = _CLAIM.run(ticket_id=ticket.pk, now=now)  # the rows changed

    As with `update()`, no signal is sent and `auto_now` fields are set only when given. Each
    value is prepared as `update()` prepares it (`get_db_prep_save`); a value that is an
    expression, or an update that reaches another table, is refused on compilation."""

    def run(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any) -> int:
        """The number of rows changed."""
        connection = connections[using]
        compiled = self._for(connection, values)
        if compiled.sql is None:
            return 0
        with _cursor(connection, custom_plan=self.custom_plan) as cursor:
            cursor.execute(compiled.sql, self._params(compiled, connection, values))
            return int(cursor.rowcount)

    @staticmethod
    def _statement(built: Any, connection: BaseDatabaseWrapper) -> tuple[Any, str, list[Any]]:
        queryset, values = built
        if any(hasattr(value, "resolve_expression") for value in values.values()):
            raise ImproperlyConfigured("a CompiledUpdate sets plain values only")
        query = queryset.query.chain(UpdateQuery)
        query.add_update_values(values)
        query.clear_select_clause()
        query.get_initial_alias()
        if query.related_updates or query.count_active_tables() != 1:
            raise ImproperlyConfigured("a CompiledUpdate changes one table, filtered on itself")
        return _as_sql(query, connection)

    @staticmethod
    def _reading(compiler: Any) -> _Reading:
        return {}, None, [], [], {}  # an UPDATE returns no rows


# --- inserts -----------------------------------------------------------------------------------


class _Insert(NamedTuple):
    sql: str
    fields: list[Any]  # the columns written, in the statement's order
    returned: Any  # the auto primary key the statement returns, or None (the key is written)


_INSERTS: weakref.WeakKeyDictionary[
    BaseDatabaseWrapper, dict[tuple[type[Model], bool], _Insert]
] = weakref.WeakKeyDictionary()


def insert(
    instance: Model, *, using: str = DEFAULT_DB_ALIAS, unless_duplicate: bool = False
) -> bool:
    """Write the new `instance` as `instance.save(force_insert=True)` would, with the INSERT's
    SQL compiled once per model and connection: each value prepared as Django's insert prepares
    it (`pre_save`, then `get_db_prep_save`), `pre_save` and `post_save` sent around it as
    `save()` sends them, an auto primary key set from `RETURNING` (a primary key with a default,
    such as a ticket's random id, is written like any column). True: the row was written.

    `unless_duplicate`: a row that would break a unique constraint is left out
    (`ON CONFLICT DO NOTHING`, PostgreSQL and SQLite) and False is returned, nothing else
    changed — no savepoint and no error to catch; `post_save` is not sent for it.

    For the new rows of the hot paths (tickets, events, audit entries). When a value is an
    expression the instance is saved by `save()` instead. Models with parents, database
    defaults, generated or specially placed columns are refused."""
    model = type(instance)
    connection = connections[using]
    by_model = _INSERTS.setdefault(connection, {})
    statement = by_model.get((model, unless_duplicate))
    if statement is None:
        statement = by_model[(model, unless_duplicate)] = _compile_insert(
            model, instance, connection, unless_duplicate=unless_duplicate
        )
    if any(hasattr(getattr(instance, f.attname), "resolve_expression") for f in statement.fields):
        if unless_duplicate:
            raise ImproperlyConfigured("insert(unless_duplicate=True) takes plain values only")
        instance.save(force_insert=True, using=using)
        return True
    # as save() does: a related object that was not saved yet is refused, not written as NULL
    instance._prepare_related_fields_for_save(operation_name="insert")  # type: ignore[attr-defined]
    pre_save.send(sender=model, instance=instance, raw=False, using=using, update_fields=None)
    params = [
        field.get_db_prep_save(field.pre_save(instance, True), connection=connection)
        for field in statement.fields
    ]
    with _cursor(connection) as cursor:
        cursor.execute(statement.sql, params)
        if statement.returned is not None:
            row = cursor.fetchone()
            if row is None:  # left out as a duplicate
                return False
            setattr(instance, statement.returned.attname, row[0])
        elif cursor.rowcount == 0:
            return False
    instance._state.adding = False
    instance._state.db = using
    post_save.send(
        sender=model, instance=instance, created=True, update_fields=None, raw=False, using=using
    )
    return True


def _plain_placeholder(field: Any, connection: BaseDatabaseWrapper) -> bool:
    """Whether the field's value takes a bare `%s` in an INSERT: any field without its own
    placeholder, and binary ones (encrypted personal data) where the backend writes bytes as
    they are (SQLite, PostgreSQL; not MySQL's `_binary %s`)."""
    if not hasattr(field, "get_placeholder_sql"):
        return True
    plain = BaseDatabaseOperations.binary_placeholder_sql
    return isinstance(field, BinaryField) and (type(connection.ops).binary_placeholder_sql is plain)


def _compile_insert(
    model: type[Model], instance: Model, connection: BaseDatabaseWrapper, *, unless_duplicate: bool
) -> _Insert:
    meta = model._meta
    auto = meta.auto_field
    if meta.parents:
        raise ImproperlyConfigured(f"insert() takes a model without parents: {model}")
    if auto is not None and meta.pk is not auto:
        raise ImproperlyConfigured(f"insert() takes an auto or a written primary key: {model}")
    if auto is None and not meta.pk.has_default():
        raise ImproperlyConfigured(f"insert() needs a default for the primary key: {model}")
    if auto is not None and not connection.features.can_return_columns_from_insert:
        raise ImproperlyConfigured("insert() needs INSERT … RETURNING")
    fields = [field for field in meta.local_concrete_fields if field is not auto]
    for field in fields:
        if field.generated or field.has_db_default() or not _plain_placeholder(field, connection):
            raise ImproperlyConfigured(f"insert() cannot write {field} ({model})")
    query = InsertQuery(model)
    query.insert_values(fields, [instance])
    compiler = query.get_compiler(using=connection.alias)
    if auto is not None:
        compiler.returning_fields = [auto]
    [(sql, params)] = compiler.as_sql()
    if len(params) != len(fields) or sql.count("%s") != len(fields):
        raise ImproperlyConfigured(f"insert() expected one placeholder per column: {sql}")
    if unless_duplicate:
        if connection.vendor not in ("postgresql", "sqlite"):
            raise ImproperlyConfigured(f"insert(unless_duplicate=True) on {connection.vendor}")
        values_end = sql.rindex(")") + 1  # the VALUES list; RETURNING (if any) follows it
        sql = f"{sql[:values_end]} ON CONFLICT DO NOTHING{sql[values_end:]}"
    return _Insert(sql, fields, auto)
