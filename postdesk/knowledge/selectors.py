"""Reads of the knowledge base: search (staff and public), articles, phrases, changes.

Who sees what: every active staff user sees every article (internal and public); the
public (no user) sees only public articles that are currently in effect. Outside that,
an article is `NotFound`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString

from postdesk.core.errors import NotFound
from postdesk.knowledge import search
from postdesk.knowledge.markdown_io import strip_agent_notes
from postdesk.knowledge.models import (
    Article,
    ArticleVersion,
    Category,
    Phrase,
    PhraseCategory,
    Visibility,
)
from postdesk.knowledge.search.tokenize import parse_query
from postdesk.knowledge.services import ARTICLE_KIND
from postdesk.knowledge.status import RANK, article_status
from postdesk.org.models import User

#: Candidates a search ranks (then filters). A filtered search (the public's: public and
#: current articles only) used to gather 200 to keep more after filtering; measured on
#: 50,000 articles that doubled its p99 (30 → 63 ms) and found the expected article in
#: the public's top 3 for the same 25 of the 30 callers' questions as 100 (and as 400).
SEARCH_POOL = 100


def today() -> dt.date:
    return timezone.localdate()


def status_of(article: Article, *, on: dt.date | None = None) -> str:
    return article_status(
        effective_from=article.effective_from,
        effective_to=article.effective_to,
        has_successor=bool(article.successor_id or article.successor_title),
        today=on or today(),
    )


def _is_staff(user: User) -> bool:
    return user.is_authenticated and user.is_active


def current_q(*, on: dt.date | None = None) -> Q:
    day = on or today()
    return Q(effective_from__lte=day) & (Q(effective_to__isnull=True) | Q(effective_to__gte=day))


def public_q(*, on: dt.date | None = None) -> Q:
    return Q(visibility=Visibility.PUBLIC) & current_q(on=on)


def _visible(staff: bool) -> QuerySet[Article]:
    articles = Article.objects.select_related("category", "successor")
    return articles if staff else articles.filter(public_q())


def articles_visible(*, user: User) -> QuerySet[Article]:
    """Active staff: every article; anyone else as the public (`articles_public`)."""
    return _visible(_is_staff(user))


def articles_public() -> QuerySet[Article]:
    """What the public sees (the portal, no account): public articles in effect today."""
    return _visible(False)


def _get(articles: QuerySet[Article], article_id: int) -> Article:
    article = articles.filter(pk=article_id).first()
    if article is None:
        raise NotFound()
    return article


def article_get(*, user: User, article_id: int) -> Article:
    return _get(articles_visible(user=user), article_id)


def article_get_public(*, article_id: int) -> Article:
    """One article for the public; NotFound unless it is public and in effect."""
    return _get(articles_public(), article_id)


@dataclass(frozen=True)
class ArticleHit:
    article: Article
    score: float
    title_score: float
    status: str
    snippet: SafeString

    def as_dict(self) -> dict[str, Any]:
        a = self.article
        return {
            "id": a.pk,
            "title": a.title,
            "category": a.category.path,
            "visibility": a.visibility,
            "status": self.status,
            "effective_from": a.effective_from.isoformat(),
            "effective_to": a.effective_to.isoformat() if a.effective_to else None,
            "successor": (
                {"id": a.successor.pk, "title": a.successor.title}
                if a.successor and (a.successor.visibility == Visibility.PUBLIC or self._staff_view)
                else None
            ),
            "views": a.view_count,
            "score": self.score,
            "snippet": str(self.snippet),
        }

    _staff_view: bool = True


def _category_ids(path: str) -> list[int]:
    return list(
        Category.objects.filter(Q(path=path) | Q(path__startswith=f"{path}/")).values_list(
            "pk", flat=True
        )
    )


def articles_search(
    *,
    user: User,
    query: str,
    category: str = "",
    visibility: str = "",
    current_only: bool = False,
    limit: int = 20,
) -> list[ArticleHit]:
    """Ranked articles for `query`, best first: articles whose title (and tags) hold more
    of the query come first; then current before coming before superseded; then text
    relevance; then the most viewed. Filters: category (with its sub-categories),
    visibility, currently effective."""
    return _search(
        staff=_is_staff(user),
        query=query,
        category=category,
        visibility=visibility,
        current_only=current_only,
        limit=limit,
    )


def articles_search_public(*, query: str, category: str = "", limit: int = 20) -> list[ArticleHit]:
    """The same ranking for the public: public, current articles only, agents' notes
    left out of the snippets."""
    return _search(staff=False, query=query, category=category, limit=limit)


def _search(
    *,
    staff: bool,
    query: str,
    category: str = "",
    visibility: str = "",
    current_only: bool = False,
    limit: int = 20,
) -> list[ArticleHit]:
    parsed = parse_query(query)
    if parsed.empty:
        return []
    hits = search.search(kind=ARTICLE_KIND, query=parsed, limit=SEARCH_POOL, pool=SEARCH_POOL)
    if not hits:
        return []
    articles = _visible(staff).filter(pk__in=[h.object_id for h in hits])
    if category:
        articles = articles.filter(category_id__in=_category_ids(category))
    if visibility in Visibility.values and staff:
        articles = articles.filter(visibility=visibility)
    if current_only:
        articles = articles.filter(current_q())
    # the pool's rows without their texts (the successor's too): only the page shown
    # needs a body, for its snippets
    heavy = ("body", "body_html", "successor__body", "successor__body_html")
    by_id = articles.defer(*heavy).in_bulk()
    day = today()
    ranked: list[tuple[tuple[float, int, float, int], Article, str, search.Hit]] = []
    for hit in hits:
        article = by_id.get(hit.object_id)
        if article is None:
            continue
        status = status_of(article, on=day)
        tier = round(hit.title_score * 2) / 2  # none, part, (nearly) all of the query
        key = (-tier, RANK[status], -hit.score, -article.view_count)
        ranked.append((key, article, status, hit))
    ranked.sort(key=lambda row: row[0])
    ranked = ranked[:limit]
    bodies = dict(
        Article.objects.filter(pk__in=[a.pk for _k, a, _s, _h in ranked]).values_list("pk", "body")
    )
    for _key, article, _status, _hit in ranked:
        article.body = bodies.get(article.pk, "")
    return [
        ArticleHit(
            article=article,
            score=hit.score,
            title_score=hit.title_score,
            status=status,
            snippet=search.highlight(
                text=article.body if staff else strip_agent_notes(article.body),
                query=parsed,
                length=140,
            ),
            _staff_view=staff,
        )
        for _key, article, status, hit in ranked
    ]


def article_suggestions(*, user: User, text: str, limit: int = 5) -> list[ArticleHit]:
    """Articles for a caller's problem as an agent types it (current ones first)."""
    return articles_search(user=user, query=text[:200], limit=limit)


def article_versions(*, article: Article) -> QuerySet[ArticleVersion]:
    return article.versions.select_related("changed_by").order_by("-number")


def categories() -> QuerySet[Category]:
    return Category.objects.order_by("path")


@dataclass(frozen=True)
class Change:
    article: Article
    what: str  # "created", "updated", "takes_effect", "ends"
    on: dt.datetime | dt.date
    fields: tuple[str, ...] = ()
    by: str = ""


def changes_this_week(*, user: User, days: int = 7, limit: int = 12) -> list[Change]:
    """The notice board: articles created or changed in the last `days` days, and those
    taking effect or ending within `days` days either side of today."""
    now = timezone.now()
    day = today()
    visible = articles_visible(user=user)
    versions = (
        ArticleVersion.objects.filter(
            changed_at__gte=now - dt.timedelta(days=days), article__in=visible
        )
        .select_related("article", "article__category", "changed_by")
        .order_by("-changed_at")
    )
    changes: list[Change] = []
    seen: set[int] = set()
    for version in versions[:200]:
        if version.article_id in seen:
            continue
        seen.add(version.article_id)
        changes.append(
            Change(
                article=version.article,
                what="created" if version.number == 1 else "updated",
                on=version.changed_at,
                fields=tuple(f for f in version.changed_fields if f != "created"),
                by=str(version.changed_by or ""),
            )
        )
    window = (day - dt.timedelta(days=days), day + dt.timedelta(days=days))
    for article in visible.filter(effective_from__range=window).order_by("effective_from"):
        changes.append(Change(article=article, what="takes_effect", on=article.effective_from))
    for article in visible.filter(effective_to__range=window).order_by("effective_to"):
        changes.append(Change(article=article, what="ends", on=article.effective_to or day))
    return changes[:limit]


def phrases_by_category() -> list[tuple[str, str, list[Phrase]]]:
    """(category code, label, phrases) in the order of the categories."""
    phrases = list(Phrase.objects.order_by("position", "key"))
    groups: list[tuple[str, str, list[Phrase]]] = []
    for code, label in PhraseCategory.choices:
        items = [p for p in phrases if p.category == code]
        if items:
            groups.append((code, str(label), items))
    return groups


_PLACEHOLDER = re.compile(r"\{([^{}\s]{1,8})\}")


def phrase_fill(text: str, values: Mapping[str, str]) -> str:
    """A service phrase with its placeholders ({工号}, {工单号}, {姓氏}, …) filled from
    `values`; a placeholder without a value stays as it is, for the agent to complete."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1)) or m.group(0), text)


def phrases_for(*, values: Mapping[str, str]) -> list[tuple[str, str, list[tuple[Phrase, str]]]]:
    """The service phrases by category, each with its text filled from `values`."""
    return [
        (code, label, [(p, phrase_fill(p.text, values)) for p in items])
        for code, label, items in phrases_by_category()
    ]


EDITOR_ROLES = frozenset({"admin", "lead"})


def can_edit_articles(*, user: User) -> bool:
    """Administrators and team leads keep the knowledge base."""
    return _is_staff(user) and (user.is_superuser or user.role in EDITOR_ROLES)


def articles_browse(
    *, user: User, category: str = "", visibility: str = "", current_only: bool = False
) -> QuerySet[Article]:
    """Articles without a query: newest changes first, with the same filters as search."""
    articles = articles_visible(user=user)
    if category:
        articles = articles.filter(category_id__in=_category_ids(category))
    if visibility in Visibility.values and _is_staff(user):
        articles = articles.filter(visibility=visibility)
    if current_only:
        articles = articles.filter(current_q())
    return articles.order_by("-updated_at", "-pk")
