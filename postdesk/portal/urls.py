from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from postdesk.portal import kb_views, views

app_name = "portal"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("track/", views.track, name="track"),
    path("follow/", views.follow_page, name="follow"),
    path("kb/", kb_views.kb_search, name="kb_search"),
    path("kb/<int:article_id>/", kb_views.kb_article, name="kb_article"),
]
