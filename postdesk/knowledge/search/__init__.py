"""postdesk's one search engine, for articles, work orders and any other kind.

Chinese text is segmented in Python at write time (`tokenize`): overlapping
two-character pieces so any substring of two or more characters is found, each run's
last character so a one-character query is a prefix match, jieba words of three or more
characters (with the postal word list), and ASCII words. The tokens are indexed by the
database's own full-text engine: an FTS5 table on SQLite, `tsvector` columns with GIN
indexes on PostgreSQL (built with `array_to_tsvector`, so no text-search parser or
locale is involved). Identifiers — waybill numbers, phone numbers, work-order numbers —
go to an exact-match table.

The API (import from `postdesk.knowledge.search`; all keyword-only):

Writes — call inside the writer's own transaction:
    index_document(kind=, object_id=, title=, body=, exact=(), tokens=None) -> None
        insert or replace one document; `exact` are identifiers matched whole
        (case, spaces and dashes ignored: "EA 123456789 cn" == "EA123456789CN");
        `tokens`: the text segmented beforehand by `tokens_of(title=, body=)`, so the
        writer's transaction does not wait for the segmenting.
    index_documents(kind=, documents=[Document(...)]) -> int    bulk form
    remove_document(kind=, object_id=) -> None

Reads:
    search(kind=, query=, limit=50) -> list[Hit]
        ranked hits, best first: exact identifier matches first, then text relevance
        (a term in the title counts twice a term only in the body; more of the query's
        words beat fewer). Hit has object_id, score, title_score, exact.
    match_ids(kind=, query=, limit=1000) -> list[(object_id, score)]   the same, as pairs
    filter_matching(queryset, kind=, query=, field="pk") -> QuerySet
        narrows a queryset to rows containing EVERY word of the query (or carrying one
        of its identifiers) with one `IN (subquery)`, keeping the caller's scope filter,
        other filters, ordering and pagination: the way to search a big list.
    newest_matching(kind=, query=Query, limit=) -> Newest(ids, complete, way)
        the newest `limit` ids containing every word (or an identifier), newest first,
        by whichever way is cheap for how common the words are (see `newest`): the
        first page of a big list without collecting every match; `way` says which
        way was taken (tests assert it on each database).
    matching_among(kind=, query=Query, ids=) -> set[int]
        which of the given ids match, each tested on its own: for a list that walks its
        own rows newest first, a chunk at a time.
    rank_ids(kind=, query=, ids=) -> list[(object_id, score)]
        scores a given set of ids (e.g. one page of a filtered list), best first.
    highlight(text=, query=, length=120) -> SafeString
        the best stretch of `text`, HTML-escaped, query words in <mark>.

Reindexing:
    register_kind(kind, iter_documents=callable)  from the owning app's AppConfig.ready();
        the callable yields every `Document(object_id, title, body, exact)` of the kind.
    reindex(kind=) -> int; the command `postdesk search_reindex [--kind K]`.

The knowledge app registers kind "article"; the work-order app registers "workorder".
"""

from postdesk.knowledge.search.engine import (
    Document,
    Hit,
    Tokens,
    filter_matching,
    index_document,
    index_documents,
    indexed_count,
    match_ids,
    matching_sql,
    rank_ids,
    register_kind,
    registered_kinds,
    reindex,
    remove_document,
    search,
    tokens_of,
)
from postdesk.knowledge.search.highlight import highlight, plain_text
from postdesk.knowledge.search.newest import Newest, matching_among, newest_matching
from postdesk.knowledge.search.tokenize import Query, index_tokens, parse_query

__all__ = [
    "Document",
    "Hit",
    "Newest",
    "Query",
    "Tokens",
    "filter_matching",
    "highlight",
    "index_document",
    "index_documents",
    "index_tokens",
    "indexed_count",
    "match_ids",
    "matching_among",
    "matching_sql",
    "newest_matching",
    "parse_query",
    "plain_text",
    "rank_ids",
    "register_kind",
    "registered_kinds",
    "reindex",
    "remove_document",
    "search",
    "tokens_of",
]
