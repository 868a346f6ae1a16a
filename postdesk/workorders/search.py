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


def newest_matching_ids(q: str, *, limit: int) -> engine.Newest | None:
    """The newest `limit` orders matching `q` (ids, newest first) and whether that is all
    of them — or None: use `filter_keyword` (nothing to search for, or SQLite, whose FTS5
    answers the general filter at least as fast: measured at 100,000 orders). The engine
    chooses how (see `postdesk.knowledge.search.newest`)."""
    query = engine.parse_query(q)
    if query.empty or connection.vendor != "postgresql":
        return None
    return engine.newest_matching(kind=KIND, query=query, limit=limit)


def matching_among(q: str, ids: list[int]) -> set[int]:
    """Which of these orders match `q`, each tested on its own (for a list that reads its
    own orders newest first: a narrow filter and a common word)."""
    return engine.matching_among(kind=KIND, query=engine.parse_query(q), ids=ids)


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
