from __future__ import annotations

import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from postdesk.core import health as health_checks
from postdesk.core.home import HOME_PANELS


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user  # signed in (login_required); the role is the staff model's field
    role = "admin" if user.is_superuser else str(getattr(user, "role", ""))
    panels = []
    for panel in HOME_PANELS:
        if role in panel.roles:
            try:
                panels.append(reverse(panel.url_name))
            except NoReverseMatch:
                continue
    return render(request, "core/home.html", {"panels": panels})


@never_cache
@require_GET
def health_live(request: HttpRequest) -> JsonResponse:
    """The process answers (nothing else is asked)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Readiness (`/health/ready`, and `/health` for load balancers set up before it):
    503 only when the database, or what POSTDESK_READY_REQUIRES names, does not answer."""
    ok, checks = health_checks.readiness()
    return JsonResponse({"status": "ok" if ok else "error", **checks}, status=200 if ok else 503)


def operator_allowed(request: HttpRequest) -> bool:
    """The metrics token (`Authorization: Bearer …`) or an administrator's session."""
    token = str(getattr(settings, "POSTDESK_METRICS_TOKEN", "") or "")
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer ") and hmac.compare_digest(given[7:].strip(), token):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_superuser)


def not_operator() -> JsonResponse:
    return JsonResponse(
        {
            "code": "not_authenticated",
            "message": _("Give the metrics token, or sign in as an administrator."),
            "fields": {},
        },
        status=401,
    )


@never_cache
@require_GET
def health_deep(request: HttpRequest) -> JsonResponse:
    """For operators: the outbox backlog, beat, workers, queues, replication lag."""
    if not operator_allowed(request):
        return not_operator()
    report = health_checks.deep()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics (`core.metrics`): the metrics token or an administrator."""
    if not operator_allowed(request):
        return not_operator()
    from postdesk.core.metrics import exposition

    body, content_type = exposition()
    return HttpResponse(body, content_type=content_type)
