"""The notices of a customer's timeline, registered with customers' seam
(`postdesk.customers.timeline`) because customers sits below this app."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from postdesk.customers.models import Customer
from postdesk.customers.selectors import customer_numbers
from postdesk.customers.timeline import TimelineItem, TimelinePart
from postdesk.notices import flows
from postdesk.notices.selectors import notices_visible
from postdesk.org.models import User
from postdesk.workorders.labels import lang
from postdesk.workorders.models import WorkOrder
from postdesk.workorders.timeline_provider import WAYBILLS_AT_MOST, customer_orders_q


def notices_of_customer(user: User, customer: Customer, limit: int) -> TimelinePart:
    """The notices of the customer's numbers or of the customer's work orders."""
    orders = WorkOrder.objects.filter(customer_orders_q(customer)).values("pk")
    condition = Q(work_order__in=orders)
    numbers = customer_numbers(customer=customer)
    if numbers:
        condition |= Q(phone__in=numbers)
    notices = notices_visible(user=user).filter(condition)
    rows = list(notices.order_by("-issued_at", "-id")[:limit])
    waybills = frozenset(
        notices.exclude(waybill_no="")
        .values_list("waybill_no", flat=True)
        .distinct()[:WAYBILLS_AT_MOST]
    )
    language = lang()
    items = [
        TimelineItem(
            at=n.issued_at,
            kind="notice",
            title=f"{flows.label(flows.KINDS, n.kind, language)} {n.number}",
            status=flows.label(flows.STATUSES, n.status, language),
            link=reverse("notices:detail", args=[n.number]),
        )
        for n in rows
    ]
    return TimelinePart(count=notices.count(), items=items, waybills=waybills)


def register() -> None:
    from postdesk.customers.timeline import register_timeline_provider

    register_timeline_provider("notice", notices_of_customer)
