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
            if not typed and {str(k) for k in success} != {"204"}:  # 204: no body to type
                untyped.append(f"{method.upper()} {path}")
    assert untyped == []


# answers still documented as a bare object, each with its reason (shrink this list)
UNTYPED_ANSWERS: dict[str, str] = {}  # "METHOD /path": why its answer cannot be typed


def _component(document, schema):
    if "$ref" in schema:
        return document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def test_no_operation_answers_a_bare_object():
    document = api.get_openapi_schema()
    bare = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for answer in operation["responses"].values():
                for media in answer.get("content", {}).values():
                    schema = _component(document, media.get("schema", {}))
                    if schema.get("type") == "object" and not schema.get("properties"):
                        bare.add(f"{method.upper()} {path}")
    assert bare == set(UNTYPED_ANSWERS)


def test_every_operation_documents_its_errors_with_the_error_schema():
    """`core.api_contract` adds them to every operation, including tomorrow's."""
    document = api.get_openapi_schema()
    missing = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = {str(code): answer for code, answer in operation["responses"].items()}
            codes = set(responses)
            expected = {"400", "503"}
            if operation.get("security"):
                expected |= {"401", "403", "429"}
            if "{" in path:
                expected.add("404")
            if not expected <= codes:
                missing.append(f"{method.upper()} {path}: {sorted(expected - codes)}")
            for code in codes & expected:
                media = responses[code]["content"]["application/json"]
                props = _component(document, media["schema"])["properties"]
                assert set(props) == {"code", "message", "fields"}, (method, path, code)
    assert missing == []


def test_parameters_carry_the_names_the_code_reads():
    document = api.get_openapi_schema()
    names = [p["name"] for p in document["paths"]["/api/v1/reports/calls"]["get"]["parameters"]]
    assert "from" in names and "from_" not in names
    q = next(
        p for p in document["paths"]["/api/v1/customers/"]["get"]["parameters"] if p["name"] == "q"
    )
    assert "\\x00" in q["schema"]["pattern"]  # no control characters, as core.api_input says
