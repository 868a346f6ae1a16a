"""The one error contract of the API: every DomainError answers its status and
`{"code", "message", "fields"}` in the request's language; bad bodies are 400 naming the
field; nothing is ever a 500 for bad input."""

from __future__ import annotations

import pytest
from django.urls import path
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Schema

from postdesk.core import errors
from postdesk.core.api_errors import install
from postdesk.customers.models import Customer

pytestmark = pytest.mark.django_db


def domain_errors() -> list[type[errors.DomainError]]:
    """DomainError and every subclass declared in core/errors.py (found, not listed)."""
    found, todo = [], [errors.DomainError]
    while todo:
        cls = todo.pop()
        if cls.__module__ == errors.__name__:
            found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(found, key=lambda cls: cls.__name__)


EXPECTED_STATUS = {
    "DomainError": (400, "bad_request"),
    "ValidationFailed": (400, "validation_error"),
    "AuthenticationFailed": (401, "not_authenticated"),
    "PermissionDenied": (403, "permission_denied"),
    "NotFound": (404, "not_found"),
    "Conflict": (409, "conflict"),
    "InvalidTransition": (409, "invalid_transition"),
    "PayloadTooLarge": (413, "too_large"),
    "UnsupportedMedia": (415, "unsupported_media_type"),
    "MethodNotAllowed": (405, "method_not_allowed"),
    "IdempotencyKeyReused": (422, "idempotency_key_reused"),
    "RateLimited": (429, "rate_limited"),
    "ServiceUnavailable": (503, "service_unavailable"),
}

# A small API of its own with the real error handlers: one route raises any error class.
test_api = NinjaAPI(urls_namespace="test-api-errors", docs_url=None)
install(test_api)


class Echo(Schema):
    count: int
    name: str


@test_api.get("/raise/{name}")
def raise_error(request, name: str, with_field: bool = False):
    cls = getattr(errors, name)
    if with_field:
        raise cls(fields={"phones": gettext_lazy("Not found.")})
    raise cls()


@test_api.post("/echo")
def echo(request, payload: Echo):
    return {"count": payload.count}


urlpatterns = [path("api/t/", test_api.urls)]  # under /api/: API language rules


def test_every_error_class_is_covered():
    assert {cls.__name__ for cls in domain_errors()} == set(EXPECTED_STATUS)


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("cls", domain_errors(), ids=lambda cls: cls.__name__)
def test_each_domain_error_maps_to_its_status_and_body(client, cls):
    status, code = EXPECTED_STATUS[cls.__name__]
    assert (cls.status, cls.code) == (status, code)

    english = client.get(f"/api/t/raise/{cls.__name__}", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == status
    assert english["Content-Type"].startswith("application/json")
    assert english.json() == {"code": code, "message": str(cls.default_message), "fields": {}}
    assert english.json()["message"].isascii()

    chinese = client.get(f"/api/t/raise/{cls.__name__}")  # no Accept-Language: Chinese
    assert chinese.status_code == status
    body = chinese.json()
    assert body["code"] == code
    assert body["message"] != english.json()["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), body

    with_field = client.get(
        f"/api/t/raise/{cls.__name__}?with_field=true", HTTP_ACCEPT_LANGUAGE="zh-CN"
    ).json()
    assert with_field["fields"] == {"phones": "未找到。"}


@pytest.mark.urls(__name__)
def test_body_parsing_errors(client):
    bad_json = client.post("/api/t/echo", "{count: 1", content_type="application/json")
    assert bad_json.status_code == 400
    assert bad_json.json() == {
        "code": "validation_error",
        "message": "部分字段缺失或有误。",
        "fields": {"body": "请求内容不是有效的 JSON。"},
    }

    missing = client.post("/api/t/echo", {"count": 1}, content_type="application/json")
    assert missing.status_code == 400
    assert missing.json() == {
        "code": "validation_error",
        "message": "部分字段缺失或有误。",
        "fields": {"name": "此项必填。"},
    }

    wrong = client.post(
        "/api/t/echo",
        {"count": "many", "name": "x"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert wrong.status_code == 400
    assert wrong.json() == {
        "code": "validation_error",
        "message": "Some fields are missing or wrong.",
        "fields": {"count": "Enter a number."},
    }


# --- the same contract on the real endpoints ---------------------------------------------


def test_malformed_json_on_a_real_endpoint_is_400_and_writes_nothing(api_for):
    response = api_for("agent1").post(
        "/api/v1/customers/", '{"name": "张三", "phones": [', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert not Customer.objects.exists()


def test_missing_and_wrong_fields_are_named(api_for):
    client = api_for("agent1")
    missing = client.post(
        "/api/v1/customers/", {"phones": ["13812345678"]}, content_type="application/json"
    )
    assert missing.status_code == 400
    assert set(missing.json()["fields"]) == {"name"}

    wrong = client.post(
        "/api/v1/customers/",
        {"name": "张三", "phones": "13812345678"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert wrong.status_code == 400
    assert "phones" in wrong.json()["fields"]
    assert not Customer.objects.exists()


def test_a_service_error_names_its_field_in_the_callers_language(api_for):
    client = api_for("agent1")
    payload = {"name": "张三", "phones": ["13812345678", "12345"]}
    zh = client.post("/api/v1/customers/", payload, content_type="application/json")
    assert zh.status_code == 400
    assert zh.json() == {
        "code": "validation_error",
        "message": "部分字段缺失或有误。",
        "fields": {"phones": "“12345”不是有效的电话号码。"},
    }
    en = client.post(
        "/api/v1/customers/", payload, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert en.json()["fields"] == {"phones": "“12345” is not a valid phone number."}
    assert en.json()["message"] == "Some fields are missing or wrong."
    assert not Customer.objects.exists()


def test_forged_token_on_a_real_endpoint(org, client):
    response = client.get(
        "/api/v1/customers/", HTTP_AUTHORIZATION="Token pd_forged", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "message": "Sign in, or send a valid API token.",
        "fields": {},
    }


def test_unknown_route_and_wrong_method_are_json_errors(api_for):
    client = api_for("agent1")
    missing = client.get("/api/v1/customers/999999999")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    assert client.get("/api/v1/customers/not-a-number").status_code in (400, 404)
