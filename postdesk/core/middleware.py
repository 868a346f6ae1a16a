from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers

from postdesk.core.errors import DomainError


class UserLanguageMiddleware:
    """The language of a request: Chinese unless someone chose otherwise.

    Pages follow the signed-in user's choice, else the language cookie (the switch on the
    login page), else 简体中文 — never the browser's Accept-Language, so a centre's PCs
    with English Windows still show the centre's language. The API also honours
    Accept-Language, so an integration gets its errors in the language it asks for.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = request_language(request, getattr(user, "language", "") or "")
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        mark_language(response, language)
        return response


def request_language(request: HttpRequest, user_language: str = "") -> str:
    """`UserLanguageMiddleware`'s choice: the user's language, the cookie, for the API the
    Accept-Language header, else the site's (`portal.middleware` asks it too)."""
    supported = dict(settings.LANGUAGES)
    language = user_language
    if language not in supported:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if language not in supported and request.path.startswith("/api/"):
        language = translation.get_language_from_request(request)
    if language not in supported:
        language = settings.LANGUAGE_CODE
    return language


def mark_language(response: HttpResponse, language: str) -> None:
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    response.headers.setdefault("Content-Language", language)


class DomainErrorMiddleware:
    """Pages: a service's DomainError becomes a page with its message and status (the API
    maps the same errors in `core.api_errors`). Never a 500 for a user's mistake."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        return render(
            request,
            "core/error.html",
            {"error": exception, "status": exception.status},
            status=exception.status,
        )
