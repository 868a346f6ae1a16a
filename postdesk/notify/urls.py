from __future__ import annotations

from django.urls import path

from postdesk.notify import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("panel/", views.notification_panel, name="panel"),
    path("read/", views.notification_read, name="read"),
    path("sms/templates/", views.sms_templates, name="sms_templates"),
]
