from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from postdesk.workforce import views, views_rosters

app_name = "workforce"
urlpatterns: list[URLPattern | URLResolver] = [
    path("staffing/", views.staffing_page, name="staffing"),
    path("floor/", views.floor_page, name="floor"),
    path("floor/panel/", views.floor_panel, name="floor_panel"),
    path("handovers/", views.handover_list, name="handovers"),
    path("handovers/new/", views.handover_new, name="handover_new"),
    path("handovers/panel/", views.handover_panel, name="handover_panel"),
    path("handovers/<int:pk>/", views.handover_detail, name="handover"),
    path("reports/", views.report_list, name="reports"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/<str:number>/", views.report_detail, name="report"),
    path("rosters/", views_rosters.roster_page, name="rosters"),
    path("schedule/", views_rosters.schedule_page, name="schedule"),
    path("adherence/", views_rosters.adherence_page, name="adherence"),
]
