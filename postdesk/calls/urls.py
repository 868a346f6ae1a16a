from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from postdesk.calls import views

app_name = "calls"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.workbench, name="workbench"),
    path("state/", views.state_set, name="state_set"),
    path("state/panel/", views.state_panel, name="state_panel"),
    path("pop/<int:call_pk>/", views.pop, name="pop"),
    path("pop/current/", views.pop_current, name="pop_current"),
    path("<int:call_pk>/wrapup/", views.wrapup, name="wrapup"),
    path("log/", views.call_log, name="log"),
    path("wallboard/", views.wallboard_page, name="wallboard"),
    path("wallboard/panel/", views.wallboard_panel, name="wallboard_panel"),
    path("panel/", views.home_panel, name="panel"),
    path("stream/", views.stream, name="stream"),
]
