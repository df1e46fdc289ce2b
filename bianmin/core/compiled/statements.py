"""Compiled reads and updates, and the cursor every compiled statement runs on (the package's
docstring says why and how)."""

from __future__ import annotations

import enum
import weakref
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.backends.utils import CursorWrapper
from django.db.models import FETCH_ONE, Model
from django.db.models.query import get_related_populators
from django.db.models.sql import UpdateQuery


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


def _cursor(connection: BaseDatabaseWrapper) -> CursorWrapper:
    """A cursor for compiled SQL: Django's, except that on PostgreSQL it binds the values on
    the server and may prepare the statement (see the module's docstring); wrapped as Django
    wraps its own, so errors, query logging and the execute wrappers behave the same."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        # Django's private step from a driver cursor to its wrapper (debug or not)
        return connection._prepare_cursor(  # type: ignore[attr-defined,no-any-return]
            ServerBindingCursor(connection.connection)  # type: ignore[call-arg]
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

    def __init__(self, build: Callable[..., Any], **slots: Slot) -> None:
        """`build` takes the slots' values and returns the queryset (`CompiledFirst`: the
        querysets) to compile."""
        if len(slots) > 15:
            raise ImproperlyConfigured("a compiled query takes 15 values at most")
        self.build = build
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
        with _cursor(connection) as cursor:
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
        with _cursor(connection) as cursor:
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
