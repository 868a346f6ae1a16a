from __future__ import annotations

from django.urls import path

from postdesk.workorders import assign_views, tag_views, views, views_lists

app_name = "workorders"
urlpatterns = [
    path("", views.work_order_list, name="list"),
    path("new/", views.work_order_new, name="new"),
    path("inbox/", views.work_order_inbox, name="inbox"),
    path("board/", views.work_order_board, name="board"),
    path("panel/", views.work_order_panel, name="panel"),
    path("filters/", views_lists.saved_filter_save_view, name="filter_save"),
    path("bulk/", views_lists.bulk_action_view, name="bulk"),
    path("tags/", tag_views.tags_manage_view, name="tags"),
    path(
        "filters/<int:filter_id>/delete/",
        views_lists.saved_filter_delete_view,
        name="filter_delete",
    ),
    path("attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("<str:number>/", views.work_order_detail, name="detail"),
    path("<str:number>/act/<str:action>/", views.work_order_action, name="act"),
    path("<str:number>/assign/", assign_views.work_order_assign_view, name="assign"),
    path("<str:number>/tags/", tag_views.work_order_tag_add_view, name="tag_add"),
    path(
        "<str:number>/tags/<int:tag_id>/remove/",
        tag_views.work_order_tag_remove_view,
        name="tag_remove",
    ),
    path("<str:number>/note/", views.work_order_note_view, name="note"),
    path("<str:number>/caller/", views.work_order_caller_view, name="caller"),
]
