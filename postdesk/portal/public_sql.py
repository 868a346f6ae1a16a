"""Tracking and following's three reads as plain statements (a hot path: `selectors`).

Building and compiling a queryset cost more CPU than PostgreSQL's answer to it (about
half of a follow's time in the web process): these are the same SELECTs the querysets
in `tests/test_public_fast.py` make, written once per process from the models' own
table and column names and run through Django's cursor (parameters bound; prepared on
PostgreSQL like every web statement). Each reads only the columns the public's answer is
built from. The values come back as the ORM gives them: datetimes aware (SQLite returns
naive UTC ones), the JSON column decoded.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from typing import Any

from django.db import connection
from django.utils.dateparse import parse_datetime

from postdesk.org.models import Unit
from postdesk.tracking.models import Event
from postdesk.workorders.models import WorkOrder, WorkOrderEvent

TRACK_MAX = 200
ORDER_FIELDS = (
    "id", "public_ref", "type", "status", "caller_phone", "satisfaction", "reply_due_at",
    "due_at", "created_at",
)  # fmt: skip
ORDER_TIMES = frozenset(("reply_due_at", "due_at", "created_at"))
STEP_FIELDS = ("at", "action", "from_status", "to_status", "text", "data")


def _column(model: Any, name: str) -> str:
    field = model._meta.get_field(name)
    return str(connection.ops.quote_name(field.column))


def _columns(model: Any, names: tuple[str, ...], alias: str) -> str:
    return ", ".join(f"{alias}.{_column(model, n)}" for n in names)


@cache
def _statements(vendor: str) -> dict[str, str]:
    q = connection.ops.quote_name
    event, order, step, unit = (
        q(m._meta.db_table) for m in (Event, WorkOrder, WorkOrderEvent, Unit)
    )
    col = {
        (m, n): _column(m, n)
        for m, names in (
            (Event, ("waybill_no", "event_time", "id")),
            (WorkOrder, ("public_ref", "id")),
            (WorkOrderEvent, ("order", "at", "id", "unit")),
            (Unit, ("id", "name")),
        )
        for n in names
    }
    return {
        "track": (
            f"SELECT {_columns(Event, ('event_time', 'event_code', 'office_name', 'reason'), 'e')}"  # noqa: S608 — our models' names; values bound
            f" FROM {event} e WHERE e.{col[Event, 'waybill_no']} = %s"
            f" ORDER BY e.{col[Event, 'event_time']}, e.{col[Event, 'id']} LIMIT {TRACK_MAX}"
        ),
        "order": (
            f"SELECT {_columns(WorkOrder, ORDER_FIELDS, 'o')} FROM {order} o"  # noqa: S608 — our models' names; values bound
            f" WHERE o.{col[WorkOrder, 'public_ref']} = %s ORDER BY o.{col[WorkOrder, 'id']}"
            " LIMIT 1"
        ),
        "steps": (
            f"SELECT {_columns(WorkOrderEvent, STEP_FIELDS, 's')}, u.{col[Unit, 'name']}"  # noqa: S608 — our models' names; values bound
            f" FROM {step} s LEFT OUTER JOIN {unit} u"
            f" ON u.{col[Unit, 'id']} = s.{col[WorkOrderEvent, 'unit']}"
            f" WHERE s.{col[WorkOrderEvent, 'order']} = %s"
            f" ORDER BY s.{col[WorkOrderEvent, 'at']}, s.{col[WorkOrderEvent, 'id']}"
        ),
    }


def _aware(value: Any) -> datetime | None:
    at: datetime | None = parse_datetime(value) if isinstance(value, str) else value
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=UTC)  # SQLite keeps UTC without a zone
    return at


def _rows(name: str, param: Any) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(_statements(connection.vendor)[name], [param])
        return list(cursor.fetchall())


def track_rows(waybill: str) -> list[tuple[datetime, str, str, str]]:
    """(event_time, event_code, office_name, reason) of a waybill, oldest first."""
    rows = _rows("track", waybill)
    return [(_aware(at), code, office, reason) for at, code, office, reason in rows]  # type: ignore[misc]


def order_row(public_ref: str) -> tuple[Any, ...] | None:
    """`ORDER_FIELDS` of the order with this stored reference, or None."""
    rows = _rows("order", public_ref)
    if not rows:
        return None
    return tuple(
        _aware(value) if name in ORDER_TIMES else value
        for name, value in zip(ORDER_FIELDS, rows[0], strict=True)
    )


def step_rows(order_id: int) -> list[tuple[Any, ...]]:
    """(at, action, from_status, to_status, text, data, unit name or None) of an order's
    events, oldest first."""
    out = []
    for at, action, from_status, to_status, text, data, unit_name in _rows("steps", order_id):
        if isinstance(data, str | bytes):
            data = json.loads(data)
        out.append((_aware(at), action, from_status, to_status, text, data, unit_name))
    return out
