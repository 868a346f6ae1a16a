"""What the API takes in, before any schema sees it.

- A JSON body is a JSON body: a `text/plain` (or any other non-JSON) body on an operation
  that reads JSON is a 415, not parsed anyway.
- A body an operation reads into its schema is a JSON object (an array or a bare value
  is a 400 on `body`, never a schema with every field at its default).
- No control characters: NUL and the other C0 controls (all but tab, line feed and
  carriage return) and DEL in any string of a JSON body, in a query parameter or in the
  path are a 400 naming the field (`name`, `phones.1`, `q`, `path`). PostgreSQL cannot
  store a NUL at all, and the others are never meant in a postal address or a name.

`StrictParser` is the API's ninja parser; `read_json` serves the few operations that read
their body themselves; `ApiErrorShapeMiddleware` calls `query_fault` for every /api/ request.
"""

from __future__ import annotations

import json
import re
from typing import Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.parser import Parser
from ninja.types import DictStrAny

from postdesk.core.errors import UnsupportedMedia, ValidationFailed

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_JSON_TYPE = re.compile(r"^application/([\w.+-]+\+)?json$")


def control_char_field(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string in `value` (keys included) holding a control
    character, or None."""
    if isinstance(value, str):
        return (path or "body") if CONTROL.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and CONTROL.search(key):
                return path or "body"
            found = control_char_field(item, here)
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = control_char_field(item, f"{path}.{index}" if path else str(index))
            if found:
                return found
    return None


def _control_error(field: str) -> ValidationFailed:
    return ValidationFailed(fields={field: _("This value contains control characters.")})


def read_json(request: HttpRequest) -> Any:
    """The request's JSON body (None when empty), or 415 / 400 as the module says."""
    if not request.body:
        return None
    if not _JSON_TYPE.match(request.content_type or ""):
        raise UnsupportedMedia(_("Send the body as JSON (Content-Type: application/json)."))
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed(fields={"body": _("The body is not valid JSON.")}) from None
    field = control_char_field(data)
    if field:
        raise _control_error(field)
    return data


def query_fault(request: HttpRequest) -> ValidationFailed | None:
    """A control character in the path or a query parameter, as the error to answer."""
    if CONTROL.search(request.path):
        return _control_error("path")
    for key, values in request.GET.lists():
        if CONTROL.search(key) or any(CONTROL.search(value) for value in values):
            return _control_error(key if not CONTROL.search(key) else "query")
    return None


class StrictParser(Parser):
    """ninja's parser with the checks above (ninja wraps what it raises; `api_errors`
    answers the DomainError it carries)."""

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        data = read_json(request)
        if not isinstance(data, dict):
            # ninja's Schema reads attributes of anything: `[null, null]` was a valid
            # body with every field at its default (mark *all* notifications read)
            raise ValidationFailed(fields={"body": _("Send a JSON object.")})
        return cast(DictStrAny, data)
