"""Errors outside the API's own views: what Django, ninja's routing or the database answer
before or around a view. Under `/api/` every one of them is `{"code", "message", "fields"}`
(never an HTML page); elsewhere the pages' templates stay.

- `handler404` / `handler500` (named in `postdesk.urls`): an unknown `/api/…` path is a
  JSON 404; an uncaught exception is a JSON 500, or 503 with `Retry-After` when the
  database does not answer (an outage is not the client's fault and passes).
- `ApiErrorShapeMiddleware`: any other non-JSON error answer under `/api/` (ninja's 405,
  Django's 400 for a body it cannot parse, 413, a CSRF 403) is rewritten into the same
  shape, keeping its status and headers (`Allow`, `Retry-After`).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views import defaults

from postdesk.core import errors
from postdesk.core.api_input import query_fault

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
RETRY_AFTER_OUTAGE = 5  # seconds: a database restart or a fail-over

# a status without a domain class of its own still gets a sentence of ours
_BY_STATUS: dict[int, type[errors.DomainError]] = {
    cls.status: cls
    for cls in (
        errors.ValidationFailed,
        errors.AuthenticationFailed,
        errors.PermissionDenied,
        errors.NotFound,
        errors.Conflict,
        errors.MethodNotAllowed,
        errors.PayloadTooLarge,
        errors.UnsupportedMedia,
        errors.RateLimited,
        errors.ServiceUnavailable,
    )
}


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def json_error(
    status: int, code: str, message: str, fields: dict[str, str] | None = None
) -> HttpResponse:
    body = {"code": code, "message": message, "fields": fields or {}}
    return HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def _for_status(status: int) -> HttpResponse:
    cls = _BY_STATUS.get(status)
    if cls is not None:
        return json_error(status, cls.code, str(cls.default_message))
    if status == 414:
        return json_error(414, "uri_too_long", _("The address is too long."))
    if status >= 500:
        return json_error(status, "server_error", _("Something went wrong on our side."))
    return json_error(status, "bad_request", str(errors.DomainError.default_message))


def _database_down(exc: BaseException | None) -> bool:
    """An error of the connection, not of a statement: the database is away."""
    return isinstance(exc, OperationalError | InterfaceError) or (
        isinstance(exc, DatabaseError) and "connection" in str(exc).lower()
    )


def outage_response() -> HttpResponse:
    response = json_error(
        503, errors.ServiceUnavailable.code, str(errors.ServiceUnavailable.default_message)
    )
    response["Retry-After"] = str(RETRY_AFTER_OUTAGE)
    return response


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return json_error(404, errors.NotFound.code, str(errors.NotFound.default_message))
    return defaults.page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    exc = sys.exc_info()[1]  # Django calls the handler inside its `except`
    if _database_down(exc):
        if is_api(request):
            return outage_response()
        response = defaults.server_error(request)
        response.status_code = 503
        response["Retry-After"] = str(RETRY_AFTER_OUTAGE)
        return response
    if is_api(request):
        return _for_status(500)
    return defaults.server_error(request)


class ApiErrorShapeMiddleware:
    """Outermost but for the metrics: refuses control characters in an /api/ request's
    path and query (`core.api_input`), and rewrites a non-JSON error answer under /api/."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_api(request):
            fault = query_fault(request)
            if fault is not None:
                return json_error(400, fault.code, str(fault.message), fault.as_dict()["fields"])
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not is_api(request)
            or response.streaming
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        shaped = _for_status(response.status_code)
        for name in ("Allow", "Retry-After", "WWW-Authenticate"):
            if name in response:
                shaped[name] = response[name]
        return shaped
