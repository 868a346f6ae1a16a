"""The calls a parcel page and a caller's-number lookup show, registered with tracking's
seam (`postdesk.tracking.related`) because tracking sits below this app."""

from __future__ import annotations

from django.db.models import Q

from postdesk.calls.models import Call, CallWorkOrder
from postdesk.calls.selectors import calls_visible
from postdesk.org.models import User
from postdesk.workorders.models import WorkOrder


def calls_of_orders(user: User, orders: list[WorkOrder], limit: int) -> list[Call]:
    """The calls (that the reader may see) these work orders were opened from or linked
    to, newest first."""
    if not orders:
        return []
    call_ids = [o.call_id for o in orders if o.call_id]
    linked = list(
        CallWorkOrder.objects.filter(work_order_number__in=[o.number for o in orders])
        .values_list("call_id", flat=True)
        .distinct()
    )
    calls = calls_visible(user=user).filter(Q(call_id__in=call_ids) | Q(pk__in=linked))
    return list(calls.select_related("agent").order_by("-started_at", "-id")[:limit])


def calls_from_number(user: User, number: str, limit: int) -> list[Call]:
    """The number's recent calls that the reader may see, newest first."""
    calls = calls_visible(user=user).filter(caller_number=number).select_related("agent")
    return list(calls.order_by("-started_at", "-id")[:limit])


def register() -> None:
    from postdesk.tracking.related import register_call_readers

    register_call_readers(of_orders=calls_of_orders, from_number=calls_from_number)
