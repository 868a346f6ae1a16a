"""The search engine's operations (see the package docstring for the contract)."""

from __future__ import annotations

import itertools
import math
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.pool import AsyncResult
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Model, QuerySet
from django.db.models.expressions import RawSQL

from postdesk.knowledge.search import backends
from postdesk.knowledge.search.tokenize import (
    Query,
    Term,
    index_tokens,
    normalize_identifier,
    parse_query,
    segmenter,
)

M = TypeVar("M", bound=Model)

MAX_KIND = 30
KIND_RE = re.compile(r"[a-z0-9_]{1,30}")
QUORUM_TERMS = 8  # candidates are gathered with at most this many of the heaviest terms


# --- registry ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Document:
    object_id: int
    title: str
    body: str
    exact: Sequence[str] = field(default=())


DocumentSource = Callable[[], Iterable[Document]]
_registry: dict[str, DocumentSource] = {}


def register_kind(kind: str, *, iter_documents: DocumentSource) -> None:
    """Declare a kind of document and where `search_reindex` reads all of them from.

    Call it from the owning app's `AppConfig.ready()`; `iter_documents()` yields every
    document of the kind (stream it: `.iterator()`), as `Document` records.
    """
    _check_kind(kind)
    _registry[kind] = iter_documents


def registered_kinds() -> list[str]:
    return sorted(_registry)


# --- writes -------------------------------------------------------------------------------------
def _check_kind(kind: str) -> None:
    if not KIND_RE.fullmatch(kind or ""):
        raise ValueError(f"bad search kind {kind!r}: use 1-30 of a-z, 0-9 and _")


@dataclass(frozen=True)
class Tokens:
    """A document's text segmented (`tokens_of`), to be indexed later."""

    title: str
    body: str
    title_tokens: list[str]
    body_tokens: list[str]


def tokens_of(*, title: str, body: str) -> Tokens:
    """Segment a document's text: pure Python, no database. A writer that must keep its
    transaction short (SQLite has one writer at a time) calls it before the transaction
    and hands the result to `index_document(tokens=…)`."""
    return Tokens(
        title=title, body=body, title_tokens=index_tokens(title), body_tokens=index_tokens(body)
    )


def _row(
    kind: str,
    object_id: int,
    title: str,
    body: str,
    exact: Iterable[str],
    tokens: Tokens | None = None,
) -> backends.Row:
    _check_kind(kind)
    if tokens is None or (tokens.title, tokens.body) != (title, body):
        tokens = tokens_of(title=title, body=body)
    values = [normalize_identifier(v) for v in exact if v and v.strip()]
    return backends.Row(
        kind=kind,
        object_id=int(object_id),
        title=title[:300],
        title_tokens=tokens.title_tokens,
        body_tokens=tokens.body_tokens,
        exact=[v for v in values if 0 < len(v) <= 64],
    )


def index_document(
    *,
    kind: str,
    object_id: int,
    title: str,
    body: str,
    exact: Iterable[str] = (),
    fresh: bool = False,
    tokens: Tokens | None = None,
) -> None:
    """Insert or replace the document (kind, object_id). Call it inside the writer's own
    transaction so the index never disagrees with the data (a failure here fails that
    transaction: no savepoint, so a document costs one round trip on PostgreSQL).
    `fresh=True` for an object created in that transaction: nothing to replace (fewer
    statements on SQLite; an existing document is refused, never doubled). `tokens`:
    the same title and body segmented beforehand (`tokens_of`)."""
    row = _row(kind, object_id, title, body, exact, tokens)
    with transaction.atomic(savepoint=False):
        backends.upsert([row], fresh=fresh)


def index_documents(*, kind: str, documents: Iterable[Document]) -> int:
    """Bulk form of `index_document` (one transaction per call)."""
    rows = [_row(kind, d.object_id, d.title, d.body, d.exact) for d in documents]
    with transaction.atomic():
        backends.upsert(rows)
    return len(rows)


def remove_document(*, kind: str, object_id: int) -> None:
    with transaction.atomic():
        backends.delete(kind=kind, object_id=int(object_id))


def _batches(items: Iterable[Document], size: int) -> Iterator[list[Document]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _rows(kind: str, batch: list[Document]) -> list[backends.Row]:
    return [_row(kind, d.object_id, d.title, d.body, d.exact) for d in batch]


def _rows_task(args: tuple[str, list[Document]]) -> list[backends.Row]:
    return _rows(*args)


def reindex(
    *,
    kind: str,
    documents: Iterable[Document] | None = None,
    batch_size: int = 2000,
    workers: int = 1,
    progress: Callable[[int], Any] | None = None,
) -> int:
    """Drop the kind's index and rebuild it from its registered source (or `documents`).
    With `workers` > 1 the tokenising runs in that many forked processes while this one
    writes (they never touch the database)."""
    if documents is None:
        if kind not in _registry:
            raise KeyError(kind)
        documents = _registry[kind]()
    with transaction.atomic():
        backends.clear(kind=kind)
    total = 0

    def write(rows: list[backends.Row]) -> None:
        nonlocal total
        with transaction.atomic():
            backends.upsert(rows)
        total += len(rows)
        if progress is not None:
            progress(total)

    batches = ((kind, batch) for batch in _batches(documents, batch_size))
    if workers > 1:
        import multiprocessing

        segmenter()  # load the dictionary once, before forking
        # this thread reads the documents and writes the rows (one database connection);
        # the pool only tokenises, a few batches ahead
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pending: deque[AsyncResult[list[backends.Row]]] = deque()
            for args in batches:
                pending.append(pool.apply_async(_rows_task, (args,)))
                while len(pending) > workers:
                    write(pending.popleft().get())
            while pending:
                write(pending.popleft().get())
    else:
        for args in batches:
            write(_rows_task(args))
    backends.analyze()
    return total


# --- reads --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Hit:
    object_id: int
    score: float  # 0..1 text relevance (+1 for an exact identifier match)
    title_score: float  # 0..1: share of the query's weight found in the title (and tags)
    exact: bool = False


def _quorum_groups(terms: Sequence[Term], size: int) -> list[tuple[Term, ...]]:
    return list(itertools.combinations(terms, size))


def _gather(kind: str, terms: Sequence[Term], *, title_only: bool, want: int) -> dict[int, float]:
    """Ids matching as many of the (heaviest) terms as possible — all of them, then all
    but one, … — until `want` are found; each with the share of the terms it matched."""
    heaviest = sorted(terms, key=lambda t: -t.weight)[:QUORUM_TERMS]
    found: dict[int, float] = {}
    for size in range(len(heaviest), 0, -1):
        expr = backends.render(_quorum_groups(heaviest, size))
        sql, params = backends.match_sql(kind=kind, expr=expr, title_only=title_only)
        for object_id in backends.fetch_ids(sql, params, limit=want):
            found.setdefault(object_id, size / len(heaviest))
        if len(found) >= want:
            break
    return found


def search(*, kind: str, query: str | Query, limit: int = 50, pool: int = 100) -> list[Hit]:
    """Ranked hits, best first: exact identifier matches, then by text relevance — the
    share of the query found in the title (and tags) counts twice the share found in the
    document as a whole. Candidates are the documents matching the most query words
    (up to `pool` of them, at least `limit`)."""
    parsed = query if isinstance(query, Query) else parse_query(query)
    if parsed.empty:
        return []
    exact_ids: list[int] = []
    if parsed.identifiers:
        sql, params = backends.exact_sql(kind=kind, values=parsed.identifiers)
        exact_ids = backends.fetch_ids(sql, params, limit=limit)
    terms = parsed.terms
    coverage: dict[int, float] = dict.fromkeys(exact_ids, 0.0)
    if terms:
        want = max(pool, limit)
        for object_id, share in _gather(kind, terms, title_only=False, want=want).items():
            coverage[object_id] = max(coverage.get(object_id, 0.0), share)
        for object_id, share in _gather(
            kind, terms, title_only=True, want=max(want // 4, 25)
        ).items():
            coverage[object_id] = max(coverage.get(object_id, 0.0), share)
    titles = backends.title_hits(kind=kind, ids=list(coverage), terms=terms)
    total = sum(t.weight for t in terms) or 1.0
    exact = set(exact_ids)
    hits: list[Hit] = []
    for object_id, share in coverage.items():
        in_title = titles.get(object_id)
        if in_title is None:
            continue
        title_w = sum(t.weight for t, hit in zip(terms, in_title, strict=True) if hit)
        any_share = max(share, title_w / total)
        text = (2 * title_w / total + any_share) / 3 if terms else 0.0
        is_exact = object_id in exact
        hits.append(
            Hit(
                object_id=object_id,
                score=round(text + (1.0 if is_exact else 0.0), 4),
                title_score=round(title_w / total, 4) if terms else 0.0,
                exact=is_exact,
            )
        )
    hits.sort(key=lambda h: (-h.score, -h.object_id))
    return hits[:limit]


def match_ids(*, kind: str, query: str, limit: int = 1000) -> list[tuple[int, float]]:
    """(object_id, score) pairs, best first."""
    return [(h.object_id, h.score) for h in search(kind=kind, query=query, limit=limit)]


def rank_ids(*, kind: str, query: str, ids: Iterable[int]) -> list[tuple[int, float]]:
    """Score a given set of ids (say, one page of an already filtered list), best first;
    ids that do not match get 0."""
    wanted = [int(i) for i in ids]
    parsed = parse_query(query)
    if parsed.empty or not wanted:
        return [(i, 0.0) for i in wanted]
    hits_by_id = backends.term_hits(kind=kind, ids=wanted, terms=parsed.terms)
    exact: set[int] = set()
    if parsed.identifiers:
        sql, params = backends.exact_sql(kind=kind, values=parsed.identifiers)
        exact = set(backends.fetch_ids(sql, params, limit=10000))
    total = sum(t.weight for t in parsed.terms) or 1.0
    scored = []
    for object_id in wanted:
        entry = hits_by_id.get(object_id)
        score = 1.0 if object_id in exact else 0.0
        if entry is not None and parsed.terms:
            _title, in_title, anywhere = entry
            title_w = sum(t.weight for t, h in zip(parsed.terms, in_title, strict=True) if h)
            any_w = sum(t.weight for t, h in zip(parsed.terms, anywhere, strict=True) if h)
            score += (2 * title_w + any_w) / (3 * total)
        scored.append((object_id, round(score, 4)))
    scored.sort(key=lambda p: -p[1])
    return scored


def matching_sql(*, kind: str, query: str) -> tuple[str, list[Any]] | None:
    """SQL selecting the object_ids that contain every term of `query` (or carry one of
    its identifiers exactly). None when the query has nothing to search for."""
    parsed = parse_query(query)
    if parsed.empty:
        return None
    parts: list[tuple[str, list[Any]]] = []
    if parsed.terms:
        parts.append(backends.match_sql(kind=kind, expr=backends.render([parsed.terms])))
    if parsed.identifiers:
        parts.append(backends.exact_sql(kind=kind, values=parsed.identifiers))
    sql = " UNION ".join(p[0] for p in parts)
    params = [v for p in parts for v in p[1]]
    return sql, params


def filter_matching(
    queryset: QuerySet[M], *, kind: str, query: str, field: str = "pk"
) -> QuerySet[M]:
    """`queryset` narrowed to rows whose `field` is an id matching `query` (every term, or
    an exact identifier). Keeps the caller's own filters, ordering and pagination: the
    match is one `IN (subquery)` the database plans together with them. A blank query
    returns `queryset` unchanged; a query with nothing searchable returns none."""
    if not (query or "").strip():
        return queryset
    found = matching_sql(kind=kind, query=query)
    if found is None:
        return queryset.none()
    sql, params = found
    return queryset.filter(**{f"{field}__in": RawSQL(sql, params)})  # noqa: S611 - params bound


def indexed_count(*, kind: str) -> int:
    return backends.count(kind=kind)


def popularity(views: int) -> float:
    """A bounded popularity figure for tie-breaking (0 for none, ~1 at 10,000 views)."""
    return math.log10(1 + max(views, 0)) / 4
