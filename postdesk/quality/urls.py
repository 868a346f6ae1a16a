from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from postdesk.quality import views

app_name = "quality"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("evaluate/", views.evaluate, name="evaluate"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="evaluation"),
    path("scorecards/", views.scorecards, name="scorecards"),
]
