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
    call_command("seed_demo", "--no-history", stdout=io.StringIO())
    first = row_counts()
    call_command("seed_demo", "--no-history", stdout=io.StringIO())
    assert row_counts() == first

    offices = Unit.objects.filter(type__in=["branch", "county_bureau"]).count()
    assert offices >= 10
    assert User.objects.count() >= 20
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert Customer.objects.count() >= 1000
    # the demo logins of the README
    logins = ("admin", "agent1", "agent2", "lead1", "director1", "branch1", "branch2")
    for username in (*logins, "auditor1"):
        assert User.objects.get(username=username).check_password("postdesk"), username
    assert User.objects.get(username="branch1").unit.code == "WZ-LC01"
    assert User.objects.get(username="branch2").unit.code == "WZ-LW01"
    assert {u.extension for u in User.objects.filter(username__in=["agent1", "agent2"])} == {
        "8001",
        "8002",
    }


@pytest.mark.postgresql
def test_the_web_application_prepares_statements_and_commands_do_not():
    """One setting (DB_PREPARE_THRESHOLD): the WSGI application connects with prepared
    statements; a command (and so a worker) does not, whatever ran before it."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    db = settings.DATABASES["default"]
    url = "postgres://{}@{}:{}/{}".format(
        db["USER"] or "postgres", db["HOST"] or "127.0.0.1", db["PORT"] or 5432, db["NAME"]
    )
    probe = (
        "from django.db import connection; connection.ensure_connection(); "
        "binding = type(connection.cursor().cursor).__name__; "
        "print(f'{binding}:{connection.connection.prepare_threshold}')"
    )
    env = {**os.environ, "DATABASE_URL": url, "DB_PREPARE_THRESHOLD": "7"}
    env.pop("POSTDESK_TEST_PREPARE", None)
    web = subprocess.run(
        [sys.executable, "-c", f"import postdesk.wsgi; {probe}"],
        env=env, check=True, capture_output=True, text=True, timeout=120,
    ).stdout.split()[-1]  # fmt: skip
    command = subprocess.run(
        [sys.executable, "-m", "postdesk.cli", "shell", "-c", probe],
        env=env, check=True, capture_output=True, text=True, timeout=120,
    ).stdout.split()[-1]  # fmt: skip
    off = subprocess.run(
        [sys.executable, "-c", f"import postdesk.wsgi; {probe}"],
        env={**env, "DB_PREPARE_THRESHOLD": "off"}, check=True, capture_output=True,
        text=True, timeout=120,
    ).stdout.split()[-1]  # fmt: skip
    assert web == "ServerBindingCursor:7"
    assert command.startswith("Cursor:") and off.startswith("Cursor:")  # client-side binding
