"""The team lead's "to be routed" (待分派) queue: pickups whose address the router could
not give one unit (ambiguous or unmatched at intake, `services/routing.py`), still
undispatched, oldest first, each with the router's reason, the place it read and the
candidate units. Read by the board and `GET /api/v1/workorders/to-route/`; the lead
picks the unit with the ordinary dispatch action."""

from __future__ import annotations

from dataclasses import dataclass

from postdesk.core.errors import PermissionDenied
from postdesk.org.models import Unit, User
from postdesk.routing.selectors import reason_label
from postdesk.workorders.models import WorkOrder
from postdesk.workorders.rules import can_read_board
from postdesk.workorders.selectors import LIST_FIELDS, work_orders_visible
from postdesk.workorders.services.routing import ROUTED_TYPES, TO_ROUTE


@dataclass(frozen=True)
class ToRoute:
    order: WorkOrder
    reason: str  # the router's code (`routing.rules`)
    reason_text: str  # in the reader's language
    place: str
    candidates: tuple[Unit, ...]  # active units only, in the router's order


def work_orders_to_route(*, user: User, limit: int = 100) -> list[ToRoute]:
    if not can_read_board(user):
        raise PermissionDenied()
    orders = list(
        work_orders_visible(user=user)
        .filter(
            type__in=ROUTED_TYPES,
            status="new",
            handling_unit__isnull=True,
            route_status__in=TO_ROUTE,
        )
        .only(*LIST_FIELDS, "version", "route_status", "routing")
        .order_by("created_at", "id")[:limit]
    )
    codes = {c for o in orders for c in (o.routing or {}).get("candidates", [])}
    units = {u.code: u for u in Unit.objects.filter(code__in=codes, is_active=True)}
    rows = []
    for order in orders:
        info = order.routing or {}
        reason = str(info.get("reason", ""))
        rows.append(
            ToRoute(
                order=order,
                reason=reason,
                reason_text=reason_label(reason),
                place=str(info.get("place", "")),
                candidates=tuple(units[c] for c in info.get("candidates", []) if c in units),
            )
        )
    return rows
