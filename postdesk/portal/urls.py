from __future__ import annotations

from django.urls import URLPattern, URLResolver, path
from django.views.generic import RedirectView

from postdesk.portal import kb_views

app_name = "portal"
urlpatterns: list[URLPattern | URLResolver] = [
    # the portal's home until it has one (issue 16): the public knowledge base
    path("", RedirectView.as_view(pattern_name="portal:kb_search"), name="home"),
    path("kb/", kb_views.kb_search, name="kb_search"),
    path("kb/<int:article_id>/", kb_views.kb_article, name="kb_article"),
]
