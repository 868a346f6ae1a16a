"""Keyword search over work orders' titles and descriptions, behind one function the list
selector calls, so the backend can change.

The backend is the project's one Chinese search engine (`postdesk.knowledge.search`:
jieba words and two-character pieces in SQLite FTS5 / PostgreSQL tsvector + GIN). Work
orders are the kind ``workorder``: indexed inside the writer's transaction at intake (a
title and description never change afterwards), with the number, waybill and 12305
reference as exact identifiers; `postdesk search_reindex --kind workorder` rebuilds it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import QuerySet

from postdesk.knowledge import search as engine

if TYPE_CHECKING:
    from postdesk.workorders.models import WorkOrder

KIND = "workorder"


def _exact(order: WorkOrder) -> list[str]:
    return [v for v in (order.number, order.waybill_no, order.regulator_ref) if v]


def order_tokens(order: WorkOrder) -> engine.Tokens:
    """The order's text segmented (before its transaction: see `index_order`)."""
    return engine.tokens_of(title=order.title, body=order.description)


def index_order(
    order: WorkOrder, *, fresh: bool = False, tokens: engine.Tokens | None = None
) -> None:
    """Index the order in the caller's transaction; `tokens` from `order_tokens` made
    before it keep the segmenting out of the transaction (SQLite's one writer waits)."""
    engine.index_document(
        kind=KIND,
        object_id=order.pk,
        title=order.title,
        body=order.description,
        exact=_exact(order),
        fresh=fresh,
        tokens=tokens,
    )


def filter_keyword(orders: QuerySet[WorkOrder], q: str) -> QuerySet[WorkOrder]:
    """`orders` narrowed to those containing every word of `q` (or one of its identifiers),
    keeping the caller's scope, filters, ordering and pagination."""
    if not (q or "").strip():
        return orders
    return engine.filter_matching(orders, kind=KIND, query=q)


def newest_matching_ids(q: str, *, limit: int) -> list[int] | None:
    """Up to `limit` ids of orders matching `q`, newest first — or None when this backend
    cannot answer it cheaply (then use `filter_keyword`).

    On PostgreSQL the engine's match condition is evaluated while walking its
    (kind, object_id) index backwards, so a common word costs as little as a rare one
    and the first page of a million orders is found after reading a few hundred entries.
    Only the engine's plain word query is taken this way (identifiers, or a changed
    engine, fall back to the general path).
    """
    if connection.vendor != "postgresql":
        return None
    from postdesk.knowledge.search import backends

    found = engine.matching_sql(kind=KIND, query=q)
    if found is None:
        return []
    sql, params = found
    expected = f"SELECT object_id FROM {backends.DOC_TABLE} WHERE tsv @@ %s::tsquery"
    if sql != expected or len(params) != 1:
        return None
    with connection.cursor() as cursor:
        backends.execute_planned_afresh(
            cursor,
            f"SELECT object_id FROM {backends.DOC_TABLE} WHERE kind = %s AND tsv @@ %s::tsquery "
            "ORDER BY object_id DESC LIMIT %s",
            [KIND, params[0], limit],
        )
        return [int(row[0]) for row in cursor.fetchall()]


def documents() -> Iterator[engine.Document]:
    """Every work order as a search document (for `postdesk search_reindex`)."""
    from postdesk.workorders.models import WorkOrder

    rows = WorkOrder.objects.only(
        "id", "title", "description", "number", "waybill_no", "regulator_ref"
    ).order_by("id")
    for order in rows.iterator(chunk_size=2000):
        yield engine.Document(
            object_id=order.pk, title=order.title, body=order.description, exact=_exact(order)
        )


def register() -> None:
    engine.register_kind(KIND, iter_documents=documents)
