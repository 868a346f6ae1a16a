"""Health: /health/live (the process), /health/ready and /health (the database; Redis
and the broker reported, failing readiness only when configured to), /health/deep for
operators. Redis down or hung never turns readiness red by itself, and a hung Redis is
answered within the bounded wait."""

from __future__ import annotations

import time

import pytest

from conftest import free_port

pytestmark = pytest.mark.django_db


def test_live_asks_nothing(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    response = client.get("/health/live")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "max-age=0" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_ready_without_redis(client, settings):
    settings.REDIS_URL = ""
    for path in ("/health", "/health/ready"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.json() == {
            "status": "ok",
            "database": "ok",
            "redis": "not configured",
            "broker": "not configured",
        }


def test_ready_with_redis_up(client, settings, own_redis):
    settings.REDIS_URL = settings.CELERY_BROKER_URL = own_redis.url
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok", "broker": "ok"}


def test_redis_down_is_reported_but_ready_unless_required(client, settings):
    settings.REDIS_URL = settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"]) == ("ok", "ok")
    assert body["redis"].startswith("error") and body["broker"].startswith("error")

    settings.POSTDESK_READY_REQUIRES = "redis"
    response = client.get("/health/ready")
    assert response.status_code == 503 and response.json()["status"] == "error"


def test_a_hung_redis_is_answered_within_the_bound(client, settings, own_redis):
    settings.REDIS_URL = settings.CELERY_BROKER_URL = own_redis.url
    own_redis.hang()
    try:
        started = time.monotonic()
        response = client.get("/health/ready")
        took = time.monotonic() - started
    finally:
        own_redis.resume()
    assert response.status_code == 200
    assert response.json()["redis"] == "error: TimeoutError"
    assert took < 1.5, took


def test_needs_no_login_and_only_answers_get(client, settings):
    settings.REDIS_URL = ""
    assert client.get("/health").status_code == 200
    assert client.post("/health").status_code == 405
    assert client.post("/health/live").status_code == 405


def test_deep_is_for_operators(client, settings, client_for):
    settings.REDIS_URL = ""
    settings.POSTDESK_METRICS_TOKEN = "s3cret-token"
    response = client.get("/health/deep")
    assert response.status_code == 401
    assert set(response.json()) == {"code", "message", "fields"}
    assert client.get("/health/deep", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client_for("agent1").get("/health/deep").status_code == 401
    assert client_for("admin").get("/health/deep").status_code == 200
    assert client.get("/health/deep", HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 200


def test_deep_reports_the_backlog_beat_and_workers(client, settings, staff):
    from datetime import timedelta

    from django.utils import timezone

    from postdesk.core import liveness
    from postdesk.notify.models import OutboxMessage

    settings.REDIS_URL = ""
    settings.POSTDESK_METRICS_TOKEN = "t"
    old = timezone.now() - timedelta(minutes=10)
    OutboxMessage.objects.create(key="a", channel="email", next_attempt_at=old)
    OutboxMessage.objects.filter(key="a").update(created_at=old)
    OutboxMessage.objects.create(key="b", channel="email", next_attempt_at=timezone.now())
    OutboxMessage.objects.create(key="c", channel="email", next_attempt_at=old, status="dead")
    liveness.beat(name="beat", kind="beat")
    liveness.beat()
    report = client.get("/health/deep", HTTP_AUTHORIZATION="Bearer t").json()
    outbox = report["outbox"]
    assert (outbox["pending"], outbox["dead"]) == (2, 1)
    assert 590 < outbox["oldest_age_seconds"] < 700
    assert report["beat"]["seconds_ago"] < 60
    assert [w["name"] for w in report["workers"]] == [liveness.me()]
    assert report["replication"]["role"] in ("none", "primary")
    assert report["status"] == "ok"


def test_pages_name_their_icon_and_the_conventional_path_finds_it(client, db):
    page = client.get("/login/")
    assert b'rel="icon"' in page.content and b"favicon.svg" in page.content
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("postdesk/favicon.svg")
