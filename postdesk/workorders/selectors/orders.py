"""Reads of work orders, always through the reader's scope (outside it: NotFound)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.core.errors import NotFound, ValidationFailed
from postdesk.core.paging import page_start
from postdesk.core.periods import local_midnight
from postdesk.core.phones import try_normalize_phone
from postdesk.org.models import Role, Unit, User
from postdesk.org.selectors import scope_for
from postdesk.workorders import flows, search
from postdesk.workorders.models import WorkOrder, WorkOrderEvent
from postdesk.workorders.services._common import (
    can_see,
    is_breached,
    role_of,
    viewer_actions,
)

OPEN_STATUSES = sorted(flows.open_statuses())
PAGE_SIZE = 25
#: Lists count exactly up to these numbers and then say "more than" (a keyword matching a
#: third of a million orders needs no exact total to show its first page).
COUNT_CAP = 100_000
KEYWORD_COUNT_CAP = 10_000
#: How many of the newest keyword matches a list page is first looked for among.
KEYWORD_CANDIDATES = 1000
#: A list narrower than those matches tests this many of its own newest orders at most,
#: and counts the matches among this many.
KEYWORD_PROBE_ROWS = 20_000
KEYWORD_COUNT_PROBES = 1_000
PROBE_FIRST_CHUNK = 64
MAX_PAGE_SIZE = 100
LIST_FIELDS = (
    "id",
    "number",
    "type",
    "subtype",
    "priority",
    "status",
    "title",
    "caller_phone",
    "caller_name",
    "waybill_no",
    "handling_unit_id",
    "intake_unit_id",
    "owner_id",
    "assignee_id",
    "due_at",
    "breached",
    "escalation_level",
    "created_at",
    "reopen_count",
)


def work_orders_visible(*, user: User) -> QuerySet[WorkOrder]:
    scope = scope_for(user=user)
    orders = WorkOrder.objects.all()
    if scope.everything:
        return orders
    ids = list(scope.unit_ids)
    if not ids:
        return orders.none()
    if role_of(user) == Role.HANDLER:
        # Assisting is rare: fetch those ids first so the condition stays two index scans.
        through = WorkOrder.assisting_units.through
        assisted = list(
            through.objects.filter(unit_id__in=ids).values_list("workorder_id", flat=True)
        )
        if not assisted:
            return orders.filter(handling_unit_id__in=ids)
        return orders.filter(Q(handling_unit_id__in=ids) | Q(pk__in=assisted))
    return orders.filter(Q(handling_unit_id__in=ids) | Q(intake_unit_id__in=ids))


def work_order_get(*, user: User, number: str) -> WorkOrder:
    order = (
        WorkOrder.objects.select_related(
            "handling_unit", "owner", "intake_unit", "parent", "assignee"
        )
        .filter(number=number)
        .first()
    )
    if order is None:
        raise NotFound()
    assisting = list(order.assisting_units.all())
    if not can_see(user, order, [u.pk for u in assisting]):
        raise NotFound()
    order._assisting = assisting  # type: ignore[attr-defined]
    return order


def work_order_events(*, order: WorkOrder) -> list[WorkOrderEvent]:
    return list(order.events.select_related("actor", "unit").order_by("at", "id"))


def work_order_allowed_actions(*, user: User, order: WorkOrder) -> list[str]:
    return viewer_actions(user, order)


def work_order_overdue(*, order: WorkOrder, now: datetime | None = None) -> bool:
    return is_breached(order, now or timezone.now())


@dataclass
class ListFilters:
    type: str = ""
    status: str = ""  # a status, "open", or a comma list
    unit: str = ""  # handling unit code
    overdue: bool | None = None
    escalated: bool | None = None
    due_before: datetime | None = None
    waybill: str = ""
    phone: str = ""
    created_from: date | None = None
    created_to: date | None = None
    q: str = ""
    mine: bool = False
    #: 指派: "me" (assigned to the reader), "none" (unassigned) or a username
    assignee: str = ""
    #: 标签: a tag's id or name (`services.tags.tag_lookup`; archived ones too)
    tag: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not any(
            [
                self.type,
                self.status,
                self.unit,
                self.overdue is not None,
                self.escalated is not None,
                self.due_before,
                self.waybill,
                self.phone,
                self.created_from,
                self.created_to,
                self.q,
                self.mine,
                self.assignee,
                self.tag,
            ]
        )


def _filtered(user: User, f: ListFilters, now: datetime) -> QuerySet[WorkOrder]:
    orders = work_orders_visible(user=user)
    if f.type:
        orders = orders.filter(type=f.type)
    if f.status:
        statuses = OPEN_STATUSES if f.status == "open" else f.status.split(",")
        orders = (
            orders.filter(status__in=statuses)
            if len(statuses) > 1
            else orders.filter(status=statuses[0])
        )
    if f.unit:
        unit = Unit.objects.filter(code=f.unit).only("id").first()
        if unit is None:
            raise ValidationFailed(fields={"unit": _("Unknown unit.")})
        orders = orders.filter(handling_unit_id=unit.pk)
    if f.overdue is True:
        orders = orders.filter(status__in=OPEN_STATUSES, due_at__lte=now)
    elif f.overdue is False:
        orders = orders.filter(Q(due_at__gt=now) | Q(due_at__isnull=True))
    if f.escalated is True:
        orders = orders.filter(escalation_level__gt=0)
    if f.due_before is not None:
        orders = orders.filter(due_at__lte=f.due_before)
    if f.waybill:
        orders = orders.filter(waybill_no=f.waybill.strip().upper())
    if f.phone:
        number = try_normalize_phone(f.phone, default_area_code=settings.POSTDESK_DEFAULT_AREA_CODE)
        orders = orders.filter(caller_phone=number or f.phone.strip())
    if f.created_from:
        orders = orders.filter(created_at__gte=local_midnight(f.created_from))
    if f.created_to:
        orders = orders.filter(created_at__lt=local_midnight(f.created_to + timedelta(days=1)))
    if f.mine:
        orders = orders.filter(owner_id=user.pk)
    if f.assignee:
        orders = _by_assignee(orders, user, f.assignee)
    if f.tag:
        from postdesk.workorders.services.tags import tag_lookup

        tag = tag_lookup(f.tag, for_adding=False)
        orders = orders.filter(tag_links__tag_id=tag.pk)  # one row per (order, tag)
    if f.q:
        orders = search.filter_keyword(orders, f.q)
    return orders


def _by_assignee(orders: QuerySet[WorkOrder], user: User, assignee: str) -> QuerySet[WorkOrder]:
    """`assignee`: "me", "none" (nobody assigned), or a username (an unknown one: none)."""
    if assignee == "me":
        return orders.filter(assignee_id=user.pk)
    if assignee == "none":
        return orders.filter(assignee__isnull=True)
    return orders.filter(assignee__username=assignee)


def work_orders_filtered(
    *, user: User, filters: ListFilters, now: datetime | None = None
) -> QuerySet[WorkOrder]:
    """Every order of the list page's filters in the user's scope (exports read it)."""
    return _filtered(user, filters, now or timezone.now())


def _estimated_total() -> int:
    """The table's size from the planner's statistics (PostgreSQL) or the highest id."""
    table = WorkOrder._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
            row = cursor.fetchone()
            if row and row[0] and row[0] > 0:
                return int(row[0])
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 — our table and columns; values bound
        row = cursor.fetchone()
        return int(row[0]) if row else 0


GENERAL, NEWEST, PROBED = "general", "newest", "probed"


@dataclass
class Page:
    count: int
    count_exact: bool
    page: int
    page_size: int
    results: list[WorkOrder]
    #: how a keyword page was found: GENERAL (the `IN (subquery)` filter), NEWEST (among
    #: the newest matches) or PROBED (the list's own newest orders tested); tests assert it
    way: str = GENERAL
    #: the count is the planner's estimate of the whole table ("about"), not a floor
    estimated: bool = False


def work_orders_list(
    *,
    user: User,
    filters: ListFilters,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    now: datetime | None = None,
) -> Page:
    """One page of orders (newest first) with the total.

    The total is an exact COUNT over the filtered, indexed rows; only the unfiltered list
    of a user who sees everything uses the planner's estimate, so nobody waits for a
    COUNT(*) over a million rows to see the first page.
    """
    now = now or timezone.now()
    page = max(int(page), 1)
    page_size = min(max(int(page_size), 1), MAX_PAGE_SIZE)
    start = page_start(page, page_size)
    if filters.q and start + page_size <= KEYWORD_CANDIDATES // 2:
        fast = _keyword_page(user, filters, now, start, page_size)
        if fast is not None:
            return Page(fast[0], fast[1], page, page_size, fast[2], fast[3])
    orders = _filtered(user, filters, now)
    rows = _page_rows(orders, start, page_size)
    if filters.is_empty() and scope_for(user=user).everything:
        estimate = _estimated_total()
        if estimate > COUNT_CAP:  # a small table is counted below: an estimate would be a guess
            return Page(estimate, False, page, page_size, rows, estimated=True)
    if page == 1 and len(rows) < page_size:
        return Page(len(rows), True, page, page_size, rows)
    cap = KEYWORD_COUNT_CAP if filters.q else COUNT_CAP
    counted = orders.order_by().values("pk")[: cap + 1].count()
    return Page(min(counted, cap), counted <= cap, page, page_size, rows)


def _keyword_page(
    user: User, filters: ListFilters, now: datetime, start: int, page_size: int
) -> tuple[int, bool, list[WorkOrder], str] | None:
    """A keyword page without collecting every match (None: use the general path).

    First among the newest matching orders (`search.newest_matching_ids`): a full page
    found among them is the true page (they are every match newer than the oldest of
    them), and when they are all the matches there are, their count is exact too, else
    it is "at least". A filter narrower than they fill (a unit's open orders and a
    common word) reads its own orders newest first instead (`_probed_page`)."""
    newest = search.newest_matching_ids(filters.q, limit=KEYWORD_CANDIDATES)
    if newest is None:
        return None
    plain = _filtered(user, replace(filters, q=""), now)
    orders = plain.filter(pk__in=newest.ids)
    rows = _page_rows(orders, start, page_size)
    if len(rows) == page_size or newest.complete:
        return orders.order_by().count(), newest.complete, rows, NEWEST
    return _probed_page(plain, filters.q, start, page_size)


def _probed_page(
    plain: QuerySet[WorkOrder], q: str, start: int, page_size: int
) -> tuple[int, bool, list[WorkOrder], str] | None:
    """The page from the filtered orders themselves, newest first, each order tested
    against its document (`search.matching_among`), in growing chunks until the page is
    found and `KEYWORD_COUNT_PROBES` orders are tested (or all of them), among the
    newest `KEYWORD_PROBE_ROWS` at most (None when those hold less than the page and
    older orders remain). The count is exact when every order was tested, else "at
    least": the matches among those tested.

    The first chunk is read by walking an index newest first (a page is often there);
    the rest of the window in one statement (walking a filter that no index keeps in id
    order, say open complaints, reads many rows per order found)."""
    newest_first = plain.order_by("-id").values_list("pk", flat=True)
    window = [int(i) for i in newest_first[:PROBE_FIRST_CHUNK]]
    if len(window) == PROBE_FIRST_CHUNK:
        window = [int(i) for i in newest_first[: KEYWORD_PROBE_ROWS + 1]]
    every = len(window) <= KEYWORD_PROBE_ROWS
    window = window[:KEYWORD_PROBE_ROWS]
    matched: list[int] = []
    tested, size = 0, PROBE_FIRST_CHUNK
    while tested < len(window):
        ids = window[tested : tested + size]
        hits = search.matching_among(q, ids)
        matched += [i for i in ids if i in hits]
        tested, size = tested + len(ids), size * 4
        if len(matched) >= start + page_size and tested >= KEYWORD_COUNT_PROBES:
            break
    every = every and tested == len(window)
    if len(matched) < start + page_size and not every:
        return None  # fewer than the page among the newest tested, and older ones remain
    page_ids = matched[start : start + page_size]
    rows = _page_rows(plain.filter(pk__in=page_ids), 0, page_size) if page_ids else []
    return len(matched), every, rows, PROBED


#: The related columns a list row shows: its unit and its assignee's name.
ROW_RELATED = ("handling_unit", "assignee")
ROW_RELATED_FIELDS = (
    "handling_unit__code",
    "handling_unit__name",
    "assignee__username",
    "assignee__display_name",
)


def _page_rows(orders: QuerySet[WorkOrder], start: int, page_size: int) -> list[WorkOrder]:
    return list(
        orders.select_related(*ROW_RELATED)
        .only(*LIST_FIELDS, *ROW_RELATED_FIELDS)
        .order_by("-id")[start : start + page_size]
    )


#: The newest open orders on an identifier that the duplicate check reads before it
#: applies the reader's scope: more than this many open orders of one type for one caller
#: or waybill outside the reader's units would hide older ones inside (no centre's day).
DUPLICATE_CANDIDATES = 200


def work_order_duplicates(
    *,
    user: User,
    type: str,
    caller_phone: str = "",
    waybill_no: str = "",
    exclude_id: int | None = None,
) -> list[str]:
    """Numbers of open orders of the same type for this waybill or caller (offer to link
    or merge instead); newest first, at most ten, within the reader's scope.

    Every intake asks this, so it is one statement by hand: each identifier through its
    own index (`wo_phone_type`, `wo_waybill_type`), joined by UNION ALL (written as one
    OR with ORDER BY … LIMIT, SQLite without statistics walks every order of the type),
    and the scope rule applied to the few rows found (`can_see`, as for one order)."""
    phone = (
        try_normalize_phone(caller_phone, default_area_code=settings.POSTDESK_DEFAULT_AREA_CODE)
        if caller_phone
        else None
    )
    waybill = (waybill_no or "").strip().upper()
    by: list[tuple[str, str]] = []
    if phone:
        by.append(("caller_phone", phone))
    if waybill:
        by.append(("waybill_no", waybill))
    if not by:
        return []
    table = WorkOrder._meta.db_table
    union = " UNION ALL ".join(
        f"SELECT id FROM {table} WHERE {col} = %s AND type = %s"  # noqa: S608 — our table and columns; values bound
        for col, _v in by
    )
    statuses = ", ".join(["%s"] * len(OPEN_STATUSES))
    sql = (
        f"SELECT id, number, handling_unit_id, intake_unit_id FROM {table} "  # noqa: S608 — our table and columns; values bound
        f"WHERE id IN ({union}) AND status IN ({statuses}) AND id <> %s "
        "ORDER BY id DESC LIMIT %s"
    )
    params: list[Any] = [v for _col, value in by for v in (value, type)]
    params += [*OPEN_STATUSES, exclude_id or 0, DUPLICATE_CANDIDATES]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return []
    if scope_for(user=user).everything:
        return [str(number) for _id, number, _h, _i in rows[:10]]
    assisting: dict[int, list[int]] = {}
    if role_of(user) == Role.HANDLER:
        through = WorkOrder.assisting_units.through
        for order_id, unit_id in through.objects.filter(
            workorder_id__in=[r[0] for r in rows]
        ).values_list("workorder_id", "unit_id"):
            assisting.setdefault(order_id, []).append(unit_id)
    numbers: list[str] = []
    for order_id, number, handling_unit_id, intake_unit_id in rows:
        probe = WorkOrder(
            id=order_id, handling_unit_id=handling_unit_id, intake_unit_id=intake_unit_id
        )
        if can_see(user, probe, assisting.get(order_id, ())):
            numbers.append(str(number))
            if len(numbers) == 10:
                break
    return numbers


def work_orders_open_for_caller(
    *, user: User, phones: list[str], customer_ids: list[int], limit: int = 10
) -> list[WorkOrder]:
    """The caller's unfinished orders (screen pop): by canonical phone or customer,
    nearest deadline first, within the reader's scope."""
    phones = [p for p in phones if p]
    if not phones and not customer_ids:
        return []
    condition = Q(caller_phone__in=phones) if phones else Q(pk__in=[])
    if customer_ids:
        condition |= Q(customer_id__in=customer_ids)
    orders = work_orders_visible(user=user).filter(condition, status__in=OPEN_STATUSES)
    return list(orders.order_by(F("due_at").asc(nulls_last=True), "-id")[:limit])


def tracing_unit_for_waybill(*, waybill_no: str) -> str:
    """The code of our unit that last handled the item (newest tracking event at an office
    linked to a unit), or "" when tracking does not know: the agent chooses then."""
    from postdesk.tracking.selectors import waybill_last_unit_code

    return waybill_last_unit_code(waybill_no=waybill_no) if waybill_no.strip() else ""
