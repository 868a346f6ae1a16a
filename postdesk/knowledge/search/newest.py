"""Newest first: the documents of a kind that contain a query's words, highest id first —
the shape of every list search (a work-order list shows the newest orders that match).

There are two ways to find them, and which is cheap depends on how common the words are:

- the walk: read the kind's documents newest first and keep those that match, until
  `limit` are found; its cost grows with limit ÷ (the share of documents that match);
- the index: ask the full-text index for every match and keep the newest; its cost grows
  with the number of matches (each one's row is read to learn its id).

PostgreSQL's planner would choose between them by its estimate of how many documents
match, and for Chinese text that estimate is off by orders of magnitude: a word is the AND
of its overlapping two-character pieces, which occur together far more often than the
planner's independence assumption says (上门揽收 among 1,000,000 work orders: estimated 10,
found 100,218; the index path then read 49,000 pages to give the newest 1,000). So the
choice is made here, from the statistics the planner keeps itself (the most common
lexemes and their frequencies, `pg_stats`), taking a term's rarest piece, and a query's
rarest term, as its frequency: an upper bound that is close for pieces of one word.

The walk reads at most `WALK_ROWS` documents; when it finds no more than `limit` matches
there (two common words that seldom meet: 海关 and 揽收), the index answers instead (few
matches, so cheap). SQLite's FTS5 answers from its index alone and is not given the
choice.

`matching_among` tests given ids, for a list that walks its own rows newest first (a
narrow filter, a common word): a lookup of each row's document that no planner can turn
into an index scan of every match.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from postdesk.core.ttlcache import TTLCache
from postdesk.knowledge.search import backends
from postdesk.knowledge.search.tokenize import Query, Term

#: Estimated matches from which walking the newest documents beats asking the index.
WALK_FROM = 5_000
#: The most documents one walk reads before the index is asked instead.
WALK_ROWS = 100_000
STATS_SECONDS = 300.0


#: How `newest_matching` found the words' matches (`Newest.way`).
FTS, INDEX, WALK, WALK_THEN_INDEX = "fts", "index", "walk", "walk, then index"


@dataclass(frozen=True)
class Newest:
    ids: list[int]  # newest first
    complete: bool  # these are all the matches there are
    way: str = ""  # FTS (SQLite), INDEX, WALK or WALK_THEN_INDEX; "" for identifiers only


@dataclass(frozen=True)
class _Stats:
    rows: float  # documents in the table (the planner's count)
    freqs: dict[str, float]  # share of documents holding each common lexeme
    floor: float  # a lexeme not listed is at most this common


_stats: TTLCache[str, _Stats] = TTLCache(STATS_SECONDS)


def _lexeme_stats() -> _Stats:
    found, cached = _stats.get(backends.DOC_TABLE)
    if found and cached is not None:
        return cached
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.reltuples, s.most_common_elems::text::text[], s.most_common_elem_freqs "
            "FROM pg_class c LEFT JOIN pg_stats s ON s.tablename = c.relname "
            "AND s.attname = 'tsv' AND s.schemaname = current_schema() "
            "WHERE c.relname = %s AND c.relkind = 'r'",
            [backends.DOC_TABLE],
        )
        row = cursor.fetchone()
    rows, elems, freqs = row if row else (0.0, None, None)
    listed = dict(zip(elems or [], freqs or [], strict=False))
    # after the per-lexeme frequencies PostgreSQL stores their minimum, maximum (and
    # for some types the share of nulls): the minimum bounds every lexeme not listed
    floor = float(freqs[len(elems)]) if elems and freqs and len(freqs) > len(elems) else 1.0
    stats = _Stats(rows=max(float(rows or 0), 0.0), freqs=listed, floor=floor)
    _stats.put(backends.DOC_TABLE, stats)
    return stats


def _term_share(term: Term, stats: _Stats) -> float:
    if term.prefix:  # any lexeme starting with it: the listed ones' sum bounds it below
        token = term.tokens[0]
        listed = sum(f for lexeme, f in stats.freqs.items() if lexeme.startswith(token))
        return min(1.0, max(listed, stats.floor))
    return min(stats.freqs.get(token, stats.floor) for token in term.tokens)


def estimated_matches(*, kind: str, query: Query) -> float:
    """At most how many documents of `kind` contain every term (PostgreSQL statistics);
    0 before the table was ever analysed (then the index answers: it is small)."""
    stats = _lexeme_stats()
    if not query.terms:
        return 0.0
    kind_share = stats.freqs.get(backends.kind_token(kind), 1.0)
    share = min(_term_share(term, stats) for term in query.terms)
    return min(share, kind_share) * stats.rows


def _tsquery(kind: str, query: Query) -> str:
    return f"({backends.render([query.terms])}) & '{backends.kind_token(kind)}'"


def _fetch(sql: str, params: list[Any]) -> list[int]:
    with connection.cursor() as cursor:
        backends.execute_planned_afresh(cursor, sql, params)
        return [int(row[0]) for row in cursor.fetchall()]


def _walk(kind: str, query: Query, limit: int) -> list[int]:
    """The newest `limit` matches among the newest WALK_ROWS documents of the kind: the
    inner LIMIT leaves the planner one way, backwards along (kind, object_id)."""
    return _fetch(
        f"SELECT object_id FROM (SELECT object_id, tsv FROM {backends.DOC_TABLE} "  # noqa: S608 — constant table; values bound
        "WHERE kind = %s ORDER BY object_id DESC LIMIT %s) newest "
        "WHERE tsv @@ %s::tsquery ORDER BY object_id DESC LIMIT %s",
        [kind, WALK_ROWS, _tsquery(kind, query), limit],
    )


def _from_index(kind: str, query: Query, limit: int) -> list[int]:
    """Every match through the GIN index, the newest `limit` of them (no `kind =`
    condition, so the planner cannot walk (kind, object_id) for the order either)."""
    return _fetch(
        f"SELECT object_id FROM {backends.DOC_TABLE} WHERE tsv @@ %s::tsquery "  # noqa: S608 — constant table; values bound
        "ORDER BY object_id DESC LIMIT %s",
        [_tsquery(kind, query), limit],
    )


def _text_matches(kind: str, query: Query, limit: int) -> tuple[list[int], str]:
    """Up to `limit` + 1 newest documents containing every term, and the way taken."""
    if not backends.is_postgres():
        sql, params = backends.match_sql(kind=kind, expr=backends.render([query.terms]))
        return _fetch(f"{sql} ORDER BY d.object_id DESC LIMIT %s", [*params, limit + 1]), FTS
    if estimated_matches(kind=kind, query=query) >= WALK_FROM:
        walked = _walk(kind, query, limit + 1)
        if len(walked) > limit:
            return walked, WALK  # more than `limit` among the newest: those are the newest
        return _from_index(kind, query, limit + 1), WALK_THEN_INDEX
    return _from_index(kind, query, limit + 1), INDEX


def newest_matching(*, kind: str, query: Query, limit: int) -> Newest:
    """The newest `limit` documents of `kind` containing every term of `query`, or
    carrying one of its identifiers exactly; `complete` when there are no more."""
    found: list[int] = []
    complete, way = True, ""
    if query.terms:
        found, way = _text_matches(kind, query, limit)
        complete = len(found) <= limit
    if query.identifiers:
        sql, params = backends.exact_sql(kind=kind, values=query.identifiers)
        exact = _fetch(f"{sql} ORDER BY object_id DESC LIMIT %s", [*params, limit + 1])
        complete = complete and len(exact) <= limit
        found = sorted(set(found) | set(exact), reverse=True)
    return Newest(ids=found[:limit], complete=complete and len(found) <= limit, way=way)


def matching_among(*, kind: str, query: Query, ids: Sequence[int]) -> set[int]:
    """Which of `ids` are documents of `kind` containing every term of `query` (or
    carrying one of its identifiers) — for a list that reads its own rows newest first
    and tests them a chunk at a time. On PostgreSQL each id's document is looked up by
    (kind, object_id) and tested: a per-row lookup that no estimate can turn into a scan
    of every match through the index."""
    wanted = [int(i) for i in ids]
    if not wanted or query.empty:
        return set()
    found: set[int] = set()
    if query.terms and backends.is_postgres():
        found |= set(
            _fetch(
                f"SELECT i FROM unnest(%s::bigint[]) AS i WHERE (SELECT d.tsv FROM "  # noqa: S608 — constant table; values bound
                f"{backends.DOC_TABLE} d WHERE d.kind = %s AND d.object_id = i) @@ %s::tsquery",
                [wanted, kind, _tsquery(kind, query)],
            )
        )
    elif query.terms:
        sql, params = backends.match_sql(kind=kind, expr=backends.render([query.terms]))
        marks = ", ".join(["%s"] * len(wanted))
        found |= set(_fetch(f"{sql} AND d.object_id IN ({marks})", [*params, *wanted]))
    if query.identifiers:
        sql, params = backends.exact_sql(kind=kind, values=query.identifiers)
        marks = ", ".join(["%s"] * len(wanted))
        found |= set(_fetch(f"{sql} AND object_id IN ({marks})", [*params, *wanted]))
    return found


def stats_clear() -> None:
    """Forget the statistics (tests; after a reindex the next minutes use fresh ones)."""
    _stats.clear()
