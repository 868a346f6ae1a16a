"""Reads of the tracking app: delivery KPIs, drill-down, chase list, stale items, the
parcel view. KPIs read the precomputed ``Attempt`` table (``refresh.py``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When

from postdesk.core.errors import NotFound
from postdesk.core.periods import Month
from postdesk.core.phones import display_phone, try_normalize_phone
from postdesk.customers.selectors import CustomerCard, customer_card, customers_by_phone
from postdesk.org.models import User
from postdesk.org.selectors import scope_for
from postdesk.tracking import conf
from postdesk.tracking.kpi_rules import rate
from postdesk.tracking.models import Attempt, Event, ImportRun, Item, Office
from postdesk.tracking.related import READERS
from postdesk.tracking.waybill import normalize_waybill

if TYPE_CHECKING:
    from postdesk.calls.models import Call
    from postdesk.workorders.models import WorkOrder


def offices_in_scope(*, user: User) -> set[str] | None:
    """Office codes the user may see, or None for all of them."""
    scope = scope_for(user=user)
    if scope.everything:
        return None
    return set(Office.objects.filter(unit_id__in=scope.unit_ids).values_list("code", flat=True))


def _scoped(qs: QuerySet[Any], offices: set[str] | None) -> QuerySet[Any]:
    return qs if offices is None else qs.filter(office_code__in=offices)


def online_q(as_of: datetime) -> Q:
    """An attempt counts for 上网率: its result was recorded by as-of."""
    return Q(result_recorded_at__lte=as_of)


def timely_q(as_of: datetime) -> Q:
    """An attempt counts for 及时率: recorded by as-of and by its deadline."""
    return online_q(as_of) & Q(result_recorded_at__lte=F("deadline"))


def _counts(as_of: datetime) -> dict[str, Any]:
    # COUNT(*): no column outside the covering KPI index (day, office, the two times).
    def ones(condition: Q) -> Sum:
        return Sum(
            Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())
        )

    return {
        "attempts": Count("*"),
        "online": ones(online_q(as_of)),
        "timely": ones(timely_q(as_of)),
    }


def month_attempts(*, user: User, month: Month) -> QuerySet[Attempt]:
    """The attempts behind the month's two delivery targets (their denominator), in the
    reader's scope: the rows `delivery_kpi` counts."""
    return _scoped(
        Attempt.objects.filter(day__gte=month.first_day, day__lt=month.next_first_day),
        offices_in_scope(user=user),
    )


def delivery_kpi(*, user: User, month: Month, as_of: datetime) -> dict[str, Any]:
    """The ``GET /api/v1/reports/delivery`` document: the month's attempts at the offices
    in the reader's scope."""
    return _delivery_kpi(offices_in_scope(user=user), month, as_of)


def delivery_kpi_centre(*, month: Month, as_of: datetime) -> dict[str, Any]:
    """The same document for the whole centre, read by no user: the ``delivery_kpi``
    command's (never for a request)."""
    return _delivery_kpi(None, month, as_of)


def _delivery_kpi(
    offices_allowed: set[str] | None, month: Month, as_of: datetime
) -> dict[str, Any]:
    start, end = month.first_day, month.next_first_day
    # Grouped in the covering index's order (day, office): no sort of the month's rows.
    rows = list(
        _scoped(Attempt.objects.filter(day__gte=start, day__lt=end), offices_allowed)
        .values("day", "office_code")
        .annotate(**_counts(as_of))
        .order_by("day", "office_code")
    )
    rows.sort(key=lambda r: (r["office_code"], str(r["day"])))
    centre = [0, 0, 0]
    offices: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    daily: dict[str, list[int]] = {}
    for row in rows:
        triple = [int(row["attempts"]), int(row["online"] or 0), int(row["timely"] or 0)]
        day = row["day"]
        day_text = day.isoformat() if isinstance(day, date) else str(day)
        daily[f"{row['office_code']}|{day_text}"] = triple
        agg = offices[row["office_code"]]
        for i in range(3):
            agg[i] += triple[i]
            centre[i] += triple[i]
    return {
        "month": str(month),
        "as_of": as_of.isoformat(),
        "centre": {
            "attempts": centre[0],
            "online": centre[1],
            "timely": centre[2],
            "online_rate": rate(centre[1], centre[0]),
            "timely_rate": rate(centre[2], centre[0]),
        },
        "offices": {
            k: {"attempts": v[0], "online": v[1], "timely": v[2]}
            for k, v in sorted(offices.items())
        },
        "daily": daily,
    }


@dataclass
class KpiRow:
    key: str
    label: str
    attempts: int
    online: int
    timely: int
    online_rate: float | None = None
    timely_rate: float | None = None
    short: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _row(key: str, label: str, a: int, o: int, t: int) -> KpiRow:
    cfg = conf.kpi_config()
    o_rate, t_rate = rate(o, a), rate(t, a)
    short = (o_rate is not None and o_rate < cfg.online_target) or (
        t_rate is not None and t_rate < cfg.timely_target
    )
    return KpiRow(key, label, a, o, t, o_rate, t_rate, short)


def delivery_kpi_rows(
    *,
    user: User,
    month: Month,
    as_of: datetime,
    by: str = "office",
    office_code: str | None = None,
) -> list[KpiRow]:
    """KPI rows by office, day, operator (courier) or month; offices that fall short
    of a target first, then the lowest timely rate."""
    start, end = month.first_day, month.next_first_day
    qs = _scoped(Attempt.objects.filter(day__gte=start, day__lt=end), offices_in_scope(user=user))
    if office_code:
        qs = qs.filter(office_code=office_code)
    names = dict(Office.objects.values_list("code", "name"))
    result: list[KpiRow] = []
    if by == "office":
        for r in qs.values("office_code").annotate(**_counts(as_of)):
            code = r["office_code"]
            result.append(
                _row(code, names.get(code, code), r["attempts"], r["online"] or 0, r["timely"] or 0)
            )
    elif by == "day":
        for r in qs.values("day").annotate(**_counts(as_of)):
            d = str(r["day"])
            result.append(_row(d, d, r["attempts"], r["online"] or 0, r["timely"] or 0))
        return sorted(result, key=lambda x: x.key)
    elif by == "operator":
        rows = qs.annotate(
            courier=Case(
                When(ofd_operator="", then=F("result_operator")), default=F("ofd_operator")
            )
        )
        for r in rows.values("courier").annotate(**_counts(as_of)):
            c = r["courier"] or "—"
            result.append(_row(c, c, r["attempts"], r["online"] or 0, r["timely"] or 0))
    elif by == "centre":
        r = qs.aggregate(**_counts(as_of))
        key = str(month)
        return [_row(key, key, r["attempts"] or 0, r["online"] or 0, r["timely"] or 0)]
    else:
        raise ValueError(f"unknown grouping {by!r}")
    return sorted(result, key=lambda x: (not x.short, x.timely_rate or 0, x.key))


def delivery_attempts(
    *,
    user: User,
    as_of: datetime,
    office_code: str,
    day: date | None = None,
    month: Month | None = None,
    which: str = "all",
    limit: int = 500,
) -> list[Attempt]:
    """The attempts behind a number: ``which`` = all | not_online | not_timely."""
    qs = delivery_attempts_filtered(
        user=user, as_of=as_of, office_code=office_code, day=day, month=month, which=which
    )
    return list(qs.order_by("day", "ofd_time", "result_time", "waybill_no")[:limit])


WHICH = ("all", "not_online", "not_timely")


def delivery_attempts_filtered(
    *,
    user: User,
    as_of: datetime,
    office_code: str = "",
    day: date | None = None,
    month: Month | None = None,
    which: str = "all",
) -> QuerySet[Attempt]:
    """The attempts of the drill-down's filters in the user's scope (all offices in it
    when `office_code` is empty); exports read it."""
    qs = _scoped(Attempt.objects.all(), offices_in_scope(user=user))
    if office_code:
        qs = qs.filter(office_code=office_code)
    if day is not None:
        qs = qs.filter(day=day)
    elif month is not None:
        qs = qs.filter(day__gte=month.first_day, day__lt=month.next_first_day)
    if which == "not_online":
        qs = qs.filter(Q(result_recorded_at__isnull=True) | Q(result_recorded_at__gt=as_of))
    elif which == "not_timely":
        qs = qs.filter(
            Q(result_recorded_at__isnull=True)
            | Q(result_recorded_at__gt=as_of)
            | Q(result_recorded_at__gt=F("deadline"))
        )
    return qs


def chase_list(
    *, user: User, now: datetime, office_code: str | None = None, limit: int = 500
) -> list[Attempt]:
    """Attempts out for delivery with no result after the cut-off, oldest first."""
    qs = _scoped(
        Attempt.objects.filter(chase=True, chase_after__lte=now), offices_in_scope(user=user)
    )
    if office_code:
        qs = qs.filter(office_code=office_code)
    return list(qs.order_by("office_code", "ofd_time")[:limit])


def stale_items(
    *, user: User, now: datetime, zone: str | None = None, limit: int = 500
) -> list[Item]:
    """Items not delivered or returned with no new event for longer than their zone's
    limit (same city 3 days, domestic 7, international 21; configurable). A scoped
    reader sees those last seen at one of its offices."""
    days = conf.stale_days()
    cond = Q()
    for z, n in days.items():
        if zone and z != zone:
            continue
        cond |= Q(zone=z, last_event_time__lt=now - timedelta(days=n))
    items = Item.objects.filter(cond, is_final=False)
    offices = offices_in_scope(user=user)
    if offices is not None:
        items = items.filter(last_office_code__in=offices)
    return list(items.order_by("last_event_time")[:limit])


def is_stale(*, item: Item, now: datetime) -> bool:
    limit = conf.stale_days().get(item.zone, 7)
    return not item.is_final and item.last_event_time < now - timedelta(days=limit)


@dataclass
class ParcelView:
    waybill_no: str
    item: Item | None
    events: list[Event]
    attempts: list[Attempt]
    status_code: str
    where: str
    chase: bool
    stale: bool
    late: bool
    tracing_url: str
    #: The reader's work orders about this waybill, and the calls they came from.
    work_orders: list[WorkOrder] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)


def waybill_visible(*, events: list[Event], offices: set[str] | None) -> bool:
    """A scoped reader sees an item when one of its events happened at one of the
    reader's offices (it passed through, or is delivered from, the reader's unit)."""
    return offices is None or any(e.office_code in offices for e in events)


def parcel_get(*, user: User, waybill_no: str, now: datetime) -> ParcelView:
    """The parcel view for ``user``: ``NotFound`` when there are no events for the
    number or none at an office in the user's scope (the two look the same)."""
    view = parcel_view(waybill_no=waybill_no, now=now, user=user)
    if view is None:
        raise NotFound()
    view.work_orders = work_orders_for_waybills(user=user, waybills=[view.waybill_no])
    view.calls = calls_for_work_orders(user=user, orders=view.work_orders)
    return view


def parcel_view(*, user: User, waybill_no: str, now: datetime) -> ParcelView | None:
    """The agent's view of one parcel: timeline (newest first), status, where it is,
    chase and late flags. Two indexed reads (the event identity index starts with the
    waybill number). None when unknown, or outside ``user``'s scope."""
    number = normalize_waybill(waybill_no)
    events = list(Event.objects.filter(waybill_no=number).order_by("-event_time", "-id"))
    if not events:
        return None
    if not waybill_visible(events=events, offices=offices_in_scope(user=user)):
        return None
    item = Item.objects.filter(waybill_no=number).first()
    attempts = list(Attempt.objects.filter(waybill_no=number).order_by("ofd_time", "result_time"))
    last = events[0]
    chase = any(a.chase and a.chase_after is not None and a.chase_after <= now for a in attempts)
    stale = item is not None and is_stale(item=item, now=now)
    late = any(
        a.result_recorded_at is not None
        and a.deadline is not None
        and a.result_recorded_at > a.deadline
        for a in attempts
    )
    return ParcelView(
        waybill_no=number,
        item=item,
        events=events,
        attempts=attempts,
        status_code=last.event_code,
        where=last.office_name or last.office_code,
        chase=chase,
        stale=stale,
        late=late,
        tracing_url=f"/workorders/new/?type=tracing&waybill={number}",
    )


def waybill_last_unit_code(*, waybill_no: str) -> str:
    """The code of our unit that last handled the item (its newest event at an office
    linked to a unit), or "" when tracking does not know. Read for no user: the intake
    suggests with it where a tracing inquiry goes, and shows no tracking data."""
    number = normalize_waybill(waybill_no)
    if not number:
        return ""
    codes = list(
        Event.objects.filter(waybill_no=number)
        .order_by("-event_time", "-id")
        .values_list("office_code", flat=True)
    )
    units = dict(
        Office.objects.filter(code__in=codes, unit__isnull=False).values_list("code", "unit__code")
    )
    return next((str(units[code]) for code in codes if code in units), "")


def items_for_waybills(*, user: User, waybills: list[str]) -> list[Item]:
    """The summaries of these waybills that ``user`` may see, newest news first (the
    screen pop's and the phone view's parcels). Two indexed reads."""
    numbers = sorted({normalize_waybill(w) for w in waybills if w and w.strip()})
    if not numbers:
        return []
    items = Item.objects.filter(waybill_no__in=numbers)
    offices = offices_in_scope(user=user)
    if offices is not None:
        seen = (
            Event.objects.filter(waybill_no__in=numbers, office_code__in=offices)
            .values_list("waybill_no", flat=True)
            .distinct()
        )
        items = items.filter(waybill_no__in=list(seen))
    return list(items.order_by("-last_event_time", "waybill_no"))


# ------------------------------------------------- work orders, calls, the caller's phone
# Asked of the apps above tracking through their registered readers (tracking.related):
# each reads through its own scoped selector.


def work_orders_for_waybills(
    *, user: User, waybills: list[str], limit: int = 20
) -> list[WorkOrder]:
    """The reader's work orders that name one of these waybills, newest first."""
    return READERS.orders_for_waybills(user, waybills, limit)


def calls_for_work_orders(*, user: User, orders: list[WorkOrder], limit: int = 20) -> list[Call]:
    """The calls (that the reader may see) these work orders were opened from or linked
    to, newest first."""
    return READERS.calls_of_orders(user, orders, limit) if orders else []


@dataclass
class PhoneParcel:
    item: Item
    work_orders: list[str]  # numbers of the caller's orders that name this waybill


@dataclass
class PhoneParcels:
    """What the agent sees for a caller's number: who has it (masked cards), their
    work orders, the parcels those orders name and the number's recent calls."""

    phone: str  # canonical
    display: str  # as people write it
    customers: list[CustomerCard]
    work_orders: list[WorkOrder]
    parcels: list[PhoneParcel]
    calls: list[Call]
    #: Waybills the orders name that tracking does not show the reader.
    unknown_waybills: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.customers or self.work_orders or self.calls)


def parcels_by_phone(*, user: User, raw: str, limit: int = 50) -> PhoneParcels | None:
    """Parcels related to a caller's phone: the work orders opened for that number, for
    a customer who has it or for another number of such a customer, and the items they
    name; None when ``raw`` is no phone
    number. Everything through the reader's scope; customers' data masked."""
    number = try_normalize_phone(raw, default_area_code=settings.POSTDESK_DEFAULT_AREA_CODE)
    if number is None:
        return None
    customers = customers_by_phone(raw=raw, user=user)
    # The customer's other numbers count too: the same person calls from home and mobile.
    phones = {number} | {p.number for c in customers for p in c.phones.all()}
    orders = READERS.orders_of_caller(user, sorted(phones), [c.pk for c in customers], limit)
    by_waybill: dict[str, list[str]] = {}
    for order in orders:
        waybill = normalize_waybill(order.waybill_no or "")
        if waybill:
            by_waybill.setdefault(waybill, []).append(order.number)
    items = items_for_waybills(user=user, waybills=list(by_waybill))
    shown = {i.waybill_no for i in items}
    calls = READERS.calls_from_number(user, number, 10)
    return PhoneParcels(
        phone=number,
        display=display_phone(number),
        customers=[customer_card(customer=c, full=False) for c in customers],
        work_orders=orders,
        parcels=[PhoneParcel(item=i, work_orders=by_waybill[i.waybill_no]) for i in items],
        calls=calls,
        unknown_waybills=[w for w in by_waybill if w not in shown],
    )


def import_runs(*, limit: int = 50) -> list[ImportRun]:
    return list(ImportRun.objects.order_by("-created_at", "-id")[:limit])
