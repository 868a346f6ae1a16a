"""What the screen pop shows from other apps: open work orders and recent parcels.

The work-order and tracking apps own those reads; this module asks their selectors when
they offer one (`work_orders_open_for_caller`, `items_for_waybills`) and otherwise reads
the smallest thing that exists, always within the user's scope. Every failure here
leaves that section of the pop empty rather than breaking the pop.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module
from typing import Any

from postdesk.org.models import User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OpenWorkOrder:
    number: str
    type: str
    type_label: str
    status: str
    status_label: str
    title: str
    due_at: datetime | None
    breached: bool
    waybill_no: str
    url: str


@dataclass(frozen=True)
class ParcelLine:
    waybill_no: str
    status_label: str
    last_event_time: datetime | None
    where: str
    url: str


def _optional(module: str, name: str) -> Any:
    try:
        return getattr(import_module(module), name, None)
    except ImportError:
        return None


def _url(name: str, *args: Any, fallback: str = "") -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


def open_work_orders(
    *, user: User, numbers: list[str], customer_ids: list[int], limit: int = 10
) -> list[OpenWorkOrder]:
    """The caller's unfinished work orders (by number or customer), nearest deadline first."""
    selector = _optional("postdesk.workorders.selectors", "work_orders_open_for_caller")
    try:
        if selector is not None:
            rows = list(selector(user=user, phones=numbers, customer_ids=customer_ids, limit=limit))
        else:
            rows = _open_work_orders_fallback(user, numbers, customer_ids, limit)
    except Exception:
        logger.exception("screen pop: open work orders unavailable")
        return []
    flows = import_module("postdesk.workorders.flows")
    lines = []
    for order in rows:
        lines.append(
            OpenWorkOrder(
                number=order.number,
                type=order.type,
                type_label=_label(flows.WORK_ORDER_TYPES, order.type),
                status=order.status,
                status_label=flows.status_label(order.status),
                title=order.title,
                due_at=order.due_at,
                breached=bool(order.breached),
                waybill_no=getattr(order, "waybill_no", "") or "",
                url=_url(
                    "workorders:detail", order.number, fallback=f"/workorders/{order.number}/"
                ),
            )
        )
    return lines


def _label(table: Any, code: str) -> str:
    for row in table:
        if row[0] == code:
            return str(row[1])
    return code


def _open_work_orders_fallback(
    user: User, numbers: list[str], customer_ids: list[int], limit: int
) -> list[Any]:
    """The work-order app's scoped queryset (`work_orders_visible`), narrowed to the
    caller's unfinished orders (caller phones are stored canonical, as ours are)."""
    visible = _optional("postdesk.workorders.selectors", "work_orders_visible")
    if visible is None:
        return []
    flows = import_module("postdesk.workorders.flows")
    from django.db.models import Q

    numbers = [n for n in numbers if n]
    if not numbers and not customer_ids:
        return []
    condition = Q(caller_phone__in=numbers) if numbers else Q(pk__in=[])
    if customer_ids:
        condition |= Q(customer_id__in=customer_ids)
    orders = visible(user=user).filter(condition, status__in=flows.open_statuses())
    return list(orders.order_by("due_at", "-id")[:limit])


def recent_parcels(*, user: User, waybills: list[str], limit: int = 5) -> list[ParcelLine]:
    """The latest state of the parcels the caller's work orders mention."""
    waybills = [w for w in dict.fromkeys(waybills) if w][:limit]
    if not waybills:
        return []
    selector = _optional("postdesk.tracking.selectors", "items_for_waybills")
    try:
        if selector is not None:
            items = list(selector(user=user, waybills=waybills))
        else:
            models = import_module("postdesk.tracking.models")
            items = list(
                models.Item.objects.filter(waybill_no__in=waybills).order_by("-last_event_time")
            )
    except Exception:
        logger.exception("screen pop: parcels unavailable")
        return []
    lines = []
    for item in items[:limit]:
        label = item.get_last_code_display() if hasattr(item, "get_last_code_display") else ""
        lines.append(
            ParcelLine(
                waybill_no=item.waybill_no,
                status_label=str(label or item.last_code),
                last_event_time=item.last_event_time,
                where=item.last_office_name or item.last_office_code,
                url=_url("tracking:query", fallback="/tracking/") + f"?q={item.waybill_no}",
            )
        )
    return lines
