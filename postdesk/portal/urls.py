from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from postdesk.portal import filing_views, kb_views, otp_views, views

app_name = "portal"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("track/", views.track, name="track"),
    path("follow/", views.follow_page, name="follow"),
    path("follow/phone/", otp_views.follow_phone, name="follow_phone"),
    path("follow/rate/", filing_views.rate_page, name="rate"),
    path("file/", filing_views.file_page, name="file"),
    path("file/done/", filing_views.file_done, name="file_done"),
    path("kb/", kb_views.kb_search, name="kb_search"),
    path("kb/<int:article_id>/", kb_views.kb_article, name="kb_article"),
]
