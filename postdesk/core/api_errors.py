"""The one place where errors become HTTP responses for the API.

Every error answers `{"code", "message", "fields"}` with a sentence in the request's
language. Bad input is a 4xx, never a 500.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from postdesk.core.errors import (
    AuthenticationFailed,
    Conflict,
    DomainError,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    UnsupportedMedia,
)


def _body(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "fields": fields or {}}


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    parts = [str(part) for part in loc if part not in ("body", "query", "path", "form", "payload")]
    return ".".join(parts) or "body"


def _pydantic_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return _("This field is required.")
    if kind in {"json_invalid", "value_error.jsondecode"}:
        return _("The body is not valid JSON.")
    if kind.startswith(("int_", "float_")):
        return _("Enter a number.")
    if kind.startswith("string_too_long"):
        return _("This value is too long.")
    if kind in {"enum", "literal_error"}:
        return _("This value is not one of the allowed choices.")
    if kind.startswith("datetime") or kind.startswith("date_"):
        return _("Enter a valid date and time.")
    return _("This value is not valid.")


def install(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        response = api.create_response(request, exc.as_dict(), status=exc.status)
        for name, value in exc.headers().items():
            response[name] = value
        return response

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields: dict[str, str] = {}
        for error in exc.errors:
            fields.setdefault(_field_name(error.get("loc", ())), _pydantic_message(error))
        return api.create_response(
            request,
            _body("validation_error", _("Some fields are missing or wrong."), fields),
            status=400,
        )

    @api.exception_handler(DjangoValidationError)
    def django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        fields = (
            {name: " ".join(str(m) for m in msgs) for name, msgs in exc.message_dict.items()}
            if hasattr(exc, "error_dict")
            else {}
        )
        message = (
            " ".join(str(m) for m in exc.messages)
            if not fields
            else _("Some fields are missing or wrong.")
        )
        return api.create_response(request, _body("validation_error", message, fields), status=400)

    @api.exception_handler(AuthenticationError)
    def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request,
            _body("not_authenticated", _("Sign in, or send a valid API token.")),
            status=401,
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, _body("not_found", _("Not found.")), status=404)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, DomainError):
            # our parser (core.api_input) refused the body; ninja wrapped its error
            return domain_error(request, exc.__cause__)
        if exc.status_code == 400 and exc.__cause__ is not None:
            # ninja could not parse the body (malformed JSON): a validation error of "body"
            return api.create_response(
                request,
                _body(
                    "validation_error",
                    _("Some fields are missing or wrong."),
                    {"body": _("The body is not valid JSON.")},
                ),
                status=400,
            )
        # ninja's own HttpErrors (the session's CSRF check) carry an English text: answer
        # with the sentence of our error class for that status, in the request's language
        for cls in (DomainError, AuthenticationFailed, PermissionDenied, NotFound, Conflict,
                    PayloadTooLarge, UnsupportedMedia):  # fmt: skip
            if cls.status == exc.status_code:
                message = str(cls.default_message)
                return api.create_response(
                    request, _body(cls.code, message), status=exc.status_code
                )
        return api.create_response(request, _body("error", str(exc)), status=exc.status_code)
