"""The outbox's part of `/health/deep` (and of the metrics): the backlog an operator
watches — how many messages wait, how old the oldest is, how many are dead, and how many
were counted sent in doubt (a worker died after handing them over)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.db.models import Count, Min, Q
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

from postdesk.notify.models import DeliveryAttempt, OutboxMessage, SentLog


def outbox_backlog() -> dict[str, Any]:
    now = timezone.now()
    pending = OutboxMessage.Status.PENDING
    counts = OutboxMessage.objects.filter(
        status__in=[pending, OutboxMessage.Status.DEAD]
    ).aggregate(
        pending=Count("id", filter=Q(status=pending)),
        due=Count("id", filter=Q(status=pending, next_attempt_at__lte=now)),
        claimed=Count("id", filter=Q(status=pending) & ~Q(claimed_by="")),
        dead=Count("id", filter=Q(status=OutboxMessage.Status.DEAD)),
        oldest=Min("created_at", filter=Q(status=pending)),
    )
    oldest = counts.pop("oldest")
    counts["oldest_age_seconds"] = round((now - oldest).total_seconds(), 1) if oldest else None
    counts["in_doubt_last_day"] = SentLog.objects.filter(
        in_doubt=True, sent_at__gte=now - timedelta(days=1)
    ).count()
    return counts


def outbox_metrics() -> Iterator[Metric]:
    """The outbox's part of `/metrics` (`core.metrics.register_state`), read at scrape
    time so it is true whichever worker did the work."""
    backlog = outbox_backlog()
    for name, key, text in (
        ("postdesk_outbox_pending", "pending", "Outbox messages waiting to be delivered."),
        ("postdesk_outbox_due", "due", "Pending outbox messages whose time has come."),
        ("postdesk_outbox_dead", "dead", "Outbox messages given up after every attempt."),
    ):
        yield GaugeMetricFamily(name, text, value=backlog[key])
    yield GaugeMetricFamily(
        "postdesk_outbox_oldest_age_seconds",
        "Age of the oldest pending outbox message (0 when none waits).",
        value=backlog["oldest_age_seconds"] or 0.0,
    )
    failed = GaugeMetricFamily(
        "postdesk_outbox_failed_attempts_last_hour",
        "Delivery attempts that failed in the last hour, by channel.",
        labels=["channel"],
    )
    since = timezone.now() - timedelta(hours=1)
    rows = (
        DeliveryAttempt.objects.filter(phase=DeliveryAttempt.Phase.FAILED, finished_at__gte=since)
        .values_list("message__channel")
        .annotate(n=Count("id"))
        .order_by("message__channel")
    )
    for channel, count in rows:
        failed.add_metric([channel], count)
    yield failed
