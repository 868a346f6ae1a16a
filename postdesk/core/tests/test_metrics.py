"""/metrics: behind the token, bounded route labels, the outbox and queue state read at
scrape time, and a Grafana dashboard that asks only for metrics we export."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from postdesk.core.metrics import METRIC_NAMES

pytestmark = pytest.mark.django_db

DASHBOARD = Path(__file__).resolve().parents[3] / "deploy" / "grafana" / "postdesk.json"


def scrape(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer m-token")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


@pytest.fixture
def token(settings):
    settings.REDIS_URL = ""
    settings.POSTDESK_METRICS_TOKEN = "m-token"


def test_metrics_need_the_token_or_an_administrator(client, client_for, token):
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    assert client_for("agent1").get("/metrics").status_code == 401
    assert client_for("admin").get("/metrics").status_code == 200


def test_requests_are_counted_by_their_route_not_their_path(client, client_for, token, staff):
    agent = client_for("agent1")
    before = scrape(client)
    for pk in (101, 102, 103):  # three paths, one route
        agent.get(f"/calls/pop/{pk}/")
    client.get("/no/such/page/at/all")
    after = scrape(client)
    key = (
        "postdesk_http_requests_total",
        (("method", "GET"), ("route", "/calls/pop/<int:call_pk>/"), ("status", "404")),
    )
    assert after[key] - before.get(key, 0) == 3
    routes = {dict(labels).get("route") for name, labels in after if "http" in name}
    assert not any(route and "101" in route for route in routes)
    assert "unmatched" in routes


def test_the_outbox_backlog_and_failures_are_read_at_scrape_time(client, token, staff):
    from postdesk.notify.models import DeliveryAttempt, OutboxMessage

    old = timezone.now() - timedelta(minutes=5)
    first = OutboxMessage.objects.create(key="m1", channel="email", next_attempt_at=old)
    OutboxMessage.objects.filter(pk=first.pk).update(created_at=old)
    OutboxMessage.objects.create(key="m2", channel="email", next_attempt_at=old, status="dead")
    DeliveryAttempt.objects.create(
        message=first,
        number=1,
        worker="w",
        phase="failed",
        started_at=timezone.now(),
        finished_at=timezone.now(),
    )
    got = scrape(client)
    assert got[("postdesk_outbox_pending", ())] == 1
    assert got[("postdesk_outbox_due", ())] == 1
    assert got[("postdesk_outbox_dead", ())] == 1
    assert 290 < got[("postdesk_outbox_oldest_age_seconds", ())] < 400
    assert got[("postdesk_outbox_failed_attempts_last_hour", (("channel", "email"),))] == 1


def test_celery_queue_lengths_come_from_the_broker(
    client, token, settings, own_redis, celery_broker
):
    import redis

    celery_broker(own_redis.url)
    settings.REDIS_URL = settings.CELERY_BROKER_URL = own_redis.url
    redis.Redis(port=own_redis.port).rpush("notifications", b"a", b"b")
    got = scrape(client)
    assert got[("postdesk_celery_queue_length", (("queue", "notifications"),))] == 2
    assert got[("postdesk_celery_queue_length", (("queue", "default"),))] == 0


def test_every_metric_is_exported(client, token):
    families = {
        family.name
        for family in text_string_to_metric_families(
            client.get("/metrics", HTTP_AUTHORIZATION="Bearer m-token").content.decode()
        )
    }
    for name in METRIC_NAMES:
        assert name.removesuffix("_total") in families, name


def test_the_grafana_dashboard_asks_only_for_exported_metrics():
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    exprs = [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]
    assert len(exprs) >= 10
    used = {name for expr in exprs for name in re.findall(r"postdesk_[a-z_]+", expr)}
    known = set(METRIC_NAMES)
    for name in used:
        base = re.sub(r"_(bucket|sum|count)$", "", name)
        assert name in known or base in known, name
    # the panels an operator needs
    covered = {re.sub(r"_(bucket|sum|count|total)$", "", n) for n in used}
    for needed in (
        "postdesk_http_requests",
        "postdesk_http_request_seconds",
        "postdesk_cti_events",
        "postdesk_cti_batch_size",
        "postdesk_screen_pop_seconds",
        "postdesk_outbox_pending",
        "postdesk_outbox_oldest_age_seconds",
        "postdesk_outbox_failed_attempts_last_hour",
        "postdesk_celery_queue_length",
    ):
        assert needed in covered, needed
