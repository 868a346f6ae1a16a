from __future__ import annotations

from django.urls import path

from postdesk.workorders import assign_views, views

app_name = "workorders"
urlpatterns = [
    path("", views.work_order_list, name="list"),
    path("new/", views.work_order_new, name="new"),
    path("inbox/", views.work_order_inbox, name="inbox"),
    path("board/", views.work_order_board, name="board"),
    path("panel/", views.work_order_panel, name="panel"),
    path("attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("<str:number>/", views.work_order_detail, name="detail"),
    path("<str:number>/act/<str:action>/", views.work_order_action, name="act"),
    path("<str:number>/assign/", assign_views.work_order_assign_view, name="assign"),
    path("<str:number>/note/", views.work_order_note_view, name="note"),
    path("<str:number>/caller/", views.work_order_caller_view, name="caller"),
]
