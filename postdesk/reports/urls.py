from __future__ import annotations

from django.urls import path

from postdesk.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("month.xlsx", views.export_xlsx, name="xlsx"),
    path("targets/<str:key>/", views.target_items_page, name="target_items"),
    path("league/", views.league_page, name="league"),
    path("month.pdf", views.export_pdf, name="pdf"),
    path("archive/", views.archive_page, name="archive"),
    path(
        "archive/<str:month>/<int:version>.pdf",
        views.archive_file,
        {"kind": "pdf"},
        name="archive_pdf",
    ),
    path(
        "archive/<str:month>/<int:version>.xlsx",
        views.archive_file,
        {"kind": "xlsx"},
        name="archive_xlsx",
    ),
]
