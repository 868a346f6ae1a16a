"""The console commands: an API token in one line, and the idempotent demo centre."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.test import Client

from postdesk.customers.models import Customer
from postdesk.org.models import Role, Unit, User

pytestmark = pytest.mark.django_db


def test_create_api_token_prints_one_line_that_authenticates(staff):
    out = io.StringIO()
    call_command("create_api_token", "--user", "agent1", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].strip() == lines[0] and lines[0]
    response = Client(HTTP_AUTHORIZATION=f"Token {lines[0]}").get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == "agent1"


def test_create_api_token_refuses_unknown_or_inactive_users(staff):
    with pytest.raises(CommandError):
        call_command("create_api_token", "--user", "nobody", stdout=io.StringIO())
    User.objects.filter(username="agent2").update(is_active=False)
    with pytest.raises(CommandError):
        call_command("create_api_token", "--user", "agent2", stdout=io.StringIO())


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model.__module__.startswith("postdesk.")
    }


def test_seed_demo_twice_adds_nothing_and_is_big_enough():
    call_command("seed_demo", stdout=io.StringIO())
    first = row_counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert row_counts() == first

    offices = Unit.objects.filter(type__in=["branch", "county_bureau"]).count()
    assert offices >= 10
    assert User.objects.count() >= 20
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert Customer.objects.count() >= 1000
    # the demo logins of the README
    for username in ("admin", "agent1", "agent2", "lead1", "director1", "branch1", "branch2"):
        assert User.objects.get(username=username).check_password("postdesk"), username
    assert User.objects.get(username="branch1").unit.code == "WZ-LC01"
    assert User.objects.get(username="branch2").unit.code == "WZ-LW01"
    assert {u.extension for u in User.objects.filter(username__in=["agent1", "agent2"])} == {
        "8001",
        "8002",
    }
