"""What the apps above customers add to a customer's timeline (客户轨迹).

`calls`, `workorders` and `notices` sit above customers in the app order (they point at
`Customer`), so customers must not import them. Each registers a scoped provider here from
its ``AppConfig.ready()`` instead, as the search engine's kinds and `tracking.related` do.
A provider answers `(user, customer, limit)` with the number of its items for that reader,
its newest `limit` items and the waybill numbers its rows name; the parcel reader
(registered by tracking) turns those waybills into parcel items. Until an app registers,
its part is empty — a centre without that app has none to show."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # types only: no import arrow at run time
    from postdesk.customers.models import Customer
    from postdesk.org.models import User


@dataclass(frozen=True)
class TimelineItem:
    """One line of the timeline. `title` and `status` are already in the reader's
    language and masked as the provider's own pages mask them; `link` is a path."""

    at: datetime
    kind: str  # "call", "work_order", "notice", "parcel"
    title: str
    status: str
    link: str


@dataclass(frozen=True)
class TimelinePart:
    count: int
    items: list[TimelineItem]
    waybills: frozenset[str] = field(default_factory=frozenset)


Provider = Callable[["User", "Customer", int], TimelinePart]
ParcelReader = Callable[["User", list[str], int], TimelinePart]

PROVIDERS: dict[str, Provider] = {}
PARCELS: dict[str, ParcelReader] = {}


def register_timeline_provider(kind: str, provider: Provider) -> None:
    """`provider(user, customer, limit)`: the reader's items of this kind, newest first."""
    PROVIDERS[kind] = provider


def register_parcel_reader(reader: ParcelReader) -> None:
    """`reader(user, waybills, limit)`: the parcels of these waybills the reader may track."""
    PARCELS["parcel"] = reader
