"""The public's pages (/public/): home, track a parcel, follow a request. No sign-in;
public data only (`portal.selectors`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from postdesk.core.errors import NotFound, RateLimited, ValidationFailed
from postdesk.portal import selectors
from postdesk.portal.public_api import follow


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {})


@require_GET
def track(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("waybill", "").strip()[:40]
    ctx: dict[str, Any] = {"waybill": raw, "found": None, "error": ""}
    if raw:
        try:
            ctx["found"] = selectors.public_track(raw=raw)
        except ValidationFailed as exc:
            ctx["error"] = str(exc.message)
    return render(request, "portal/track.html", ctx, status=400 if ctx["error"] else 200)


@require_http_methods(["GET", "POST"])
def follow_page(request: HttpRequest) -> HttpResponse:
    ctx: dict[str, Any] = {"reference": request.GET.get("reference", "").strip()[:20]}
    ctx.update({"found": None, "error": ""})
    status = 200
    response_headers: dict[str, str] = {}
    if request.method == "POST":
        reference = request.POST.get("reference", "").strip()[:40]
        last4 = request.POST.get("phone_last4", "").strip()[:10]
        ctx["reference"] = reference
        try:
            ctx["found"] = follow(request, reference, last4)
            ctx["phone_last4"] = last4  # the rating form sends them again
        except NotFound:
            status = 404
            ctx["error"] = "not_found"
        except RateLimited as exc:
            status = 429
            ctx["error"] = "rate_limited"
            response_headers = exc.headers()
    response = render(request, "portal/follow.html", ctx, status=status)
    for name, value in response_headers.items():
        response[name] = value
    return response
