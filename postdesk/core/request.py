from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, as written to the access log.

    X-Forwarded-For is believed only when the request comes from one of our own proxies
    (`POSTDESK_TRUSTED_PROXIES`, loopback unless set), and then only the hops those
    proxies appended: the right-most address that is not a trusted proxy. Anything a
    client writes into the header itself stays to the left and is ignored.
    """
    trusted = set(getattr(settings, "POSTDESK_TRUSTED_PROXIES", ("127.0.0.1", "::1")))
    ip = request.META.get("REMOTE_ADDR", "") or ""
    if ip in trusted:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        for hop in reversed([hop for hop in hops if hop]):
            ip = hop
            if hop not in trusted:
                break
    return ip or None


View = Callable[..., HttpResponse]


def post_or_redirect(target: Callable[..., str]) -> Callable[[View], View]:
    """A page's POST-only action URL: POST runs the view; GET or HEAD (a reload, a
    bookmark, the address bar after an error) is redirected to `target(**url_kwargs)`, the
    page the action belongs to, never a blank 405; any other method is 405."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST":
                return view(request, *args, **kwargs)
            if request.method in {"GET", "HEAD"}:
                return redirect(target(*args, **kwargs))
            return HttpResponseNotAllowed(["POST"])

        return wrapper

    return decorate
