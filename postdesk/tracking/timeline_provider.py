"""The parcels of a customer's timeline (the waybills its work orders and notices name),
registered with customers' seam (`postdesk.customers.timeline`)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import get_language

from postdesk.customers.timeline import TimelineItem, TimelinePart
from postdesk.org.models import User
from postdesk.tracking.codes import CODES
from postdesk.tracking.models import Item
from postdesk.tracking.rules import can_track


def _code_label(code: str) -> str:
    en, zh = CODES.get(code, (code, code))
    return zh if (get_language() or "zh-hans").startswith("zh") else en


def parcels_of_waybills(user: User, waybills: list[str], limit: int) -> TimelinePart:
    if not can_track(user) or not waybills:
        return TimelinePart(count=0, items=[])
    parcels = Item.objects.filter(waybill_no__in=waybills)
    rows = list(parcels.order_by("-last_event_time", "-id")[:limit])
    items = [
        TimelineItem(
            at=p.last_event_time,
            kind="parcel",
            title=" ".join(x for x in (p.waybill_no, p.last_office_name) if x),
            status=_code_label(p.last_code),
            link=f"{reverse('tracking:query')}?{urlencode({'q': p.waybill_no})}",
        )
        for p in rows
    ]
    return TimelinePart(count=parcels.count(), items=items)


def register() -> None:
    from postdesk.customers.timeline import register_parcel_reader

    register_parcel_reader(parcels_of_waybills)
