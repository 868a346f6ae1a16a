"""Per-agent and per-unit tallies of the work on orders in a period (read-only, scoped):
what the league tables (`reports.league`) add to the complaint and notice figures.

- per agent: orders taken (the `create` event's actor), follow-ups done and how many of
  them ended satisfied or basically satisfied;
- per handling unit: orders of the period that breached their deadline, and complaints
  ruled the unit's responsibility (有责).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Q

from postdesk.org.models import User
from postdesk.workorders.models import WorkOrderEvent
from postdesk.workorders.selectors import work_orders_visible

SATISFIED = ("satisfied", "basically_satisfied")
RULED_AGAINST = "responsible"


def agent_tallies(*, user: User, start: datetime, end: datetime) -> dict[str, dict[str, Any]]:
    """{username: {"name", "taken", "follow_ups", "satisfied"}} for events in [start, end)
    on the orders the reader may see."""
    events = WorkOrderEvent.objects.filter(
        order__in=work_orders_visible(user=user),
        at__gte=start,
        at__lt=end,
        actor__isnull=False,
        action__in=["create", "follow_up"],
    )
    rows = events.values("actor__username", "actor__display_name").annotate(
        taken=Count("id", filter=Q(action="create")),
        follow_ups=Count("id", filter=Q(action="follow_up")),
        satisfied=Count("id", filter=Q(action="follow_up", data__satisfaction__in=SATISFIED)),
    )
    result: dict[str, dict[str, Any]] = {}
    for r in rows:
        result[r["actor__username"]] = {
            "name": r["actor__display_name"] or r["actor__username"],
            "taken": r["taken"],
            "follow_ups": r["follow_ups"],
            "satisfied": r["satisfied"],
        }
    return result


def unit_tallies(*, user: User, start: datetime, end: datetime) -> dict[str, dict[str, Any]]:
    """{unit code: {"name", "overdue", "ruled_against"}} for the orders created in
    [start, end) that the reader may see, by their handling unit."""
    rows = (
        work_orders_visible(user=user)
        .filter(created_at__gte=start, created_at__lt=end, handling_unit__isnull=False)
        .values("handling_unit__code", "handling_unit__name")
        .annotate(
            overdue=Count("id", filter=Q(breached=True)),
            ruled_against=Count("id", filter=Q(type="complaint", ruling=RULED_AGAINST)),
        )
    )
    return {
        r["handling_unit__code"]: {
            "name": r["handling_unit__name"],
            "overdue": r["overdue"],
            "ruled_against": r["ruled_against"],
        }
        for r in rows
    }
