"""What the public reads right after filing: the reference, what happens next and by
when. Built field by field from an allow-list (no staff, no notes, no one's data but
the public name of the office that has a pickup)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from postdesk.core.errors import NotFound
from postdesk.portal.selectors import PUBLIC_STATUS, public_due, type_label
from postdesk.workorders.models import WorkOrder
from postdesk.workorders.public_ref import format_public_ref, parse_public_ref


@dataclass(frozen=True, slots=True)
class Filed:
    reference: str  # as the public types it: K7QM-3XPR
    type: str
    type_label: str
    status: str  # the public status code (`selectors.PUBLIC_STATUS`)
    due_at: datetime | None
    next_step: str  # investigate · consider · answer · pickup_dispatched · pickup_queued
    unit_name: str  # the office that has a dispatched pickup, else ""
    window: str  # a pickup's window in words, else ""


def _next_step(order: WorkOrder) -> str:
    if order.type == "pickup":
        return "pickup_dispatched" if order.handling_unit_id else "pickup_queued"
    return {"complaint": "investigate", "suggestion": "consider"}.get(order.type, "answer")


def filed_summary(order: WorkOrder) -> Filed:
    unit = order.handling_unit if order.type == "pickup" and order.handling_unit_id else None
    return Filed(
        reference=format_public_ref(order.public_ref),
        type=order.type,
        type_label=type_label(order.type),
        status=PUBLIC_STATUS.get(order.status, ("processing",))[0],
        due_at=public_due(order),
        next_step=_next_step(order),
        unit_name=unit.name if unit is not None else "",
        window=str((order.details or {}).get("window", "")) if order.type == "pickup" else "",
    )


def filed_by_reference(*, reference: str) -> Filed:
    """The summary of the order with this public reference (the answer page reaches it
    only through a link signed at filing), or NotFound."""
    code = parse_public_ref(reference or "")
    order = (
        WorkOrder.objects.filter(public_ref=code).select_related("handling_unit").first()
        if code
        else None
    )
    if order is None:
        raise NotFound()
    return filed_summary(order)
