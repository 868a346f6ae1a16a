"""The deadline watch: before a deadline (warning) the handling unit is told, at it
(breach) the unit and the team lead, and when it stays overdue the director too — each
in-app and by e-mail through the outbox. Runs every minute (postdesk/schedule.py); each
step is idempotent (a conditional update on the row's alert stage), so a late or doubled
run does no harm.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.notify.services import notify_users
from postdesk.org.models import User
from postdesk.workorders.models import AlertStage, WorkOrder, WorkOrderEvent
from postdesk.workorders.services._common import (
    TERMINAL,
    directors_for,
    handlers_of,
    leads_for,
    owner_list,
)
from postdesk.workorders.sla import policy_for, shortest_director_after

BATCH = 500


@dataclass
class WatchResult:
    warned: int = 0
    breached: int = 0
    director: int = 0


def _recipients(order: WorkOrder, stage: int) -> list[User]:
    people = handlers_of(order.handling_unit_id) or owner_list(order)
    if stage >= AlertStage.BREACHED:
        people += leads_for(order)
    if stage >= AlertStage.DIRECTOR:
        people += directors_for(order)
    seen: dict[int, User] = {}
    for user in people:
        seen.setdefault(user.pk, user)
    return list(seen.values())


def _title(order: WorkOrder, stage: int) -> str:
    values = {
        "number": order.number,
        "due": timezone.localtime(order.due_at).strftime("%Y-%m-%d %H:%M") if order.due_at else "",
    }
    if stage == AlertStage.WARNED:
        return _("Work order %(number)s is due at %(due)s") % values
    if stage == AlertStage.BREACHED:
        return _("Work order %(number)s missed its deadline (%(due)s)") % values
    return _("Work order %(number)s is still overdue since %(due)s") % values


_EVENT = {
    AlertStage.WARNED: "sla_warning",
    AlertStage.BREACHED: "sla_breach",
    AlertStage.DIRECTOR: "sla_director",
}


def work_order_alert(*, order_id: int, stage: int, now: datetime | None = None) -> bool:
    """Raise the alert stage of one order to `stage` if its deadline still calls for it."""
    now = now or timezone.now()
    with transaction.atomic():
        order = (
            WorkOrder.objects.select_for_update(of=("self",))
            .select_related("owner")
            .filter(pk=order_id)
            .first()
        )
        if order is None or order.due_at is None or order.status in TERMINAL:
            return False
        if order.alert_stage >= stage:
            return False
        policy = policy_for(type=order.type, subtype=order.subtype, priority=order.priority)
        if stage == AlertStage.WARNED and not (order.warn_at and order.warn_at <= now):
            return False
        if stage == AlertStage.BREACHED and order.due_at > now:
            return False
        if stage == AlertStage.DIRECTOR and order.due_at + policy.director_after > now:
            return False
        due = order.due_at
        order.alert_stage = stage
        order.escalation_level = max(order.escalation_level, stage)
        if stage >= AlertStage.BREACHED:
            order.breached = True
        WorkOrder.objects.filter(pk=order.pk).update(
            alert_stage=stage, escalation_level=order.escalation_level, breached=order.breached
        )
        WorkOrderEvent.objects.create(
            order=order,
            at=now,
            actor=None,
            action=_EVENT[AlertStage(stage)],
            from_status=order.status,
            to_status=order.status,
            data={"due_at": due.isoformat(), "level": order.escalation_level},
        )
        notify_users(
            users=_recipients(order, stage),
            key=f"wo-sla:{order.pk}:{due.isoformat()}:{stage}",
            title=_title(order, stage),
            body=order.title,
            link=f"/workorders/{order.number}/",
            level="warning" if stage == AlertStage.WARNED else "error",
            email=True,
        )
    return True


def work_orders_watch(*, now: datetime | None = None, limit: int = BATCH) -> WatchResult:
    """One pass of the deadline watch over the indexed due_at / warn_at columns."""
    now = now or timezone.now()
    result = WatchResult()
    breach_ids = list(
        WorkOrder.objects.filter(
            alert_stage__lt=AlertStage.BREACHED, due_at__isnull=False, due_at__lte=now
        )
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )
    for order_id in breach_ids:
        result.breached += work_order_alert(order_id=order_id, stage=AlertStage.BREACHED, now=now)
    warn_ids = list(
        WorkOrder.objects.filter(alert_stage=AlertStage.NONE, warn_at__lte=now, due_at__gt=now)
        .order_by("warn_at")
        .values_list("pk", flat=True)[:limit]
    )
    for order_id in warn_ids:
        result.warned += work_order_alert(order_id=order_id, stage=AlertStage.WARNED, now=now)
    # The shortest director delay bounds the candidates; each order's own policy decides.
    shortest = shortest_director_after()
    director_ids = list(
        WorkOrder.objects.filter(
            alert_stage=AlertStage.BREACHED, due_at__isnull=False, due_at__lte=now - shortest
        )
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )
    for order_id in director_ids:
        result.director += work_order_alert(order_id=order_id, stage=AlertStage.DIRECTOR, now=now)
    return result
