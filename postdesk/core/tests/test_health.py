"""/health for the load balancer: 200 when the database (and Redis, when configured)
answers, 503 when a configured Redis is down."""

from __future__ import annotations

import pytest

from conftest import free_port, need_service

pytestmark = pytest.mark.django_db


def test_health_without_redis(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "not configured"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_health_with_redis_up(client, settings):
    import redis

    configured = settings.REDIS_URL
    url = configured or "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_timeout=2).ping()
    except Exception as exc:
        if configured:
            need_service("Redis", f"{url}: {exc}")
        pytest.skip(f"no Redis configured or running here: {exc}")
    settings.REDIS_URL = url
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_health_with_redis_configured_but_down(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    response = client.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["database"]) == ("error", "ok")
    assert body["redis"].startswith("error")


def test_health_needs_no_login_and_only_answers_get(client, settings):
    settings.REDIS_URL = ""
    assert client.get("/health").status_code == 200
    assert client.post("/health").status_code == 405


def test_pages_name_their_icon_and_the_conventional_path_finds_it(client, db):
    page = client.get("/login/")
    assert b'rel="icon"' in page.content and b"favicon.svg" in page.content
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("postdesk/favicon.svg")
