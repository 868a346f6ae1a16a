from __future__ import annotations

from django.urls import path

from postdesk.notices import views

app_name = "notices"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("new/", views.notice_new, name="new"),
    path("inbox/", views.notice_inbox, name="inbox"),
    path("chase/", views.notice_chase, name="chase"),
    path("<str:number>/", views.notice_detail, name="detail"),
    path("<str:number>/contact/", views.notice_contact_view, name="contact"),
    path("<str:number>/act/<str:action>/", views.notice_action, name="act"),
]
