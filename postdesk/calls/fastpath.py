"""The CTI event endpoint without the page machinery, for `postdesk serve`.

A PBX posts thousands of small events; each one through Django's whole middleware stack
and the API framework costs about as much CPU as storing it. `postdesk serve` wraps its
WSGI application with `cti_fast_path`, which answers `POST /api/v1/cti/events` itself
with the very same code as the API view (`api.cti_event_receive`: parse, store, the
same `{"code", "message", "fields"}` errors), storing through the process's
group-commit writer (`writer.py`), and hands every other request to Django unchanged.
Any other server runs the API view; both are tested.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from django.utils import translation
from django.utils.translation import gettext as _

from postdesk.core.errors import DomainError

logger = logging.getLogger(__name__)

EVENTS_PATH = "/api/v1/cti/events"
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _language(environ: dict[str, Any]) -> str:
    from django.utils.translation.trans_real import (
        get_supported_language_variant,
        parse_accept_lang_header,
    )

    for code, _q in parse_accept_lang_header(environ.get("HTTP_ACCEPT_LANGUAGE", "")):
        if code == "*":
            break
        try:
            return get_supported_language_variant(code)
        except LookupError:
            continue
    return str(settings.LANGUAGE_CODE)


def _respond(start_response: Callable[..., Any], status: int, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body, ensure_ascii=False).encode()
    reason = {
        200: "OK",
        400: "Bad Request",
        401: "Unauthorized",
        405: "Method Not Allowed",
        500: "Internal Server Error",
    }.get(status, "Error")
    start_response(
        f"{status} {reason}",
        [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(data)))],
    )
    return [data]


def handle(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    from postdesk.calls.api import cti_event_receive
    from postdesk.calls.services import cti_token_authenticate
    from postdesk.calls.writer import ingest_grouped

    scheme, _sep, raw = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() not in {"token", "bearer"} or cti_token_authenticate(raw=raw.strip()) is None:
        with translation.override(_language(environ)):
            return _respond(
                start_response,
                401,
                {
                    "code": "not_authenticated",
                    "message": _("Sign in, or send a valid API token."),
                    "fields": {},
                },
            )
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(min(max(length, 0), 10 * 65536))
    try:
        # stored through this process's group-commit writer (`writer.py`)
        return _respond(start_response, 200, cti_event_receive(body, ingest=ingest_grouped))
    except DomainError as exc:
        # the messages are lazy: rendered here, in the caller's language
        with translation.override(_language(environ)):
            return _respond(start_response, exc.status, exc.as_dict())


def cti_fast_path(app: WSGIApp) -> WSGIApp:
    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != EVENTS_PATH or environ.get("REQUEST_METHOD") != "POST":
            return app(environ, start_response)
        try:
            return handle(environ, start_response)
        except Exception:
            logger.exception("CTI fast path failed")
            return _respond(
                start_response, 500, {"code": "error", "message": "server error", "fields": {}}
            )
        finally:
            # what Django's request signals would do for this thread's connection (used
            # only when the token cache misses; the writer threads keep their own)
            close_old_connections()

    return application


__all__ = ["EVENTS_PATH", "cti_fast_path", "handle"]
