"""Snippets with the query's words marked (pure)."""

from __future__ import annotations

import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from postdesk.knowledge.search.tokenize import Query, parse_query

_MARKDOWN = re.compile(r"[#>*_`|]+|\[([^\]]*)\]\([^)]*\)|-{3,}")
_SPACE = re.compile(r"\s+")


def plain_text(markdown_text: str) -> str:
    """Markdown reduced to one line of plain text, for snippets and indexing."""
    text = _MARKDOWN.sub(lambda m: m.group(1) or " ", markdown_text or "")
    return _SPACE.sub(" ", text).strip()


def _needles(query: Query) -> list[str]:
    needles: set[str] = set()
    for term in query.terms:
        needles.add(term.text)
        if len(term.tokens) > 1:
            needles.update(term.tokens)
    needles.update(v.lower() for v in query.identifiers)
    return sorted((n for n in needles if n), key=len, reverse=True)


def highlight(*, text: str, query: str | Query, length: int = 120) -> SafeString:
    """The stretch of `text` (about `length` characters) with the most query words, HTML
    escaped, each word wrapped in <mark>."""
    parsed = query if isinstance(query, Query) else parse_query(query)
    text = plain_text(text)
    folded = unicodedata.normalize("NFKC", text).lower()
    if len(folded) != len(text):  # NFKC changed lengths: mark on the folded text instead
        text = folded
    needles = _needles(parsed)
    spans: list[tuple[int, int]] = []
    if needles:
        pattern = re.compile("|".join(re.escape(n) for n in needles))
        spans = [(m.start(), m.end()) for m in pattern.finditer(folded)]
    start = 0
    if spans and len(text) > length:
        best, best_count = spans[0][0], 0
        for s, _e in spans:
            count = sum(1 for a, _b in spans if s <= a < s + length)
            if count > best_count:
                best, best_count = s, count
        start = max(0, min(best - length // 4, len(text) - length))
    end = min(len(text), start + length)
    out: list[str] = ["…" if start > 0 else ""]
    cursor = start
    for s, e in spans:
        if e <= start or s >= end or s < cursor:
            continue
        out.append(escape(text[cursor:s]))
        out.append(f"<mark>{escape(text[s : min(e, end)])}</mark>")
        cursor = min(e, end)
    out.append(escape(text[cursor:end]))
    if end < len(text):
        out.append("…")
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped
