"""The outbox's part of `/health/deep` (and of the metrics): the backlog an operator
watches — how many messages wait, how old the oldest is, how many are dead, and how many
were counted sent in doubt (a worker died after handing them over)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Min, Q
from django.utils import timezone

from postdesk.notify.models import OutboxMessage, SentLog


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
