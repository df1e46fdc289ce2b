"""New rows written with their INSERT compiled once per model and connection: one row (`insert`),
or the new rows of one write in one statement (`insert_together`)."""

from __future__ import annotations

import weakref
from typing import Any, NamedTuple

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import BinaryField, Model
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery

from bianmin.core.compiled.statements import _cursor


class _Insert(NamedTuple):
    sql: str
    fields: list[Any]  # the columns written, in the statement's order
    returned: Any  # the auto primary key the statement returns, or None (the key is written)


_INSERTS: weakref.WeakKeyDictionary[
    BaseDatabaseWrapper, dict[tuple[type[Model], bool], _Insert]
] = weakref.WeakKeyDictionary()
# The statement of each sequence of models written together, per connection.
_TOGETHER: weakref.WeakKeyDictionary[BaseDatabaseWrapper, dict[tuple[type[Model], ...], str]] = (
    weakref.WeakKeyDictionary()
)


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
    connection = connections[using]
    statement = _statement(instance, connection, unless_duplicate=unless_duplicate)
    if _has_expression(instance, statement):
        if unless_duplicate:
            raise ImproperlyConfigured("insert(unless_duplicate=True) takes plain values only")
        instance.save(force_insert=True, using=using)
        return True
    _refuse_unsaved_related(instance)
    return _insert_checked(instance, statement, connection)


def _insert_checked(instance: Model, statement: _Insert, connection: BaseDatabaseWrapper) -> bool:
    """`insert` of a row whose values are plain and whose related objects are saved."""
    params = _values(instance, statement, connection)
    with _cursor(connection) as cursor:
        cursor.execute(statement.sql, params)
        if statement.returned is not None:
            row = cursor.fetchone()
            if row is None:  # left out as a duplicate
                return False
            setattr(instance, statement.returned.attname, row[0])
        elif cursor.rowcount == 0:
            return False
    _written(instance, connection.alias)
    return True


def insert_together(*instances: Model, using: str = DEFAULT_DB_ALIAS) -> None:
    """Write the new rows of one write as `insert` writes each, and on PostgreSQL in one
    statement: each row's compiled INSERT is a part of one `WITH`, whose answer is the keys
    they return — one round trip instead of one per row (a new ticket's item, its event and the
    event's audit entry: three statements → one). Elsewhere (SQLite, where a statement costs no
    round trip) one `insert` after the other, in the order given, and so too when a value is an
    expression.

    Call it inside the write's transaction. All the rows are written or none. PostgreSQL writes
    the parts of one statement in no given order and checks foreign keys after it (Django
    creates them deferred), so a row may refer to another row of the same call by a key known
    before the write — a ticket's written id — but not by an auto key, which the related row
    gets only from the statement: refused on every database before any row is written, as
    `save()` refuses an unsaved related object."""
    connection = connections[using]
    statements = [
        _statement(instance, connection, unless_duplicate=False) for instance in instances
    ]
    for instance in instances:  # on every database, before any row is written
        _refuse_unsaved_related(instance)
    expressions = list(map(_has_expression, instances, statements))
    if connection.vendor != "postgresql" or len(instances) < 2 or any(expressions):
        for instance, statement, expression in zip(instances, statements, expressions, strict=True):
            if expression:
                instance.save(force_insert=True, using=using)
            else:
                _insert_checked(instance, statement, connection)
        return
    by_models = _TOGETHER.setdefault(connection, {})
    models = tuple(type(instance) for instance in instances)
    sql = by_models.get(models)
    if sql is None:
        sql = by_models[models] = _together_sql(statements)
    params = [
        value
        for instance, statement in zip(instances, statements, strict=True)
        for value in _values(instance, statement, connection)
    ]
    with _cursor(connection) as cursor:
        cursor.execute(sql, params)
        keys = iter(cursor.fetchone())
    for instance, statement in zip(instances, statements, strict=True):
        if statement.returned is not None:
            setattr(instance, statement.returned.attname, next(keys))
        _written(instance, using)


def _together_sql(statements: list[_Insert]) -> str:
    """`WITH "w0" AS (INSERT …), "w1" AS (INSERT … RETURNING id) SELECT (SELECT * FROM "w1")`:
    every part runs exactly once whether its rows are read or not."""
    parts = ", ".join(f'"w{n}" AS ({statement.sql})' for n, statement in enumerate(statements))
    keys = [
        f'(SELECT * FROM "w{n}")'  # noqa: S608 - the parts' own names
        for n, statement in enumerate(statements)
        if statement.returned is not None
    ]
    return f"WITH {parts} SELECT {', '.join(keys) or 'NULL'}"


def _statement(
    instance: Model, connection: BaseDatabaseWrapper, *, unless_duplicate: bool
) -> _Insert:
    model = type(instance)
    by_model = _INSERTS.setdefault(connection, {})
    statement = by_model.get((model, unless_duplicate))
    if statement is None:
        statement = by_model[(model, unless_duplicate)] = _compile_insert(
            model, instance, connection, unless_duplicate=unless_duplicate
        )
    return statement


def _has_expression(instance: Model, statement: _Insert) -> bool:
    return any(
        hasattr(getattr(instance, field.attname), "resolve_expression")
        for field in statement.fields
    )


def _values(instance: Model, statement: _Insert, connection: BaseDatabaseWrapper) -> list[Any]:
    """The row's values as Django's insert prepares them, `pre_save` sent first."""
    pre_save.send(
        sender=type(instance),
        instance=instance,
        raw=False,
        using=connection.alias,
        update_fields=None,
    )
    return [
        field.get_db_prep_save(field.pre_save(instance, True), connection=connection)
        for field in statement.fields
    ]


def _refuse_unsaved_related(instance: Model) -> None:
    """As `save()` does: a related object not saved yet (no key) is refused, not written as
    NULL."""
    instance._prepare_related_fields_for_save(operation_name="insert")  # type: ignore[attr-defined]


def _written(instance: Model, using: str) -> None:
    instance._state.adding = False
    instance._state.db = using
    post_save.send(
        sender=type(instance),
        instance=instance,
        created=True,
        update_fields=None,
        raw=False,
        using=using,
    )


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
