"""The lists a user can export in the background (`core/export_jobs.py`): a registry that
the apps fill, as search's `register_kind` — core imports no app.

An app registers each of its lists from its AppConfig.ready() with
`register_export_list(ExportList(...))`. One definition serves both the synchronous
export of a page (where there is one) and the background job:

- `parse_filters(raw)` — the list's filters from a JSON object, through the same parsing
  its API or page uses; raises `ValidationFailed` (400 with fields) on a bad one.
- `columns(user)` — the headers, in order.
- `rows(user, filters)` — the rows as tuples, in the list's order, read with the user's
  scope, streamed (`stream_values`, or a queryset's `iterator(chunk_size)`): nothing
  holds the whole list.
- `count(user, filters)` — how many rows `rows` will give (for the progress bar).
- `allowed(user)` — whether the user may export the list at all.
- `full(user)` — whether the user's export holds personal data in full; such an export is
  written to the access log (`subject_type`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import count as counter
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from postdesk.core.errors import ValidationFailed

#: rows read from the database at a time
CHUNK = 2000


@dataclass(frozen=True)
class ExportList:
    key: str
    label: Any  # a lazy translated name of the list
    parse_filters: Callable[[Mapping[str, Any]], Any]
    columns: Callable[[Any], Sequence[str]]
    rows: Callable[[Any, Any], Iterator[Sequence[Any]]]
    count: Callable[[Any, Any], int]
    allowed: Callable[[Any], bool]
    full: Callable[[Any], bool]
    subject_type: str


_LISTS: dict[str, ExportList] = {}


def register_export_list(export_list: ExportList) -> None:
    _LISTS[export_list.key] = export_list


def export_lists() -> dict[str, ExportList]:
    return dict(_LISTS)


def export_list_get(key: str) -> ExportList:
    try:
        return _LISTS[key]
    except KeyError:
        raise ValidationFailed(
            fields={"list": _("There is no such list to export.")},
        ) from None


def check_keys(raw: Mapping[str, Any], known: Sequence[str]) -> dict[str, str]:
    """The raw filters as strings (`None` dropped); an unknown key or a value that is
    not text, a number or a truth value is a 400."""
    errors: dict[str, str] = {}
    out: dict[str, str] = {}
    for key, value in raw.items():
        if key not in known:
            errors[str(key)[:50]] = _("This list has no such filter.")
        elif value is None:
            continue
        elif isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, str | int):
            out[key] = str(value)[:200]
        else:
            errors[key] = _("Give this filter as text.")
    if errors:
        raise ValidationFailed(fields=errors)
    return out


_CURSORS = counter(1)


def stream_values(qs: QuerySet[Any], fields: Sequence[str], chunk: int = CHUNK) -> Iterator[Any]:
    """`qs.values_list(*fields)` as tuples, streamed `chunk` rows at a time.

    On PostgreSQL this reads through a server-side cursor of psycopg's own, as Django's
    `iterator()` does, but with psycopg's C loader for `timestamptz` instead of Django's
    (a Python regular expression and a `replace` a value: the largest cost of reading an
    export's rows): the same instants, aware, in the connection's zone (UTC), which the
    writers turn to local time. Only where Django would add nothing to the values — plain
    columns with no converters, time zones on — else (and on SQLite) `iterator()` itself.
    """
    values = qs.values_list(*fields)
    connection = connections[values.db]
    plain = (
        connection.vendor == "postgresql"
        and settings.USE_TZ
        and not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
        and not values.query.extra_select
        and not values.query.annotation_select
    )
    sql = None
    if plain:
        compiler = values.query.get_compiler(using=values.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return
        columns = [column for column, _sql, _alias in compiler.select]
        if len(columns) != len(fields) or compiler.get_converters(columns):
            sql = None
    if sql is None:
        yield from values.iterator(chunk_size=chunk)
        return
    from psycopg.types.datetime import TimestamptzLoader  # psycopg's C one, once registered

    connection.ensure_connection()
    # the named cursor Django's own iterator() would use (client-side binding, held
    # outside a transaction), with psycopg's loader for timestamptz on it alone
    cursor = connection.create_cursor(f"_postdesk_export_{next(_CURSORS)}")
    try:
        cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk):
            yield from rows
    finally:
        cursor.close()
