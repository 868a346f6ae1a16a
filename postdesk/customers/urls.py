from __future__ import annotations

from django.urls import path

from postdesk.customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_new, name="new"),
    path("export.csv", views.customer_export, name="export"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
    path("<int:customer_id>/reveal/", views.customer_reveal_view, name="reveal"),
    path("<int:customer_id>/edit/", views.customer_edit, name="edit"),
    path("<int:customer_id>/merge/", views.customer_merge, name="merge"),
]
