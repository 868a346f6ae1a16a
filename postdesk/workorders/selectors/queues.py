"""The queues of work orders: where an order goes (dispatch suggestions), a unit's inbox
and the team board — always through the reader's scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.core.errors import ValidationFailed
from postdesk.org.models import Unit, User
from postdesk.org.selectors import scope_for
from postdesk.workorders.models import WorkOrder
from postdesk.workorders.selectors.orders import (
    LIST_FIELDS,
    OPEN_STATUSES,
    ROW_RELATED,
    ROW_RELATED_FIELDS,
    tracing_unit_for_waybill,
    work_orders_visible,
)
from postdesk.workorders.services._common import (
    UNIT_STATUSES,
)


@dataclass(frozen=True)
class UnitSuggestion:
    code: str
    reason: str


def dispatch_suggestions(
    *, waybill_no: str = "", customer_id: int | None = None, address: str = ""
) -> list[UnitSuggestion]:
    """The units an order most likely goes to, best first and each once: the office that
    last handled the parcel, the unit serving the pickup address, the customer's serving
    unit (their service area). The dispatch list shows them above the unit tree."""
    from postdesk.customers.models import Customer

    found: list[UnitSuggestion] = []

    def add(code: str, reason: str) -> None:
        if code and all(s.code != code for s in found):
            found.append(UnitSuggestion(code, reason))

    add(tracing_unit_for_waybill(waybill_no=waybill_no or ""), _("where the parcel last was"))
    if address.strip():
        from postdesk.core.errors import DomainError
        from postdesk.routing.selectors import route_address

        try:
            routed = route_address(address=address)
        except DomainError:
            routed = None
        if routed is not None and routed.unit is not None:
            add(routed.unit.code, _("serves the address"))
    if customer_id:
        unit_code = (
            Customer.objects.filter(pk=customer_id, unit__is_active=True)
            .values_list("unit__code", flat=True)
            .first()
        )
        add(unit_code or "", _("the customer's serving unit"))
    return found


#: The inbox's views: every order, the reader's own (我的: assigned to them), the
#: unassigned ones (未分配).
INBOX_VIEWS = ("all", "mine", "unassigned")


def _inbox_orders(user: User) -> QuerySet[WorkOrder]:
    scope = scope_for(user=user)
    orders = work_orders_visible(user=user).filter(status__in=UNIT_STATUSES)
    if scope.everything:
        orders = orders.filter(handling_unit__isnull=False)
    return orders


def work_orders_inbox(*, user: User, limit: int = 200, view: str = "all") -> list[WorkOrder]:
    """A unit handler's inbox: orders dispatched to their unit (or that it assists) that
    wait for acceptance or feedback, most urgent first; `view` (`INBOX_VIEWS`) "mine"
    keeps those assigned to the reader, "unassigned" those assigned to nobody."""
    if view not in INBOX_VIEWS:
        raise ValidationFailed(fields={"view": _("This value is not one of the allowed choices.")})
    orders = _inbox_orders(user)
    if view == "mine":
        orders = orders.filter(assignee_id=user.pk)
    elif view == "unassigned":
        orders = orders.filter(assignee__isnull=True)
    return list(
        orders.select_related(*ROW_RELATED)
        .only(*LIST_FIELDS, *ROW_RELATED_FIELDS)
        .order_by("due_at", "id")[:limit]
    )


def work_orders_inbox_counts(*, user: User) -> dict[str, int]:
    """How many orders each inbox view holds (the tabs' figures), in one statement."""
    counted = _inbox_orders(user).aggregate(
        all=Count("id"),
        mine=Count("id", filter=Q(assignee_id=user.pk)),
        unassigned=Count("id", filter=Q(assignee__isnull=True)),
    )
    return {view: int(counted[view] or 0) for view in INBOX_VIEWS}


@dataclass
class Board:
    overdue: list[WorkOrder]
    due_soon: list[WorkOrder]
    escalated: list[WorkOrder]
    by_unit: list[dict[str, Any]]


def work_orders_board(
    *,
    user: User,
    now: datetime | None = None,
    soon: timedelta = timedelta(hours=4),
    limit: int = 50,
) -> Board:
    """The team lead's board: overdue, due soon, escalated, and open work by unit."""
    now = now or timezone.now()
    open_orders = work_orders_visible(user=user).filter(status__in=OPEN_STATUSES)
    base = open_orders.select_related(*ROW_RELATED).only(*LIST_FIELDS, *ROW_RELATED_FIELDS)
    overdue = list(base.filter(due_at__lte=now).order_by("due_at")[:limit])
    due_soon = list(base.filter(due_at__gt=now, due_at__lte=now + soon).order_by("due_at")[:limit])
    escalated = list(
        base.filter(escalation_level__gt=0).order_by("-escalation_level", "due_at")[:limit]
    )
    grouped = (
        open_orders.values("handling_unit_id")
        .annotate(
            open=Count("id"),
            overdue=Count("id", filter=Q(due_at__lte=now)),
            escalated=Count("id", filter=Q(escalation_level__gt=0)),
        )
        .order_by("-overdue", "-open")
    )
    units = Unit.objects.in_bulk([g["handling_unit_id"] for g in grouped if g["handling_unit_id"]])
    by_unit = [
        {
            "unit": units.get(g["handling_unit_id"]),
            "open": g["open"],
            "overdue": g["overdue"],
            "escalated": g["escalated"],
        }
        for g in grouped
    ]
    return Board(overdue, due_soon, escalated, by_unit)
