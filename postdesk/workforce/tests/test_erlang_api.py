"""`GET /api/v1/workforce/erlang` and `postdesk staffing`: the fixed contract and its
errors."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db

URL = "/api/v1/workforce/erlang"
EXAMPLE = "calls=100&interval_minutes=30&aht=180&target_sl=0.8&target_seconds=20&shrinkage=0.3"


def test_the_worked_example_through_the_api(api_for):
    response = api_for("lead1").get(f"{URL}?{EXAMPLE}")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "traffic",
        "agents",
        "service_level",
        "asa_seconds",
        "occupancy",
        "scheduled",
    }
    assert body["traffic"] == pytest.approx(10.0)
    assert body["agents"] == 14 and body["scheduled"] == 20
    assert round(body["service_level"], 3) == 0.888


@pytest.mark.parametrize(
    "query,field",
    [
        ("calls=-1&aht=180", "calls"),
        ("calls=abc&aht=180", "calls"),
        ("calls=100&aht=zero", "aht"),
        ("calls=100&aht=-180", "aht"),
        ("calls=100&aht=180&interval_minutes=0", "interval_minutes"),
        ("calls=100&aht=180&interval_minutes=-30", "interval_minutes"),
        ("calls=100&aht=180&shrinkage=1", "shrinkage"),
        ("calls=100&aht=180&shrinkage=1.5", "shrinkage"),
        ("calls=100&aht=180&target_sl=1", "target_sl"),
        ("calls=100&aht=180&target_sl=0", "target_sl"),
        ("calls=100&aht=180&target_sl=80", "target_sl"),
        ("calls=nan&aht=180", "calls"),
        ("aht=180", "calls"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_for, query, field):
    response = api_for("lead1").get(f"{URL}?{query}")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "validation_error"
    assert field in body["fields"]
    assert body["fields"][field]


def test_the_api_needs_a_signed_in_user(client):
    assert client.get(f"{URL}?{EXAMPLE}").status_code == 401


def test_the_command_prints_the_same_json():
    out = StringIO()
    call_command(
        "staffing",
        "--calls", "100", "--interval-minutes", "30", "--aht", "180", "--target-sl", "0.8",
        "--target-seconds", "20", "--shrinkage", "0.3", "--json", stdout=out,
    )  # fmt: skip
    body = json.loads(out.getvalue())
    assert body["agents"] == 14 and body["scheduled"] == 20
    assert round(body["service_level"], 3) == 0.888


@pytest.mark.parametrize(
    "args,field",
    [
        (["--calls", "-5", "--aht", "180"], "--calls"),
        (["--calls", "x", "--aht", "180"], "--calls"),
        (["--calls", "10", "--aht", "180", "--shrinkage", "1"], "--shrinkage"),
        (["--calls", "10", "--aht", "180", "--target-sl", "1.2"], "--target-sl"),
    ],
)
def test_the_command_refuses_bad_input(args, field):
    with pytest.raises(CommandError) as caught:
        call_command("staffing", *args, stdout=StringIO())
    assert field in str(caught.value)
