"""Pickups routed by their address (issue 14, "Where it is used").

At intake (`work_order_create`) a pickup's address goes to the router
(`routing.selectors.route_address`) and its answer is kept on the order:
`route_status` (matched / ambiguous / unmatched) and `routing` (`reason`, the
`candidates`' unit codes, the `place` read). A matched pickup is dispatched to its unit
at once when the agent confirms (`dispatch_routed`, the form's box or the API's flag)
or the setting `POSTDESK_PICKUP_AUTO_DISPATCH` says so; an ambiguous or unmatched one
waits, undispatched, in the team lead's "to be routed" (待分派) queue
(`selectors_to_route.work_orders_to_route`) with its candidates and reason, until the
lead picks the unit there (an ordinary `dispatch`, so its rules and hooks apply).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from postdesk.org.models import User
from postdesk.workorders.models import WorkOrder

ROUTED_TYPES = frozenset({"pickup"})
TO_ROUTE = ("ambiguous", "unmatched")


def route_for_intake(*, type: str, details: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """(`route_status`, `routing`) for a new order; ("", {}) when it is not routed.
    An address the router refuses (control characters, too long) raises its
    `ValidationFailed` naming `address`."""
    address = (details.get("address") or "").strip()
    if type not in ROUTED_TYPES or not address:
        return "", {}
    from postdesk.routing.selectors import route_address

    result = route_address(address=address)
    parsed = result.parsed
    place = "".join(p for p in (parsed.city, parsed.district, parsed.town) if p)
    return result.status, {
        "reason": result.reason,
        "candidates": result.candidate_codes,
        "place": place or parsed.province,
    }


def routed_unit_code(order: WorkOrder) -> str:
    """The unit the router named for this order's address, or ""."""
    if order.route_status != "matched":
        return ""
    candidates = (order.routing or {}).get("candidates") or []
    return str(candidates[0]) if candidates else ""


def pickup_dispatch_routed(
    *, actor: User, order: WorkOrder, confirm: bool = False
) -> WorkOrder | None:
    """Dispatch a just-opened pickup to the unit its address routes to, when the agent
    confirms or the setting says so; None when nothing was done (not matched, not
    confirmed, or already dispatched)."""
    code = routed_unit_code(order)
    if not code or order.status != "new":
        return None
    if not (confirm or settings.POSTDESK_PICKUP_AUTO_DISPATCH):
        return None
    from postdesk.workorders.services.transitions import work_order_act

    return work_order_act(actor=actor, order=order, action="dispatch", payload={"unit": code})
