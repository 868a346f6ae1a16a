"""Public knowledge-base pages (/public/kb/): public, currently effective articles only."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from postdesk.core.errors import NotFound
from postdesk.knowledge import selectors
from postdesk.knowledge.markdown_io import render_html, strip_agent_notes
from postdesk.knowledge.services import article_view_record


@require_GET
def kb_search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:200]
    hits = selectors.articles_search_public(query=q, limit=20) if q else []
    return render(request, "portal/kb_search.html", {"q": q, "hits": hits})


@require_GET
def kb_article(request: HttpRequest, article_id: int) -> HttpResponse:
    try:
        article = selectors.article_get_public(article_id=article_id)
    except NotFound:
        raise Http404 from None
    article_view_record(article_id=article.pk)
    body_html = render_html(strip_agent_notes(article.body))
    return render(request, "portal/kb_article.html", {"article": article, "body_html": body_html})
