"""Retention of closed cases (`core.retention`): a work order closed or cancelled more
than `POSTDESK_RETENTION_DAYS["cases"]` days ago loses its personal data — the caller's
name and phone, the customer link, the description, the address and contact details,
the texts of its timeline, its attachments (files deleted) — and keeps what the
statistics count: number, type, sub-type, status, priority, units, owner, ruling,
satisfaction, deadlines and times. Its title is kept with phone and ID numbers scrubbed,
and its search document is rebuilt from what is left."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from postdesk.core.errors import NotFound
from postdesk.core.retention import MARK, RetentionKind, scrub
from postdesk.workorders.models import Attachment, WorkOrder, WorkOrderEvent

#: details that name or reach a person (the rest — item, weight, window… — are kept)
PERSONAL_DETAILS = ("address", "contact", "booking_details")


def _personal_key(key: str) -> bool:
    return key in PERSONAL_DETAILS or any(
        part in key for part in ("address", "contact", "phone", "name", "mobile")
    )


def pending(cutoff: datetime) -> QuerySet[WorkOrder]:
    still_personal = (
        ~Q(caller_name="")
        | ~Q(caller_phone="")
        | Q(customer__isnull=False)
        | ~Q(description__in=["", MARK])
    )
    return WorkOrder.objects.filter(
        status__in=["closed", "cancelled"], closed_at__lt=cutoff
    ).filter(still_personal)


def _scrub_data(data: Any) -> Any:
    if isinstance(data, dict):
        return {
            key: (MARK if _personal_key(str(key)) and value else _scrub_data(value))
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [_scrub_data(value) for value in data]
    if isinstance(data, str):
        return scrub(data)
    return data


def anonymise(ids: list[int]) -> int:
    from postdesk.workorders.search import index_order
    from postdesk.workorders.services.attachments import attachment_path

    orders = list(WorkOrder.objects.select_for_update().filter(pk__in=ids))
    for order in orders:
        order.caller_name = ""
        order.caller_phone = ""
        order.customer = None
        order.description = MARK
        order.title = scrub(order.title)
        order.details = _scrub_data(order.details or {})
        order.save(
            update_fields=[
                "caller_name",
                "caller_phone",
                "customer",
                "description",
                "title",
                "details",
            ]
        )
        index_order(order)
    events = list(WorkOrderEvent.objects.filter(order_id__in=ids))
    for event in events:
        event.text = MARK if event.text else ""
        event.data = _scrub_data(event.data or {})
    WorkOrderEvent.objects.bulk_update(events, ["text", "data"], batch_size=500)
    attachments = list(Attachment.objects.filter(order_id__in=ids))
    paths = []
    for attachment in attachments:
        with contextlib.suppress(NotFound):
            paths.append(attachment_path(attachment))
    Attachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()

    def remove_files() -> None:  # only once the rows are gone for good
        for path in paths:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)

    transaction.on_commit(remove_files)
    return len(orders)


KINDS = [RetentionKind("cases", _("closed cases"), pending, anonymise)]
