"""Tracking and following's short way through the framework (a hot path).

`GET /api/v1/public/track/{waybill}` and `GET /api/v1/public/requests/{reference}` are
what the public asks most, anonymously, with nothing to sign in, no form and no session:
through the whole middleware stack (sessions, CSRF, authentication, messages, htmx,
axes), the URL resolver and the API framework the framework cost more CPU than the
answer. `PublicReadMiddleware` stands after `SecurityMiddleware` and the
Content-Security-Policy (their headers still apply) and answers these two GETs itself:
the host check (`request.get_host()`, a foreign Host is 400 as everywhere), the
language as `core.middleware.UserLanguageMiddleware` chooses it for an anonymous API
request, then the very functions the API views are (`public_api.track`,
`public_api.request_get`: the same validation, rate limits and public fields), rendered
by the API's own renderer, errors as its handler renders a `DomainError`
(`{"code", "message", "fields"}`, Retry-After on a 429), and the headers the rest of the
stack would add (Vary, Content-Language, Content-Length, X-Frame-Options). Any other
request, another method, or a path with more segments goes down the stack unchanged.
Its figure is in ARCHITECTURE.md ("Hot paths"); `portal/tests/test_public_fast.py`
checks that it answers byte for byte what the stack answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from postdesk.core.errors import DomainError
from postdesk.core.middleware import mark_language, request_language

TRACK = "/api/v1/public/track/"
FOLLOW = "/api/v1/public/requests/"
# core.metrics labels a request by its URL pattern (bounded); these are the API's own
ROUTES = {
    TRACK: "/api/v1/public/track/<waybill>",
    FOLLOW: "/api/v1/public/requests/<reference>",
}


def _answer(prefix: str, request: HttpRequest, value: str) -> dict[str, Any]:
    from postdesk.portal import public_api

    if prefix == TRACK:
        return public_api.track(request, value)
    return public_api.request_get(request, value, request.GET.get("phone_last4", ""))


class PublicReadMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if request.method != "GET" or not path.startswith("/api/v1/public/"):
            return self.get_response(request)
        prefix = TRACK if path.startswith(TRACK) else FOLLOW if path.startswith(FOLLOW) else ""
        value = path[len(prefix) :] if prefix else ""
        if not value or "/" in value:
            return self.get_response(request)
        from postdesk.api import api

        request.metrics_route = ROUTES[prefix]  # type: ignore[attr-defined]  # core.metrics
        request.get_host()  # the host check: DisallowedHost -> 400, as for every request
        language = request_language(request)
        request.LANGUAGE_CODE = language
        headers: dict[str, str] = {}
        with translation.override(language):  # messages are lazy: rendered in here
            try:
                response = api.create_response(request, _answer(prefix, request, value), status=200)
            except DomainError as exc:
                response = api.create_response(request, exc.as_dict(), status=exc.status)
                headers = exc.headers()
        for name, header in headers.items():
            response[name] = header
        mark_language(response, language)
        response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        response.headers["Content-Length"] = str(len(response.content))  # as CommonMiddleware
        return response
