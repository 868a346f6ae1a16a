"""The OpenAPI document says what the code really does, for every operation at once.

ninja writes each operation's success answer and the errors its decorator names; this
module adds, when the document is generated (so an endpoint added tomorrow gets them too):

- the error statuses every operation of its kind can answer, each with the error schema
  `{"code", "message", "fields"}` (`ErrorOut`): 400 for bad input (any operation: a
  control character in the query or the path), 503 when the database or the broker is
  down; with authentication 401 (no or a wrong token), 403 (not allowed, or the session's
  CSRF check) and 429 (too many wrong tokens from one address); with path parameters
  404; with a body 404 (it names something that is not there or not the user's), 413
  and 415 (not JSON); on writes 409 (a concurrent change or a state
  that does not allow it); for `@idempotent` operations the `Idempotency-Key` header and
  422 (the key reused for another request);
- on every string of a parameter or a JSON body (without its own format, pattern or
  choices), and on the keys of every map, the rule `core.api_input` enforces: no control
  characters.

An operation that can answer another status names it in its decorator as before.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI, Schema
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from postdesk.core.api_input import CONTROL
from postdesk.core.idempotency import HEADER as IDEMPOTENCY_HEADER
from postdesk.core.idempotency import MAX_KEY_LENGTH

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
ERROR_REF = "#/components/schemas/ErrorOut"
# the same characters as core.api_input.CONTROL, refused anywhere in a string
NO_CONTROL_PATTERN = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]*$"
assert CONTROL.pattern == r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"  # keep the two in step

DESCRIPTIONS = {
    400: "Bad input: `fields` names what is wrong",
    401: "Not authenticated: no or a wrong token, or no session",
    403: "Not allowed for this user (or the session's CSRF check failed)",
    404: "Not found, or outside the user's scope",
    409: "A concurrent change, or the current state does not allow it",
    413: "The body is too large",
    415: "The body is not JSON",
    422: "The Idempotency-Key was already used for another request",
    429: "Too many requests: come back after `Retry-After` seconds",
    503: "The database or the broker is not answering: retry after `Retry-After` seconds",
}


class ErrorOut(Schema):
    """Every error answer of the API (`core.api_errors`, `core.http_errors`)."""

    code: str
    message: str
    fields: dict[str, str]


def error_statuses(operation: Operation, details: dict[str, Any]) -> set[int]:
    """The error statuses an operation can answer by what it is."""
    statuses = {400, 503}
    if operation.auth_callbacks:
        statuses |= {401, 403, 429}
    if any(p.get("in") == "path" for p in details.get("parameters", [])):
        statuses.add(404)
    if "requestBody" in details:
        statuses |= {404, 413, 415}  # 404: a body naming something that is not there
    if WRITES & {m.upper() for m in operation.methods}:
        statuses.add(409)
    if getattr(operation.view_func, "idempotent", False):
        statuses.add(422)
    return statuses


def forbid_control_characters(schema: Any) -> None:
    """Add the no-control-character pattern to every plain string in `schema` (in place)."""
    if isinstance(schema, list):
        for item in schema:
            forbid_control_characters(item)
        return
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "string" and not {"format", "pattern", "enum", "const"} & set(schema):
        schema["pattern"] = NO_CONTROL_PATTERN
    if schema.get("type") == "object" and "additionalProperties" in schema:
        schema.setdefault("propertyNames", {"pattern": NO_CONTROL_PATTERN})  # keys too
    for key, value in schema.items():
        if key not in {"enum", "const", "default", "examples", "example"}:
            forbid_control_characters(value)


class ContractSchema(OpenAPISchema):
    def operation_details(self, operation: Operation) -> dict[str, Any]:
        details = super().operation_details(operation)
        self._create_schema_from_model(ErrorOut)  # type: ignore[type-var]  # registers it
        responses = details["responses"]
        for status in sorted(error_statuses(operation, details)):
            if status not in responses and str(status) not in responses:
                responses[status] = {
                    "description": DESCRIPTIONS[status],
                    "content": {"application/json": {"schema": {"$ref": ERROR_REF}}},
                }
        if getattr(operation.view_func, "idempotent", False):
            details["parameters"].append(
                {
                    "in": "header",
                    "name": IDEMPOTENCY_HEADER,
                    "required": False,
                    "description": "Your own unique key: a retry with it gets the first "
                    "answer again and writes nothing (core.idempotency)",
                    "schema": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": MAX_KEY_LENGTH,
                        "pattern": "^[\\x21-\\x7E]+$",
                    },
                }
            )
        forbid_control_characters(details["parameters"])
        return details

    def get_components(self) -> dict[str, Any]:
        components = super().get_components()
        forbid_control_characters(components["schemas"])  # the bodies' (and answers') schemas
        return components


class ContractAPI(NinjaAPI):
    """The API whose document is completed by `ContractSchema`."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return ContractSchema(api=self, path_prefix=path_prefix)
