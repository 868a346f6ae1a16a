"""What the apps above tracking add to a parcel and to a caller's number.

`workorders` and `calls` import tracking (its waybill rules, its selectors), so tracking
must not import them. Each registers its scoped readers here from its ``AppConfig.ready()``
instead, as the search engine's kinds do: work orders register the orders that name some
waybills and the orders of a caller; calls register the calls of those orders and the recent
calls of a number. Until one registers, its answer is empty — a centre without that app has
none to show."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # types only: no import arrow at run time
    from postdesk.calls.models import Call
    from postdesk.org.models import User
    from postdesk.workorders.models import WorkOrder

    OrdersForWaybills = Callable[[User, list[str], int], list[WorkOrder]]
    OrdersOfCaller = Callable[[User, list[str], list[int], int], list[WorkOrder]]
    CallsOfOrders = Callable[[User, list[WorkOrder], int], list[Call]]
    CallsFromNumber = Callable[[User, str, int], list[Call]]


def _nothing(*_args: Any) -> list[Any]:
    return []


@dataclass
class Readers:
    orders_for_waybills: OrdersForWaybills = _nothing
    orders_of_caller: OrdersOfCaller = _nothing
    calls_of_orders: CallsOfOrders = _nothing
    calls_from_number: CallsFromNumber = _nothing


READERS = Readers()


def register_work_order_readers(
    *, for_waybills: OrdersForWaybills, of_caller: OrdersOfCaller
) -> None:
    """(user, waybills, limit) → the user's orders naming one of them, newest first;
    (user, phones, customer_ids, limit) → the user's orders of those numbers or customers."""
    READERS.orders_for_waybills = for_waybills
    READERS.orders_of_caller = of_caller


def register_call_readers(*, of_orders: CallsOfOrders, from_number: CallsFromNumber) -> None:
    """(user, orders, limit) → the calls the user may see that these orders came from or
    are linked to; (user, number, limit) → the number's recent calls, newest first."""
    READERS.calls_of_orders = of_orders
    READERS.calls_from_number = from_number
