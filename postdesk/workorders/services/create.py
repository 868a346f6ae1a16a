"""Intake 受理: opening a work order, with its number, public reference and deadlines."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from postdesk.core.pg import multi_statement_cursor
from postdesk.core.phones import InvalidPhone, normalize_phone
from postdesk.customers.models import Customer
from postdesk.org.models import Role, User
from postdesk.org.selectors import scope_for
from postdesk.workorders import flows, search
from postdesk.workorders.models import DayCounter, Priority, WorkOrder, WorkOrderEvent
from postdesk.workorders.public_ref import new_public_ref
from postdesk.workorders.services._common import can_see, role_of, set_due
from postdesk.workorders.sla import deadline, policy_for

TYPES = frozenset(code for code, _zh, _en in flows.WORK_ORDER_TYPES)
COMPLAINT_SUBTYPES = frozenset(code for code, _zh, _en in flows.COMPLAINT_SUBTYPES)
BOOKING_KINDS = frozenset({"air_ticket", "coach_ticket", "event_ticket", "logistics"})
PUBLIC_REF_ATTEMPTS = 5
INTAKE_ROLES = frozenset({Role.AGENT, Role.LEAD, Role.DIRECTOR})
DETAIL_KEYS = frozenset(
    {
        "address",
        "contact",
        "window",
        "item",
        "weight",
        "pieces",
        "booking_kind",
        "booking_details",
        "travel_date",
        "quantity",
    }
)


def _next_number(now: datetime) -> str:
    """`YYYYMMDD` + a five-digit sequence of that local day: one atomic upsert."""
    day = timezone.localtime(now).strftime("%Y%m%d")
    with connection.cursor() as cursor:
        cursor.execute(_counter_upsert_sql(), [day])
        (seq,) = cursor.fetchone()
    return f"{day}{int(seq):05d}"


def _validate_waybill(raw: str) -> str:
    """Upper-cased and checked for form (S10 or 10–20 letters and digits). A wrong S10
    check digit is not refused here: callers misread numbers, and the order is still
    worth taking; the form warns about it (`waybill_check_ok`)."""
    from postdesk.tracking.waybill import OTHER_RE, S10_RE, normalize_waybill

    number = normalize_waybill(raw).replace(" ", "")
    if not (S10_RE.match(number) or OTHER_RE.match(number)):
        raise ValidationFailed(fields={"waybill_no": _("This is not a valid waybill number.")})
    return number


def waybill_check_ok(number: str) -> bool:
    from postdesk.tracking.waybill import is_valid_waybill

    return is_valid_waybill(number)


def _clean_details(type: str, details: Mapping[str, Any] | None) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for key, value in (details or {}).items():
        if key not in DETAIL_KEYS or value is None:
            continue
        text = str(value).strip()[:300]
        if text:
            cleaned[key] = text
    if type == "booking" and cleaned.get("booking_kind", "") not in BOOKING_KINDS | {""}:
        raise ValidationFailed(fields={"booking_kind": _("Unknown kind of booking.")})
    return cleaned


def work_order_create(
    *,
    actor: User,
    type: str,
    title: str,
    subtype: str = "",
    description: str = "",
    caller_phone: str = "",
    caller_name: str = "",
    waybill_no: str = "",
    priority: str = "",
    customer_id: int | None = None,
    call_id: str = "",
    details: Mapping[str, Any] | None = None,
    regulator_ref: str = "",
    regulator_due_at: datetime | None = None,
    parent: WorkOrder | None = None,
    now: datetime | None = None,
) -> WorkOrder:
    """Open a work order. The actor becomes its first-contact owner 首问负责."""
    role = role_of(actor)
    if role not in INTAKE_ROLES:
        raise PermissionDenied(_("Only centre staff open work orders."))
    errors: dict[str, str] = {}
    if type not in TYPES:
        errors["type"] = _("Unknown work-order type.")
    title = (title or "").strip()
    if not title:
        errors["title"] = _("A work order needs a title.")
    elif len(title) > 200:
        errors["title"] = _("This value is too long.")
    subtype = (subtype or "").strip()
    if type == "complaint" and subtype not in COMPLAINT_SUBTYPES:
        errors["subtype"] = _("Choose the kind of complaint.")
    elif len(subtype) > 30:
        errors["subtype"] = _("This value is too long.")
    priority = priority or Priority.NORMAL
    if priority not in Priority.values:
        errors["priority"] = _("Unknown priority.")
    phone = ""
    if caller_phone and caller_phone.strip():
        try:
            phone = normalize_phone(
                caller_phone, default_area_code=settings.POSTDESK_DEFAULT_AREA_CODE
            )
        except InvalidPhone:
            errors["caller_phone"] = _("This is not a valid phone number.")
    waybill = ""
    if waybill_no and waybill_no.strip():
        try:
            waybill = _validate_waybill(waybill_no)
        except ValidationFailed as exc:
            errors.update({k: str(v) for k, v in exc.fields.items()})
    elif type == "tracing":
        errors["waybill_no"] = _("A tracing inquiry needs the waybill number.")
    if regulator_ref and type != "complaint":
        errors["regulator_ref"] = _("Only a complaint can be a 12305 appeal.")
    if regulator_ref and regulator_due_at is None:
        errors["regulator_due_at"] = _("A 12305 appeal needs its own deadline.")
    if len(description or "") > 20000:
        errors["description"] = _("This value is too long.")
    clean_details = {}
    try:
        clean_details = _clean_details(type, details)
    except ValidationFailed as exc:
        errors.update({k: str(v) for k, v in exc.fields.items()})
    if errors:
        raise ValidationFailed(fields=errors)
    customer_pk: int | None = None
    if customer_id is not None:
        customer = Customer.objects.filter(pk=customer_id).only("id", "unit_id").first()
        scope = scope_for(user=actor)
        if customer is None or not (scope.everything or scope.allows_unit(customer.unit_id)):
            raise ValidationFailed(fields={"customer": _("Unknown customer.")})
        customer_pk = customer.pk
    if parent is not None and not can_see(actor, parent):
        raise NotFound()

    now = now or timezone.now()
    policy = policy_for(type=type, subtype=subtype, priority=priority)
    intake_unit_id = actor.unit_id
    if regulator_ref:
        reply_due = regulator_due_at
    else:
        reply_due = deadline(policy=policy, stage="reply", unit_id=intake_unit_id, start=now)
    order = WorkOrder(
        number="",
        public_ref=new_public_ref(),
        type=type,
        subtype=subtype,
        priority=priority,
        status="new",
        title=title,
        description=(description or "").strip(),
        caller_phone=phone,
        caller_name=(caller_name or "").strip()[:100],
        customer_id=customer_pk,
        call_id=(call_id or "").strip()[:64],
        waybill_no=waybill,
        details=clean_details,
        owner=actor,
        intake_unit_id=intake_unit_id,
        parent=parent,
        regulator_ref=(regulator_ref or "").strip()[:40],
        dispatch_due_at=deadline(
            policy=policy, stage="dispatch", unit_id=intake_unit_id, start=now
        ),
        reply_due_at=reply_due,
        created_at=now,
        updated_at=now,
    )
    set_due(order, now)
    event = WorkOrderEvent(
        at=now,
        actor=actor,
        action="create",
        from_status="",
        to_status="new",
        text=order.description[:2000],
        data={"parent": parent.number} if parent is not None else {},
    )
    # everything that needs no transaction is done before it (SQLite's one writer waits)
    tokens = search.order_tokens(order)
    rows = _Rows(order, event)
    number = ""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        number = _take_number_pg(now)
    for attempt in range(PUBLIC_REF_ATTEMPTS):
        try:
            with transaction.atomic():
                # Inside a caller's transaction the day's counter row stays locked until
                # that commits (other intakes of the day wait): keep such transactions short.
                if connection.vendor == "postgresql":
                    _insert_pg(order, event, rows, now, number=number)
                else:
                    _insert_sqlite(order, event, rows, now)
                search.index_order(order, fresh=True, tokens=tokens)
        except IntegrityError as exc:
            # the public reference drawn is taken (about one in 10⁶ intakes at a million
            # orders): draw again; the day's number, rolled back with it, is taken again
            if "public_ref" not in str(exc) or attempt == PUBLIC_REF_ATTEMPTS - 1:
                raise
            order.public_ref = new_public_ref()
            rows = _Rows(order, event)
        else:
            return order
    raise AssertionError("unreachable")  # pragma: no cover


def _values(obj: Any, skip: frozenset[str]) -> tuple[list[str], list[Any]]:
    """Column names and database values of a new row (as the ORM's insert would send).
    The connection is looked up once: each use of the `connection` proxy costs a
    context-local lookup, and a row of 45 fields made hundreds of them."""
    conn = connections[DEFAULT_DB_ALIAS]
    fields = [f for f in obj._meta.concrete_fields if not f.primary_key and f.attname not in skip]
    columns = [conn.ops.quote_name(f.column) for f in fields]
    values = [f.get_db_prep_save(getattr(obj, f.attname), conn) for f in fields]
    return columns, values


class _Rows:
    """The new order's and its create event's columns and database values, but for the
    order's number and the event's order id (known only inside the transaction)."""

    def __init__(self, order: WorkOrder, event: WorkOrderEvent) -> None:
        self.order_cols, self.order_vals = _values(order, frozenset({"number"}))
        self.event_cols, self.event_vals = _values(event, frozenset({"order_id"}))


def _counter_upsert_sql() -> str:
    counter = DayCounter._meta.db_table
    return (
        f"INSERT INTO {counter} (day, last) VALUES (%s, 1) "
        f"ON CONFLICT (day) DO UPDATE SET last = {counter}.last + 1 RETURNING last"
    )


def _take_number_pg(now: datetime) -> str:
    """The next number of the day from a transaction of its own, committed without
    waiting for the disk, so the counter row is locked for microseconds instead of for
    the whole intake and its flush (concurrent intakes would queue on it).

    Never a number twice: the intake's own commit is flushed after this one's (the log
    is written in order), so an order that survives a crash has its counter step too.
    A number can be skipped (the intake failed after taking it, or a crash lost both):
    numbers are unique and increasing, not gap-free."""
    day = timezone.localtime(now).strftime("%Y%m%d")
    with multi_statement_cursor() as raw:
        raw.execute(
            "BEGIN; SET LOCAL synchronous_commit = off; " + _counter_upsert_sql() + "; COMMIT",
            [day],
        )
        raw.nextset()  # past BEGIN to SET
        raw.nextset()  # past SET to the upsert's row
        row = raw.fetchone()
    assert row is not None
    return f"{day}{int(row[0]):05d}"


def _inserted(obj: Any, pk: int) -> None:
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias


def _insert_sqlite(order: WorkOrder, event: WorkOrderEvent, rows: _Rows, now: datetime) -> None:
    """The day's number, the order and its create event: three short statements (SQLite's
    one writer holds the database meanwhile, so nothing else is done in between)."""
    q = connection.ops.quote_name
    order.number = _next_number(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(WorkOrder._meta.db_table)} ({', '.join(rows.order_cols)}, number) "
            f"VALUES ({', '.join(['%s'] * (len(rows.order_vals) + 1))})",
            [*rows.order_vals, order.number],
        )
        _inserted(order, cursor.lastrowid)
        cursor.execute(
            f"INSERT INTO {q(WorkOrderEvent._meta.db_table)} "
            f"({', '.join(rows.event_cols)}, order_id) "
            f"VALUES ({', '.join(['%s'] * (len(rows.event_vals) + 1))})",
            [*rows.event_vals, order.pk],
        )
        event.order = order
        _inserted(event, cursor.lastrowid)


def _insert_pg(
    order: WorkOrder, event: WorkOrderEvent, rows: _Rows, now: datetime, *, number: str
) -> None:
    """Order and its create event in one statement (one round trip); without a `number`
    the day's counter upsert in the same statement feeds it. The order's id feeds the
    event."""
    day = timezone.localtime(now).strftime("%Y%m%d")
    q = connection.ops.quote_name
    numbered = (
        "c AS (SELECT %s::text AS number)"
        if number
        else (
            f"n AS ({_counter_upsert_sql()}), c AS (SELECT %s || CASE WHEN n.last < 100000 "
            "THEN lpad(n.last::text, 5, '0') ELSE n.last::text END AS number FROM n)"
        )
    )
    sql = (
        f"WITH {numbered}, "
        f"o AS (INSERT INTO {q(WorkOrder._meta.db_table)} ({', '.join(rows.order_cols)}, number) "
        f"SELECT {', '.join(['%s'] * len(rows.order_vals))}, c.number "
        "FROM c RETURNING id, number), "
        f"e AS (INSERT INTO {q(WorkOrderEvent._meta.db_table)} "
        f"({', '.join(rows.event_cols)}, order_id) "
        f"SELECT {', '.join(['%s'] * len(rows.event_vals))}, o.id FROM o RETURNING id) "
        "SELECT o.id, o.number, e.id FROM o, e"
    )
    with connection.cursor() as cursor:
        head = [number] if number else [day, day]
        cursor.execute(sql, [*head, *rows.order_vals, *rows.event_vals])
        order_id, number, event_id = cursor.fetchone()
    order.number = number
    _inserted(order, order_id)
    event.order = order
    _inserted(event, event_id)
