from __future__ import annotations

from django.urls import path

from postdesk.knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("", views.search, name="search"),
    path("a/<int:article_id>/", views.article_detail, name="article"),
    path("a/<int:article_id>/edit/", views.article_edit, name="edit"),
    path("a/<int:article_id>/export.md", views.article_export, name="export"),
    path("new/", views.article_edit, name="new"),
    path("import/", views.import_upload, name="import"),
    path("export.zip", views.export_all, name="export_all"),
    path("phrases/", views.phrases, name="phrases"),
    path("phrases/check/", views.phrase_check, name="phrase_check"),
    path("suggest", views.suggest, name="suggest"),
    path("panel/", views.panel, name="panel"),
]
