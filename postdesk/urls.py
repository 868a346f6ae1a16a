from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from postdesk.api import api
from postdesk.org.views import set_language

# JSON under /api/, pages elsewhere; a database outage is a 503 (core.http_errors)
handler404 = "postdesk.core.http_errors.handler404"
handler500 = "postdesk.core.http_errors.handler500"

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("customers/", include("postdesk.customers.urls")),
    path("org/", include("postdesk.org.urls")),
    path("routing/", include("postdesk.routing.urls")),
    path("notifications/", include("postdesk.notify.urls")),
    path("workorders/", include("postdesk.workorders.urls")),
    path("notices/", include("postdesk.notices.urls")),
    path("calls/", include("postdesk.calls.urls")),
    path("callbacks/", include("postdesk.callbacks.urls")),
    path("workforce/", include("postdesk.workforce.urls")),
    path("tracking/", include("postdesk.tracking.urls")),
    path("kb/", include("postdesk.knowledge.urls")),
    path("reports/", include("postdesk.reports.urls")),
    path("quality/", include("postdesk.quality.urls")),
    path("public/", include("postdesk.portal.urls")),
    path("language", set_language, name="set_language"),
    path("", include("postdesk.core.urls")),
]
