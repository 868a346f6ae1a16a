"""Every operation of the API says what it answers: a typed schema in the OpenAPI
document (or, for a file, its media type), so a client's generated code has every field."""

from __future__ import annotations

from postdesk.api import api


def test_every_operation_documents_its_success_answer():
    document = api.get_openapi_schema()
    untyped = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            success = {k: v for k, v in operation["responses"].items() if str(k).startswith("2")}
            typed = any(
                media.get("schema")
                for answer in success.values()
                for media in answer.get("content", {}).values()
            )
            if not typed:
                untyped.append(f"{method.upper()} {path}")
    assert untyped == []
