from __future__ import annotations

from django.urls import path

from postdesk.callbacks import views

app_name = "callbacks"
urlpatterns = [
    path("", views.callback_list, name="list"),
    path("new/", views.callback_new, name="new"),
    path("panel/", views.callback_panel, name="panel"),
    path("<int:task_id>/", views.callback_detail, name="detail"),
    path("<int:task_id>/start/", views.callback_start_view, name="start"),
    path("<int:task_id>/attempt/", views.callback_attempt_view, name="attempt"),
    path("<int:task_id>/assign/", views.callback_assign_view, name="assign"),
    path("<int:task_id>/cancel/", views.callback_cancel_view, name="cancel"),
]
