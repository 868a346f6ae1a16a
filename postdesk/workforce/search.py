"""Shift handovers in the project's one search engine (kind ``handover``): the text and
every item's reference and text, indexed in the writer's transaction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from postdesk.knowledge import search as engine

if TYPE_CHECKING:
    from postdesk.workforce.models import Handover, HandoverItem

KIND = "handover"


def _parts(handover: Handover, items: list[HandoverItem]) -> tuple[str, str, list[str]]:
    title = f"{handover.number} {handover.shift.name if handover.shift else ''}".strip()
    body = "\n".join([handover.text, *(f"{i.ref} {i.text}".strip() for i in items)])
    exact = [handover.number, *(i.ref for i in items if i.ref)]
    return title, body, exact


def index_handover(handover: Handover, items: list[HandoverItem]) -> None:
    title, body, exact = _parts(handover, items)
    engine.index_document(
        kind=KIND, object_id=handover.pk, title=title, body=body, exact=exact, fresh=True
    )


def filter_keyword(rows: QuerySet[Handover], q: str) -> QuerySet[Handover]:
    """`rows` narrowed to the handovers containing every word of `q` (or one of its
    references), keeping the caller's scope and ordering."""
    if not (q or "").strip():
        return rows
    return engine.filter_matching(rows, kind=KIND, query=q)


def documents() -> Iterator[engine.Document]:
    from postdesk.workforce.models import Handover

    for handover in Handover.objects.select_related("shift").prefetch_related("items"):
        title, body, exact = _parts(handover, list(handover.items.all()))
        yield engine.Document(object_id=handover.pk, title=title, body=body, exact=exact)


def register() -> None:
    engine.register_kind(KIND, iter_documents=documents)
