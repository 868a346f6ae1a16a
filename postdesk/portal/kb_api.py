"""/api/v1/public/kb/ — knowledge-base search for anyone: only public articles that are
currently in effect; anything else is 404."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from postdesk.knowledge import selectors
from postdesk.knowledge.api import article_out
from postdesk.knowledge.schemas import ArticleOut, HitOut

router = Router(auth=None, tags=["public"])


@router.get("/search", response=list[HitOut], auth=None)
def search(request: HttpRequest, q: str = "", limit: int = 10) -> list[dict[str, Any]]:
    hits = selectors.articles_search_public(query=q[:200], limit=max(1, min(limit, 50)))
    return [hit.as_dict() for hit in hits]


@router.get("/articles/{article_id}", response=ArticleOut, auth=None)
def article(request: HttpRequest, article_id: int) -> dict[str, Any]:
    found = selectors.article_get_public(article_id=article_id)
    return article_out(found, public=True)
