"""The calls of a customer's timeline, registered with customers' seam
(`postdesk.customers.timeline`) because customers sits below this app."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from postdesk.calls.models import Call
from postdesk.calls.selectors import calls_visible, wrapup_labels
from postdesk.core.masking import mask_phone
from postdesk.core.phones import display_phone
from postdesk.customers.models import Customer
from postdesk.customers.selectors import customer_numbers
from postdesk.customers.timeline import TimelineItem, TimelinePart
from postdesk.org.models import User


def _item(call: Call, labels: dict[str, str]) -> TimelineItem:
    number = call.caller_number
    status = call.get_outcome_display()
    if call.wrapup_code:
        status = f"{status} · {labels.get(call.wrapup_code, call.wrapup_code)}"
    day = timezone.localtime(call.started_at).date().isoformat()
    shown = mask_phone(display_phone(number)) if number else ""
    return TimelineItem(
        at=call.started_at,
        kind="call",
        title=f"{call.get_direction_display()} {shown}".strip(),
        status=status,
        # the day's log, not a number in the address (addresses end up in logs)
        link=f"{reverse('calls:log')}?{urlencode({'day': day})}",
    )


def calls_of_customer(user: User, customer: Customer, limit: int) -> TimelinePart:
    condition = Q(customer=customer)
    numbers = customer_numbers(customer=customer)
    if numbers:
        condition |= Q(caller_number__in=numbers)
    calls = calls_visible(user=user).filter(condition)
    rows = list(calls.order_by("-started_at", "-id")[:limit])
    labels = wrapup_labels() if any(c.wrapup_code for c in rows) else {}
    return TimelinePart(count=calls.count(), items=[_item(c, labels) for c in rows])


def register() -> None:
    from postdesk.customers.timeline import register_timeline_provider

    register_timeline_provider("call", calls_of_customer)
