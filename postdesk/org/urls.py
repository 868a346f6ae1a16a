from __future__ import annotations

from django.urls import path

from postdesk.org import views

# no app_name: the page's name `org_units` is the navigation's (core.nav)
urlpatterns = [
    path("units/", views.units, name="org_units"),
    path("units/import/", views.units_import_page, name="org_units_import"),
    path("access-log/", views.access_log_page, name="org_access_log"),
    path("access-log/export/", views.access_log_export_view, name="org_access_log_export"),
]
