from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from postdesk.routing import views

app_name = "routing"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("test/", views.test_address, name="test"),
    path("unit/<str:code>/", views.unit_rules, name="unit"),
    path("rule/<int:area_id>/edit/", views.rule_edit, name="rule_edit"),
    path("rule/<int:area_id>/delete/", views.rule_delete, name="rule_delete"),
    path("import/", views.import_areas, name="import"),
    path("samples/", views.samples, name="samples"),
]
