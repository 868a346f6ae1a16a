"""Issue 11: every answer under /api/ is {"code", "message", "fields"}; no 5xx for bad input."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db


def _shape(response, status):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert set(response.json()) == {"code", "message", "fields"}
    return response.json()


def test_errors_under_api_are_json(api_for):
    client = api_for("admin")
    client.raise_request_exception = False
    huge = "1000000000000000000"
    for path in ("/api/v1/workorders/", "/api/v1/customers/"):
        assert "page" in _shape(client.get(f"{path}?page={huge}"), 400)["fields"]
    _shape(client.get("/api/v1/nothing-here/"), 404)
    _shape(client.delete("/api/v1/customers/"), 405)
    body = json.dumps({"name": "王五", "phones": ["13800138000"]})
    _shape(client.post("/api/v1/customers/", body, content_type="text/plain"), 415)
    nul = json.dumps({"name": "王\x00五", "phones": ["13800138000"]})
    assert (
        "name"
        in _shape(client.post("/api/v1/customers/", nul, content_type="application/json"), 400)[
            "fields"
        ]
    )
    assert "q" in _shape(client.get("/api/v1/customers/?q=a%00b"), 400)["fields"]
    nulls = client.post(
        "/api/v1/notifications/read", "[null, null]", content_type="application/json"
    )
    assert "body" in _shape(nulls, 400)["fields"]
