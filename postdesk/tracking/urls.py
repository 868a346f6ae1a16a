from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from postdesk.tracking import views

app_name = "tracking"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.query, name="query"),
    path("results/", views.entry, name="entry"),
    path("kpi/", views.kpi, name="kpi"),
    path("kpi/<str:office_code>/", views.kpi_office, name="kpi_office"),
    path("kpi/<str:office_code>/attempts/", views.attempts, name="attempts"),
    path("chase/", views.chase, name="chase"),
    path("stale/", views.stale, name="stale"),
    path("imports/", views.imports, name="imports"),
    path("imports/<int:run_id>/", views.import_detail, name="import_detail"),
    path("imports/<int:run_id>/rejected.csv", views.import_rejected, name="import_rejected"),
]
