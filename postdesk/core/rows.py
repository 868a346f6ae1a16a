"""Rows written by plain statements through Django's cursor: the seam of the hot write
paths (CTI ingestion, the intake), shared by both databases.

The same statements on SQLite and PostgreSQL (multi-row `INSERT … VALUES`, `ON CONFLICT`,
`RETURNING`, `UPDATE … WHERE id`), always inside the caller's `transaction.atomic()`.
Columns come from the model and every value is made by the model's own field
(`pre_save`, then `get_db_prep_save`: `auto_now`, JSON and time zones as the ORM does
them), so a field added to the model is written like any other. Why not the ORM's
`bulk_create`/`save`: its query building costs more CPU than the statement itself
(figures in ARCHITECTURE.md, "Hot paths"); `core/tests/test_rows.py` checks that
a row written here reads back as the ORM's `save()` writes it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)


@cache
def _fields(model: type[Model], names: tuple[str, ...] | None) -> tuple[Field[Any, Any], ...]:
    if names is None:
        return tuple(f for f in model._meta.concrete_fields if not f.primary_key)
    return tuple(model._meta.get_field(name) for name in names)  # type: ignore[misc]


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _column(model: type[Model], name: str) -> str:
    return _quote(str(getattr(model._meta.get_field(name), "column")))  # noqa: B009 (typed Any)


def _pk_column(model: type[Model]) -> str:
    pk = model._meta.pk
    assert pk is not None
    return _quote(pk.column)


def _values(obj: Model, fields: Sequence[Field[Any, Any]], *, add: bool, conn: Any) -> list[Any]:
    return [field.get_db_prep_save(field.pre_save(obj, add), conn) for field in fields]


def _all(model: type[Model]) -> tuple[Any, ...]:
    return (model._meta.pk, *_fields(model, None))


@cache
def _insert_sql(model: type[Model], rows: int, lock_on: str | None, returning: bool) -> str:
    fields = _fields(model, None)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {_quote(model._meta.db_table)} "  # noqa: S608 — names from _meta, quoted; values bound
        f"({', '.join(_quote(f.column) for f in fields)}) VALUES {', '.join([row] * rows)}"
    )
    if lock_on is not None:
        column = _column(model, lock_on)
        sql += f" ON CONFLICT ({column}) DO UPDATE SET {column} = excluded.{column}"
    if returning:
        sql += " RETURNING " + ", ".join(_quote(f.column) for f in _all(model))
    return sql


def insert(objs: Sequence[M], *, lock_on: str | None = None, returning: bool = False) -> list[M]:
    """Insert the rows of `objs` (one model), in their order, in one round trip. With
    `lock_on` (a unique field), a row that exists already is not inserted but locked,
    in the same order (a no-op update of that column). `returning`: each row inserted
    or locked, as stored (in no particular order)."""
    if not objs:
        return []
    model = type(objs[0])
    fields = _fields(model, None)
    conn = connections[DEFAULT_DB_ALIAS]  # the proxy `connection` costs a lookup per use
    rows = [_values(obj, fields, add=True, conn=conn) for obj in objs]
    with conn.cursor() as cursor:
        if lock_on is None and not returning:
            # one statement of one row, its parameter sets sent together (psycopg's
            # pipeline): planned once and, in the web's mode, prepared
            cursor.executemany(_insert_sql(model, 1, None, False), rows)
            return []
        params = [value for row in rows for value in row]
        cursor.execute(_insert_sql(model, len(objs), lock_on, returning), params)
        return _instances(model, cursor.fetchall()) if returning else []


@cache
def _add_sql(model: type[Model]) -> str:
    return _insert_sql(model, 1, None, False) + f" RETURNING {_pk_column(model)}"


def add(obj: Model) -> None:
    """Insert one new row, as `obj.save(force_insert=True)` would (its fields' `pre_save`
    included; no signals), in one round trip, and mark `obj` saved: its primary key set,
    its state as Django's own `bulk_create` leaves it (`adding` off, the database)."""
    model = type(obj)
    conn = connections[DEFAULT_DB_ALIAS]
    with conn.cursor() as cursor:
        cursor.execute(_add_sql(model), _values(obj, _fields(model, None), add=True, conn=conn))
        (obj.pk,) = cursor.fetchone()
    obj._state.adding = False
    obj._state.db = DEFAULT_DB_ALIAS


@cache
def _update_sql(model: type[Model], names: tuple[str, ...]) -> str:
    return (
        f"UPDATE {_quote(model._meta.db_table)} SET "  # noqa: S608 — names from _meta, quoted; values bound
        + ", ".join(f"{_quote(f.column)} = %s" for f in _fields(model, names))
        + f" WHERE {_pk_column(model)} = %s"
    )


def write(objs: Sequence[Model], names: tuple[str, ...]) -> None:
    """Write these fields of existing rows (by primary key), in one round trip: one
    UPDATE whose parameter sets are sent together."""
    if not objs:
        return
    model = type(objs[0])
    fields = _fields(model, names)
    conn = connections[DEFAULT_DB_ALIAS]
    rows = [[*_values(obj, fields, add=False, conn=conn), obj.pk] for obj in objs]
    with conn.cursor() as cursor:
        cursor.executemany(_update_sql(model, names), rows)


@cache
def _select_sql(model: type[Model], where_in: str, count: int, lock: bool) -> str:
    fields = _all(model)
    key = _column(model, where_in)
    sql = (
        f"SELECT {', '.join(_quote(f.column) for f in fields)} "  # noqa: S608 — names from _meta, quoted; values bound
        f"FROM {_quote(model._meta.db_table)} WHERE {key} IN ({', '.join(['%s'] * count)}) "
        f"ORDER BY {key}"
    )
    if lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    return sql


def select(model: type[M], *, where_in: str, values: Sequence[Any], lock: bool) -> list[M]:
    """The rows whose field `where_in` is one of `values`, in that field's order; `lock`:
    locked for the transaction (`FOR UPDATE` where the database has it; SQLite's writer
    holds the whole database already)."""
    if not values:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_select_sql(model, where_in, len(values), lock), list(values))
        return _instances(model, cursor.fetchall())


def _instances(model: type[M], rows: Sequence[Sequence[Any]]) -> list[M]:
    fields = _all(model)
    names = [f.attname for f in fields]
    return [model.from_db(DEFAULT_DB_ALIAS, names, _python(fields, row)) for row in rows]


def _python(fields: Sequence[Any], row: Sequence[Any]) -> list[Any]:
    """Column values as the model holds them: aware datetimes, decoded JSON."""
    out = []
    for field, value in zip(fields, row, strict=True):
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        elif isinstance(value, str) and field.get_internal_type() == "DateTimeField":
            value = datetime.fromisoformat(value)
            value = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        elif isinstance(value, str | bytes) and field.get_internal_type() == "JSONField":
            value = json.loads(value)
        out.append(value)
    return out
