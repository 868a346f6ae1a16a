from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import path
from django.views.generic.base import RedirectView

from postdesk.core import views, views_exports

urlpatterns = [
    path("", views.home, name="home"),
    path("exports/", views_exports.exports_page, name="exports"),
    path("exports/start", views_exports.export_start, name="export_start"),
    path("health", views.health, name="health"),
    path("health/live", views.health_live, name="health_live"),
    path("health/ready", views.health, name="health_ready"),
    path("health/deep", views.health_deep, name="health_deep"),
    path("metrics", views.metrics, name="metrics"),
    # pages name their icon; this answers clients that ask for the conventional path
    path("favicon.ico", RedirectView.as_view(url=static("postdesk/favicon.svg"), permanent=True)),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="core/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(template_name="core/password_change.html"),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="core/password_change_done.html"),
        name="password_change_done",
    ),
]
