"""The CTI events endpoint's short way through the framework (a hot path).

A PBX posts thousands of small events; through the whole middleware stack (sessions,
CSRF, authentication, messages, htmx…) and the API framework each costs about as much
CPU as storing it, and none of those layers has anything to do for a token-authenticated
JSON POST. `CtiEventsMiddleware` stands right after Django's `SecurityMiddleware` (its
HTTPS redirect and headers still apply) and answers `POST /api/v1/cti/events` itself:
the host check (`request.get_host()`, a foreign Host is 400 as everywhere), the
language by Django's own negotiation, the CTI token, then the very function the API view
runs (`api.cti_event_receive`: the same parsing, storage through the group-commit
writer, and `{"code", "message", "fields"}` errors). Every other request goes on down
the stack unchanged. Its figure is in ARCHITECTURE.md ("Hot paths"); a test checks that
it answers what the API view answers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from postdesk.core.errors import DomainError

EVENTS_PATH = "/api/v1/cti/events"


def _json(status: int, body: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )
    response.headers["Content-Length"] = str(len(response.content))  # as CommonMiddleware
    return response


class CtiEventsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST" or request.path_info != EVENTS_PATH:
            return self.get_response(request)
        from postdesk.calls.api import cti_event_answer

        request.metrics_route = EVENTS_PATH  # type: ignore[attr-defined]  # core.metrics
        request.get_host()  # the host check: DisallowedHost -> 400, as for every request
        language = translation.get_language_from_request(request)
        headers: dict[str, str] = {}
        try:
            status, body = 200, cti_event_answer(request)
        except DomainError as exc:
            with translation.override(language):  # the messages are lazy: rendered here
                status, body, headers = exc.status, exc.as_dict(), exc.headers()
        response = _json(status, body)
        for name, value in headers.items():
            response.headers[name] = value
        response.headers["Content-Language"] = language
        return response
