"""The language switch: POST /language persists the choice on the signed-in user; pages
and API messages follow it (Chinese by default)."""

from __future__ import annotations

import pytest
from django.test import Client

from postdesk.org.models import User

pytestmark = pytest.mark.django_db


def lang_of(response) -> str:
    html = response.content.decode()
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_default_is_chinese(client_for):
    response = client_for("agent1").get("/")
    assert response.status_code == 200
    assert lang_of(response) == "zh-hans"
    assert "首页" in response.content.decode()


def test_switch_persists_on_the_user(client_for):
    client = client_for("agent1")
    response = client.post("/language", {"language": "en", "next": "/customers/"})
    assert response.status_code == 302
    assert response["Location"] == "/customers/"
    assert User.objects.get(username="agent1").language == "en"
    assert lang_of(client.get("/")) == "en"

    # a new session (another browser) starts in the user's language, whatever it sends
    fresh = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    fresh.force_login(User.objects.get(username="agent1"))
    assert lang_of(fresh.get("/")) == "en"
    assert "Home" in fresh.get("/").content.decode()

    client.post("/language", {"language": "zh-hans"})
    assert User.objects.get(username="agent1").language == "zh-hans"
    assert lang_of(client.get("/")) == "zh-hans"


def test_unknown_language_changes_nothing(client_for):
    client = client_for("agent2")
    response = client.post("/language", {"language": "fr"})
    assert response.status_code == 302
    assert User.objects.get(username="agent2").language == ""
    assert lang_of(client.get("/")) == "zh-hans"


def test_foreign_next_url_is_not_followed(client_for):
    response = client_for("agent1").post(
        "/language", {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_user_language_applies_to_session_api_calls(client_for):
    client = client_for("agent1")
    client.post("/language", {"language": "en"})
    response = client.get("/api/v1/customers/987654")
    assert response.status_code == 404
    assert response.json()["message"] == "Not found."


def test_signed_out_visitor_gets_a_cookie(client, org):
    response = client.post("/language", {"language": "en"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    assert lang_of(client.get("/login/")) == "en"
