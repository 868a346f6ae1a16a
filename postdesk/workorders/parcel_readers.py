"""The work orders a parcel page and a caller's-number lookup show, registered with
tracking's seam (`postdesk.tracking.related`) because tracking sits below this app."""

from __future__ import annotations

from django.db.models import Q

from postdesk.org.models import User
from postdesk.tracking.waybill import normalize_waybill
from postdesk.workorders.models import WorkOrder
from postdesk.workorders.selectors import work_orders_visible


def orders_for_waybills(user: User, waybills: list[str], limit: int) -> list[WorkOrder]:
    """The reader's work orders that name one of these waybills, newest first (the
    work-order table indexes waybill_no with type)."""
    numbers = sorted({normalize_waybill(w) for w in waybills if w and w.strip()})
    if not numbers:
        return []
    orders = work_orders_visible(user=user).filter(waybill_no__in=numbers)
    return list(orders.order_by("-created_at", "-id")[:limit])


def orders_of_caller(
    user: User, phones: list[str], customer_ids: list[int], limit: int
) -> list[WorkOrder]:
    """The reader's work orders opened for one of these numbers or customers, newest first."""
    condition = Q(caller_phone__in=sorted(phones))
    if customer_ids:
        condition |= Q(customer_id__in=customer_ids)
    orders = work_orders_visible(user=user).filter(condition)
    return list(orders.order_by("-created_at", "-id")[:limit])


def register() -> None:
    from postdesk.tracking.related import register_work_order_readers

    register_work_order_readers(for_waybills=orders_for_waybills, of_caller=orders_of_caller)
