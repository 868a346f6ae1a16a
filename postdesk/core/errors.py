"""Typed domain errors.

Services raise these; `postdesk.core.api_errors` maps them to HTTP in one place (the API
answers `{"code", "message", "fields"}`), and page views show `message` and `fields`
beside the form. Messages are lazy translations so they follow the request's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """Base of every error a user can cause; never a 500."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    default_message: ClassVar[str | Promise] = _("The request could not be processed.")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        fields: Mapping[str, str | Promise] | None = None,
        code: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        self.retry_after = max(1, int(retry_after)) if retry_after is not None else None
        self.fields = dict(fields or {})
        if code is not None:
            self.code = code  # type: ignore[misc]
        super().__init__(str(self.message))

    def headers(self) -> dict[str, str]:
        """Extra response headers: Retry-After when the caller should come back later."""
        return {"Retry-After": str(self.retry_after)} if self.retry_after else {}

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": str(self.message),
            "fields": {name: str(text) for name, text in self.fields.items()},
        }


class ValidationFailed(DomainError):
    status = 400
    code = "validation_error"
    default_message = _("Some fields are missing or wrong.")


class AuthenticationFailed(DomainError):
    status = 401
    code = "not_authenticated"
    default_message = _("Sign in, or send a valid API token.")


class PermissionDenied(DomainError):
    status = 403
    code = "permission_denied"
    default_message = _("You are not allowed to do this.")


class NotFound(DomainError):
    """Also used for things outside the user's scope, so existence is not leaked."""

    status = 404
    code = "not_found"
    default_message = _("Not found.")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_message = _("Someone else changed this in the meantime. Reload and try again.")


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_message = _("This action is not allowed in the current state.")


class PayloadTooLarge(DomainError):
    status = 413
    code = "too_large"
    default_message = _("The upload is too large.")


class UnsupportedMedia(DomainError):
    status = 415
    code = "unsupported_media_type"
    default_message = _("This kind of file is not accepted.")


class MethodNotAllowed(DomainError):
    status = 405
    code = "method_not_allowed"
    default_message = _("This method is not allowed here.")


class IdempotencyKeyReused(DomainError):
    """The same Idempotency-Key was sent with another request (`core.idempotency`)."""

    status = 422
    code = "idempotency_key_reused"
    default_message = _(
        "This Idempotency-Key was already used for another request. Use a new key for a "
        "new request."
    )


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"
    default_message = _("Too many requests. Wait a moment and try again.")


class ServiceUnavailable(DomainError):
    """The database or the broker does not answer: try again shortly."""

    status = 503
    code = "service_unavailable"
    default_message = _("The service is briefly unavailable. Try again in a moment.")


def page_errors(exc: DomainError) -> dict[str, Any]:
    """A page's answer to a refused form: the sentence (`error`) and one per field
    (`field_errors`), as the templates show them beside the inputs."""
    return {"error": str(exc.message), "field_errors": {k: str(v) for k, v in exc.fields.items()}}


def command_error(exc: DomainError) -> Exception:
    """A management command's answer to a DomainError: the fields at fault as options
    (`--month: Give the month as YYYY-MM.`), with no traceback."""
    from django.core.management.base import CommandError

    fields = "; ".join(f"--{name.replace('_', '-')}: {text}" for name, text in exc.fields.items())
    return CommandError(fields or str(exc.message))
