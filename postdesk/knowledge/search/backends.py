"""The database side of the search engine: SQLite FTS5 and PostgreSQL tsvector + GIN.

Both store the same pre-segmented tokens (see `tokenize`); only the query language
differs. Nothing here knows about articles or work orders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from postdesk.knowledge.search.tokenize import Term

DOC_TABLE = "knowledge_searchdocument"
EXACT_TABLE = "knowledge_searchexact"
FTS_TABLE = "knowledge_searchfts"


@dataclass(frozen=True)
class Row:
    kind: str
    object_id: int
    title: str
    title_tokens: list[str]
    body_tokens: list[str]
    exact: list[str]


def kind_token(kind: str) -> str:
    """A lexeme no text can produce (tokens never hold "_"), stored with every document
    on PostgreSQL so one GIN index answers "this kind AND these words"."""
    return f"_k_{kind}"


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


# --- query rendering ------------------------------------------------------------------------
def _pg_term(term: Term) -> str:
    if term.prefix:
        return f"'{term.tokens[0]}':*"
    if len(term.tokens) == 1:
        return f"'{term.tokens[0]}'"
    return "(" + " & ".join(f"'{t}'" for t in term.tokens) + ")"


def _fts_term(term: Term) -> str:
    if term.prefix:
        return f'"{term.tokens[0]}"*'
    if len(term.tokens) == 1:
        return f'"{term.tokens[0]}"'
    return "(" + " AND ".join(f'"{t}"' for t in term.tokens) + ")"


def render(groups: Sequence[Sequence[Term]]) -> str:
    """OR of ANDs of terms, in the connection's query language."""
    pg = is_postgres()
    term = _pg_term if pg else _fts_term
    and_, or_ = (" & ", " | ") if pg else (" AND ", " OR ")
    parts = ["(" + and_.join(term(t) for t in group) + ")" for group in groups if group]
    return or_.join(parts)


# --- writes ------------------------------------------------------------------------------------
def _pg_upsert_one(cursor: Any, row: Row) -> None:
    """One document in one statement (one round trip): the intake path of every work order."""
    cursor.execute(
        f"""WITH d AS (
              INSERT INTO {DOC_TABLE} (kind, object_id, title, updated_at, tsv, title_tsv)
              VALUES (%s, %s, %s, now(), array_to_tsvector(%s::text[]),
                      array_to_tsvector(%s::text[]))
              ON CONFLICT (kind, object_id) DO UPDATE SET title = EXCLUDED.title,
                updated_at = EXCLUDED.updated_at, tsv = EXCLUDED.tsv,
                title_tsv = EXCLUDED.title_tsv),
            x AS (DELETE FROM {EXACT_TABLE} WHERE kind = %s AND object_id = %s)
        INSERT INTO {EXACT_TABLE} (kind, object_id, value)
        SELECT %s, %s, v FROM unnest(%s::text[]) AS v""",  # noqa: S608 — constant tables, placeholders; values bound
        [
            row.kind,
            row.object_id,
            row.title,
            [kind_token(row.kind), *dict.fromkeys(row.title_tokens + row.body_tokens)],
            [kind_token(row.kind), *row.title_tokens],
            row.kind,
            row.object_id,
            row.kind,
            row.object_id,
            list(dict.fromkeys(row.exact)),
        ],
    )


def upsert(rows: Sequence[Row], *, fresh: bool = False) -> None:
    """Insert or replace documents. `fresh`: the writer knows none of them is indexed yet
    (a new object's id): plain inserts, nothing to delete first — and a document that
    exists after all is refused (IntegrityError), never doubled."""
    if not rows:
        return
    with connection.cursor() as cursor:
        if is_postgres() and len(rows) == 1:
            _pg_upsert_one(cursor, rows[0])
            return
        if is_postgres():
            plan_each_statement()  # bulk: the tables grow under these statements
            cursor.executemany(
                f"""INSERT INTO {DOC_TABLE} (kind, object_id, title, updated_at, tsv, title_tsv)
                VALUES (%s, %s, %s, now(), array_to_tsvector(%s::text[]),
                        array_to_tsvector(%s::text[]))
                ON CONFLICT (kind, object_id) DO UPDATE SET title = EXCLUDED.title,
                  updated_at = EXCLUDED.updated_at, tsv = EXCLUDED.tsv,
                  title_tsv = EXCLUDED.title_tsv""",  # noqa: S608 — constant tables, placeholders; values bound
                [
                    (
                        row.kind,
                        row.object_id,
                        row.title,
                        [kind_token(row.kind), *dict.fromkeys(row.title_tokens + row.body_tokens)],
                        [kind_token(row.kind), *row.title_tokens],
                    )
                    for row in rows
                ],
            )
        else:
            replace = (
                ""
                if fresh
                else """ON CONFLICT (kind, object_id) DO UPDATE SET title = excluded.title,
                      updated_at = excluded.updated_at"""
            )
            for row in rows:
                cursor.execute(
                    f"""INSERT INTO {DOC_TABLE} (kind, object_id, title, updated_at)
                    VALUES (%s, %s, %s, datetime('now')) {replace} RETURNING id""",  # noqa: S608 — constant tables, placeholders; values bound
                    [row.kind, row.object_id, row.title],
                )
                (doc_id,) = cursor.fetchone()
                if not fresh:
                    cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [doc_id])  # noqa: S608 — constant tables, placeholders; values bound
                cursor.execute(
                    f"INSERT INTO {FTS_TABLE} (rowid, title, body) VALUES (%s, %s, %s)",  # noqa: S608 — constant tables, placeholders; values bound
                    [doc_id, " ".join(row.title_tokens), " ".join(row.body_tokens)],
                )
        if not fresh:
            _delete_exact(cursor, [(row.kind, row.object_id) for row in rows])
        exact = [(row.kind, row.object_id, v) for row in rows for v in dict.fromkeys(row.exact)]
        if exact:
            cursor.executemany(
                f"INSERT INTO {EXACT_TABLE} (kind, object_id, value) VALUES (%s, %s, %s)",  # noqa: S608 — constant tables, placeholders; values bound
                exact,
            )


def _delete_exact(cursor: object, kinds_ids: Sequence[tuple[str, int]]) -> None:
    by_kind: dict[str, list[int]] = {}
    for kind, object_id in kinds_ids:
        by_kind.setdefault(kind, []).append(object_id)
    for kind, ids in by_kind.items():
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(  # type: ignore[attr-defined]
                f"DELETE FROM {EXACT_TABLE} WHERE kind = %s AND object_id IN ({marks})",  # noqa: S608 — constant tables, placeholders; values bound
                [kind, *chunk],
            )


def delete(*, kind: str, object_id: int) -> None:
    with connection.cursor() as cursor:
        if not is_postgres():
            cursor.execute(
                f"DELETE FROM {FTS_TABLE} WHERE rowid IN "  # noqa: S608 — constant tables, placeholders; values bound
                f"(SELECT id FROM {DOC_TABLE} WHERE kind = %s AND object_id = %s)",
                [kind, object_id],
            )
        cursor.execute(
            f"DELETE FROM {DOC_TABLE} WHERE kind = %s AND object_id = %s",  # noqa: S608 — constant tables, placeholders; values bound
            [kind, object_id],
        )
        _delete_exact(cursor, [(kind, object_id)])


def clear(*, kind: str) -> None:
    with connection.cursor() as cursor:
        if not is_postgres():
            cursor.execute(
                f"DELETE FROM {FTS_TABLE} WHERE rowid IN "  # noqa: S608 — constant tables, placeholders; values bound
                f"(SELECT id FROM {DOC_TABLE} WHERE kind = %s)",
                [kind],
            )
        cursor.execute(f"DELETE FROM {DOC_TABLE} WHERE kind = %s", [kind])  # noqa: S608 — constant tables, placeholders; values bound
        cursor.execute(f"DELETE FROM {EXACT_TABLE} WHERE kind = %s", [kind])  # noqa: S608 — constant tables, placeholders; values bound


# --- reads ------------------------------------------------------------------------------------
def match_sql(*, kind: str, expr: str, title_only: bool = False) -> tuple[str, list[Any]]:
    """SQL selecting the object_ids of `kind` whose tokens match `expr` (unordered).

    On PostgreSQL the kind is a lexeme of the same tsvector, so the GIN index alone
    answers the whole condition (no plan that reads every row's tokens is possible)."""
    if is_postgres():
        column = "title_tsv" if title_only else "tsv"
        return (
            f"SELECT object_id FROM {DOC_TABLE} WHERE {column} @@ %s::tsquery",  # noqa: S608 — constant tables, placeholders; values bound
            [f"({expr}) & '{kind_token(kind)}'"],
        )
    fts_expr = f"title : ({expr})" if title_only else expr
    return (
        f"SELECT d.object_id FROM {FTS_TABLE} f JOIN {DOC_TABLE} d ON d.id = f.rowid "  # noqa: S608 — constant tables, placeholders; values bound
        f"WHERE {FTS_TABLE} MATCH %s AND d.kind = %s",
        [fts_expr, kind],
    )


def plan_each_statement() -> None:
    """For the rest of this transaction, plan every statement for its own values.

    The connection prepares statements it runs often and may keep one plan for all
    values (see settings: DB_PREPARE_THRESHOLD). A bulk loop whose tables grow under it
    must not keep the plan made when they were small."""
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")


def analyze() -> None:
    """Refresh the planner's statistics after a bulk load."""
    with connection.cursor() as cursor:
        if is_postgres():
            # merge the GIN "fast update" pending lists now: a search scans them linearly
            for index in ("kb_searchdoc_tsv", "kb_searchdoc_title_tsv"):
                cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        cursor.execute(f"ANALYZE {DOC_TABLE}")
        cursor.execute(f"ANALYZE {EXACT_TABLE}")


def exact_sql(*, kind: str, values: Sequence[str]) -> tuple[str, list[Any]]:
    marks = ", ".join(["%s"] * len(values))
    return (
        f"SELECT object_id FROM {EXACT_TABLE} WHERE kind = %s AND value IN ({marks})",  # noqa: S608 — constant tables, placeholders; values bound
        [kind, *values],
    )


def execute_planned_afresh(cursor: Any, sql: str, params: Sequence[Any]) -> None:
    """Run a search statement that PostgreSQL must plan for its own words: a common word
    and a rare one want opposite plans (walk the newest documents, or ask the GIN index),
    so such a statement is never prepared with one plan for all (see settings:
    DB_PREPARE_THRESHOLD)."""
    if is_postgres():
        with connection.wrap_database_errors:
            cursor.cursor.execute(sql, params, prepare=False)
    else:
        cursor.execute(sql, params)


def fetch_ids(sql: str, params: list[Any], *, limit: int) -> list[int]:
    with connection.cursor() as cursor:
        execute_planned_afresh(cursor, f"{sql} LIMIT %s", [*params, limit])
        return [int(r[0]) for r in cursor.fetchall()]


def term_hits(
    *, kind: str, ids: Sequence[int], terms: Sequence[Term]
) -> dict[int, tuple[str, list[bool], list[bool]]]:
    """For each id: its indexed title, and per term whether it hits the title (and tags)
    and whether it hits anywhere."""
    if not ids:
        return {}
    result: dict[int, tuple[str, list[bool], list[bool]]] = {}
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        if is_postgres():
            cols = []
            params: list[Any] = []
            for term in terms:
                q = render([[term]])
                cols.append("title_tsv @@ %s::tsquery, tsv @@ %s::tsquery")
                params += [q, q]
            select = ", ".join(["object_id", "title", *cols])
            cursor.execute(
                f"SELECT {select} FROM {DOC_TABLE} WHERE kind = %s AND object_id IN ({marks})",  # noqa: S608 — constant tables, placeholders; values bound
                [*params, kind, *ids],
            )
            for row in cursor.fetchall():
                flags = list(row[2:])
                result[int(row[0])] = (row[1], flags[0::2], flags[1::2])
            return result
        cursor.execute(
            f"SELECT object_id, title FROM {DOC_TABLE} WHERE kind = %s AND object_id IN ({marks})",  # noqa: S608 — constant tables, placeholders; values bound
            [kind, *ids],
        )
        for object_id, title in cursor.fetchall():
            result[int(object_id)] = (title, [False] * len(terms), [False] * len(terms))
        for index, term in enumerate(terms):
            for title_only in (True, False):
                sql, params = match_sql(kind=kind, expr=render([[term]]), title_only=title_only)
                cursor.execute(f"{sql} AND d.object_id IN ({marks})", [*params, *ids])
                for (object_id,) in cursor.fetchall():
                    entry = result.get(int(object_id))
                    if entry is not None:
                        (entry[1] if title_only else entry[2])[index] = True
    return result


def title_hits(*, kind: str, ids: Sequence[int], terms: Sequence[Term]) -> dict[int, list[bool]]:
    """For each id that still exists: per term, whether it is in the title (and tags).
    Reads only the small title index, never the body's tokens."""
    if not ids:
        return {}
    marks = ", ".join(["%s"] * len(ids))
    result: dict[int, list[bool]] = {}
    with connection.cursor() as cursor:
        if is_postgres():
            cols = ["title_tsv @@ %s::tsquery" for _term in terms]
            params: list[Any] = [render([[term]]) for term in terms]
            select = ", ".join(["object_id", *cols])
            cursor.execute(
                f"SELECT {select} FROM {DOC_TABLE} WHERE kind = %s AND object_id IN ({marks})",  # noqa: S608 — constant tables, placeholders; values bound
                [*params, kind, *ids],
            )
            return {int(row[0]): [bool(v) for v in row[1:]] for row in cursor.fetchall()}
        cursor.execute(
            f"SELECT object_id FROM {DOC_TABLE} WHERE kind = %s AND object_id IN ({marks})",  # noqa: S608 — constant tables, placeholders; values bound
            [kind, *ids],
        )
        for (object_id,) in cursor.fetchall():
            result[int(object_id)] = [False] * len(terms)
        for index, term in enumerate(terms):
            sql, params = match_sql(kind=kind, expr=render([[term]]), title_only=True)
            cursor.execute(f"{sql} AND d.object_id IN ({marks})", [*params, *ids])
            for (object_id,) in cursor.fetchall():
                if int(object_id) in result:
                    result[int(object_id)][index] = True
    return result


def count(*, kind: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {DOC_TABLE} WHERE kind = %s", [kind])  # noqa: S608 — constant tables, placeholders; values bound
        return int(cursor.fetchone()[0])
