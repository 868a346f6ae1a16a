"""The call metrics without breakdowns as one SQL aggregate (Hot paths in ARCHITECTURE.md).

`metrics.compute_metrics` reads every call of the period into Python: a month's ~169k
inbound calls took 2.6 s of the month summary where the query took 0.19 s. Without
breakdowns the same figures are sums and counts, so the database counts them: one
`GROUP BY agent_extension` (the extension is what `answered_per_agent` is keyed by; a
centre has tens of them) through the ORM, the same statement on SQLite and PostgreSQL,
and `metrics.totals_result` turns the totals into the answer with the same formulas.
The definitions are `metrics.py`'s, clause for clause:

- answered: `answered_at` set; abandoned: not answered and `ended_at` set; short
  abandoned: abandoned with `ended_at − started_at ≤ short`;
- answered within the threshold: `answered_at − started_at ≤ service level`;
- handle time, over answered calls that have ended: `(ended − answered) + (wrapup −
  ended when a wrapup came)` = `coalesce(wrapup_at, ended_at) − answered_at`.

Durations are compared and summed as intervals (PostgreSQL) or microseconds (SQLite,
Django's `django_timestamp_diff`), exactly; `test_metrics_sql.py` proves the answer
equals `compute_metrics`'s on random calls on both databases.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from postdesk.calls.metrics import totals_result
from postdesk.calls.models import Call


def metrics_aggregate(
    calls: QuerySet[Call], *, service_level_seconds: float, short_abandon_seconds: float
) -> dict[str, Any]:
    """`compute_metrics(calls, breakdowns=False)` of these (inbound) calls, counted by
    the database."""
    answered = Q(answered_at__isnull=False)
    abandoned = Q(answered_at__isnull=True, ended_at__isnull=False)
    handled = Q(answered_at__isnull=False, ended_at__isnull=False)
    rows = (
        calls.order_by()
        .alias(
            wait=ExpressionWrapper(
                F("answered_at") - F("started_at"), output_field=DurationField()
            ),
            ring=ExpressionWrapper(F("ended_at") - F("started_at"), output_field=DurationField()),
            handle=ExpressionWrapper(
                Coalesce("wrapup_at", "ended_at") - F("answered_at"),
                output_field=DurationField(),
            ),
        )
        .values("agent_extension")
        .annotate(
            offered=Count("pk"),
            answered=Count("pk", filter=answered),
            abandoned=Count("pk", filter=abandoned),
            short_abandoned=Count(
                "pk", filter=abandoned & Q(ring__lte=timedelta(seconds=short_abandon_seconds))
            ),
            in_sl=Count(
                "pk", filter=answered & Q(wait__lte=timedelta(seconds=service_level_seconds))
            ),
            wait_total=Sum("wait", filter=answered),
            handled=Count("pk", filter=handled),
            handle_total=Sum("handle", filter=handled),
        )
    )
    names = ("offered", "answered", "abandoned", "short_abandoned", "in_sl", "handled")
    totals = dict.fromkeys(names, 0)
    wait = handle = timedelta(0)
    per_agent: dict[str, int] = {}
    for row in rows:
        for name in names:
            totals[name] += int(row[name])
        wait += row["wait_total"] or timedelta(0)
        handle += row["handle_total"] or timedelta(0)
        if row["answered"]:
            key = row["agent_extension"] or "unknown"
            per_agent[key] = per_agent.get(key, 0) + int(row["answered"])
    return totals_result(
        offered=totals["offered"],
        answered=totals["answered"],
        abandoned=totals["abandoned"],
        short_abandoned=totals["short_abandoned"],
        answered_within_threshold=totals["in_sl"],
        wait_seconds=wait.total_seconds(),
        handle_seconds=handle.total_seconds(),
        handled=totals["handled"],
        answered_per_agent=per_agent,
        service_level_seconds=service_level_seconds,
        short_abandon_seconds=short_abandon_seconds,
    )
