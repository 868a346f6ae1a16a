"""The work orders of a customer's timeline, registered with customers' seam
(`postdesk.customers.timeline`) because customers sits below this app."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from postdesk.customers.models import Customer
from postdesk.customers.selectors import customer_numbers
from postdesk.customers.timeline import TimelineItem, TimelinePart
from postdesk.org.models import User
from postdesk.workorders.labels import status_label, type_label
from postdesk.workorders.selectors import work_orders_visible

WAYBILLS_AT_MOST = 200


def customer_orders_q(customer: Customer) -> Q:
    """A customer's orders: opened on the card, or for one of its numbers."""
    condition = Q(customer=customer)
    numbers = customer_numbers(customer=customer)
    if numbers:
        condition |= Q(caller_phone__in=numbers)
    return condition


def orders_of_customer(user: User, customer: Customer, limit: int) -> TimelinePart:
    orders = work_orders_visible(user=user).filter(customer_orders_q(customer))
    rows = list(orders.order_by("-created_at", "-id")[:limit])
    waybills = frozenset(
        orders.exclude(waybill_no="")
        .values_list("waybill_no", flat=True)
        .distinct()[:WAYBILLS_AT_MOST]
    )
    items = [
        TimelineItem(
            at=o.created_at,
            kind="work_order",
            title=f"{type_label(o.type)} {o.number} {o.title}",
            status=status_label(o.status),
            link=reverse("workorders:detail", args=[o.number]),
        )
        for o in rows
    ]
    return TimelinePart(count=orders.count(), items=items, waybills=waybills)


def register() -> None:
    from postdesk.customers.timeline import register_timeline_provider

    register_timeline_provider("work_order", orders_of_customer)
