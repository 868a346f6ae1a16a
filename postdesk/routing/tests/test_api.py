"""POST /api/v1/routing/resolve: staff only, the fixed answer shape, bad input as 400."""

from __future__ import annotations

import json

import pytest

from postdesk.routing.services import service_areas_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def table(org):
    service_areas_import(
        data=(
            "unit_code,province,city,district,town,keywords\n"
            "WZ-LC01,,,鹿城区,五马街道,\n"
            "WZ-LC02,,,鹿城区,,解放路\n"
            "RA-02,,,瑞安市,塘下镇,\n"
        ).encode()
    )


def post(client, body):
    return client.post(
        "/api/v1/routing/resolve", data=json.dumps(body), content_type="application/json"
    )


def test_resolve(api_for, table):
    client = api_for("agent1")
    response = post(client, {"address": "瑞安塘下镇韩田村"})
    assert response.status_code == 200
    doc = response.json()
    assert doc["status"] == "matched" and doc["unit"] == "RA-02"
    assert doc["parsed"] == {
        "province": "浙江省",
        "city": "温州市",
        "district": "瑞安市",
        "town": "塘下镇",
        "rest": "韩田村",
    }
    assert doc["rule"]["town"] == "塘下镇" and doc["rule"]["specificity"] == 4
    doc = post(client, {"address": "鹿城区五马街道解放路1号"}).json()
    assert (doc["status"], doc["unit"], sorted(doc["candidates"]), doc["rule"]) == (
        "ambiguous",
        None,
        ["WZ-LC01", "WZ-LC02"],
        None,
    )
    doc = post(client, {"address": "上海市浦东新区解放路1号"}).json()
    assert (doc["status"], doc["unit"], doc["candidates"]) == ("unmatched", None, [])
    assert doc["parsed"]["city"] == "上海市"


def test_session_users_of_every_staff_role(client_for, table):
    for user in ("lead1", "branch1", "admin"):
        client = client_for(user)
        client.handler.enforce_csrf_checks = False
        assert post(client, {"address": "瑞安塘下镇"}).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"address": ""}, "address"),
        ({"address": "鹿" * 2000}, "address"),
        ({"address": "鹿城区\u0007解放路"}, "address"),
        ({}, "address"),
        ({"address": 12}, "address"),
    ],
)
def test_bad_input(api_for, table, body, field):
    response = post(api_for("agent1"), body)
    assert response.status_code == 400
    doc = response.json()
    assert doc["code"] == "validation_error" and field in doc["fields"]
    assert doc["message"]


def test_not_json_and_anonymous(api_for, client, table):
    response = api_for("agent1").post(
        "/api/v1/routing/resolve", data="{nope", content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["code"] == "validation_error"
    assert post(client, {"address": "瑞安塘下镇"}).status_code == 401
