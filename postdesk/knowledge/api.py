"""/api/v1/kb/ — the knowledge base for staff (token or session)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from postdesk.core.auth import STAFF_AUTH
from postdesk.knowledge import selectors, services
from postdesk.knowledge.markdown_io import render_html, strip_agent_notes
from postdesk.knowledge.models import Article, Phrase, Visibility
from postdesk.knowledge.schemas import ArticleOut, CheckIn, CheckOut, HitOut, PhraseOut
from postdesk.org.request import staff_user

router = Router(auth=STAFF_AUTH, tags=["knowledge base"])


class SearchParams(Schema):
    q: str = ""
    limit: int = 20
    category: str = ""
    visibility: str = ""
    current: bool = False


def article_out(article: Article, *, public: bool) -> dict[str, Any]:
    successor = article.successor
    if successor is not None and public and successor.visibility != Visibility.PUBLIC:
        successor = None
    return {
        "id": article.pk,
        "title": article.title,
        "category": article.category.path,
        "visibility": article.visibility,
        "status": selectors.status_of(article),
        "effective_from": article.effective_from.isoformat(),
        "effective_to": article.effective_to.isoformat() if article.effective_to else None,
        "successor": {"id": successor.pk, "title": successor.title} if successor else None,
        "tags": [t.name for t in article.tags.all()],
        "services": [str(s) for s in article.services],
        "body_markdown": strip_agent_notes(article.body) if public else article.body,
        "body_html": render_html(strip_agent_notes(article.body)) if public else article.body_html,
        "version": article.version,
    }


@router.get("/search", response=list[HitOut])
def search(request: HttpRequest, params: Query[SearchParams]) -> list[dict[str, Any]]:
    hits = selectors.articles_search(
        user=staff_user(request),
        query=params.q[:200],
        category=params.category,
        visibility=params.visibility,
        current_only=params.current,
        limit=max(1, min(params.limit, 100)),
    )
    return [hit.as_dict() for hit in hits]


@router.get("/suggest", response=list[HitOut])
def suggest(request: HttpRequest, q: str = "") -> list[dict[str, Any]]:
    """Articles for a caller's problem as the agent types it (the work-order form)."""
    hits = selectors.article_suggestions(user=staff_user(request), text=q) if q.strip() else []
    return [hit.as_dict() for hit in hits]


@router.get("/articles/{article_id}", response=ArticleOut)
def article(request: HttpRequest, article_id: int) -> dict[str, Any]:
    found = selectors.article_get(user=staff_user(request), article_id=article_id)
    return article_out(found, public=False)


@router.get("/phrases", response=list[PhraseOut])
def phrases(request: HttpRequest) -> list[Phrase]:
    return list(Phrase.objects.order_by("position", "key"))


@router.post("/phrase-check", response=CheckOut)
def phrase_check(request: HttpRequest, payload: CheckIn) -> dict[str, Any]:
    """Forbidden phrases in a reply to a customer, with the reason for each."""
    findings = services.phrase_check(text=payload.text)
    return {"ok": not findings, "findings": [f.as_dict() for f in findings]}
