"""Keyword search over work orders' titles and descriptions, behind one selector-facing
function so the backend can change.

The shared Chinese search engine lives in `postdesk.knowledge.search` (jieba words and
two-character pieces in SQLite FTS5 / PostgreSQL tsvector + GIN). Work orders are indexed
there as the kind ``workorder`` inside the writer's transaction. Until that engine (and
its tables) is present, a plain substring filter stands in, bounded by the caller's other
filters.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from types import ModuleType
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Q, QuerySet

if TYPE_CHECKING:
    from postdesk.workorders.models import WorkOrder

KIND = "workorder"


@lru_cache(maxsize=1)
def _engine_module() -> ModuleType | None:
    try:
        from postdesk.knowledge.search import backends, engine
    except ImportError:
        return None
    if backends.DOC_TABLE not in connection.introspection.table_names():
        return None
    return engine


def engine() -> ModuleType | None:
    return _engine_module()


def reset() -> None:
    """Forget whether the engine is there (tests that create the tables call this)."""
    _engine_module.cache_clear()


def _exact(order: WorkOrder) -> list[str]:
    return [v for v in (order.number, order.waybill_no, order.regulator_ref) if v]


def index_order(order: WorkOrder) -> None:
    eng = engine()
    if eng is None:
        return
    eng.index_document(
        kind=KIND,
        object_id=order.pk,
        title=order.title,
        body=order.description,
        exact=_exact(order),
    )


def filter_keyword(orders: QuerySet[WorkOrder], q: str) -> QuerySet[WorkOrder]:
    q = (q or "").strip()
    if not q:
        return orders
    eng = engine()
    if eng is not None:
        result: QuerySet[WorkOrder] = eng.filter_matching(orders, kind=KIND, query=q)
        return result
    return orders.filter(Q(title__contains=q) | Q(description__contains=q) | Q(number=q))


def documents() -> Iterator[object]:
    """Every work order as a search document (for `postdesk search_reindex`)."""
    from postdesk.knowledge.search.engine import Document
    from postdesk.workorders.models import WorkOrder

    rows = WorkOrder.objects.only(
        "id", "title", "description", "number", "waybill_no", "regulator_ref"
    ).order_by("id")
    for order in rows.iterator(chunk_size=2000):
        yield Document(
            object_id=order.pk, title=order.title, body=order.description, exact=_exact(order)
        )


def register() -> None:
    try:
        from postdesk.knowledge.search.engine import register_kind
    except ImportError:
        return
    register_kind(KIND, iter_documents=documents)
