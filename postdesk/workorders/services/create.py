"""Intake 受理: opening a work order, with its number, public reference and deadlines."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import nullcontext
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.core import rows
from postdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from postdesk.core.phones import InvalidPhone, normalize_phone
from postdesk.customers.models import Customer
from postdesk.org.models import Role, User
from postdesk.org.selectors import scope_for
from postdesk.workorders import flows, search
from postdesk.workorders.models import DayCounter, Priority, WorkOrder, WorkOrderEvent
from postdesk.workorders.public_ref import new_public_ref
from postdesk.workorders.services._common import can_see, role_of, set_due
from postdesk.workorders.services.routing import route_for_intake
from postdesk.workorders.sla import deadline, policy_for

TYPES = frozenset(code for code, _zh, _en in flows.WORK_ORDER_TYPES)
COMPLAINT_SUBTYPES = frozenset(code for code, _zh, _en in flows.COMPLAINT_SUBTYPES)
BOOKING_KINDS = frozenset({"air_ticket", "coach_ticket", "event_ticket", "logistics"})
#: how the order came in, kept as `details["channel"]` (what reports count by channel);
#: an order without one is told apart by its call or 12305 reference (`reports.sections`)
INTAKE_CHANNELS = frozenset({"phone", "web", "sms", "walk_in"})
PUBLIC_REF_ATTEMPTS = 5
INTAKE_ROLES = frozenset({Role.AGENT, Role.LEAD, Role.DIRECTOR})
DETAIL_KEYS = frozenset(
    {
        "address",
        "contact",
        "window",
        "window_start",  # ISO 8601 with offset, when the window is known as instants
        "window_end",
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
    """`YYYYMMDD` + a five-digit sequence of that local day: the counter upsert.

    On PostgreSQL, outside a caller's transaction, it is a transaction of its own
    committed without waiting for the disk (`synchronous_commit = off`), so the day's
    counter row is locked only for the upsert and not for the whole intake and its flush
    (concurrent intakes queue on that row: ARCHITECTURE.md, "Hot paths"). The
    intake's own commit, which does wait, is written to the log after it, so an order
    that survives a crash has its counter step too (a number can be skipped, never given
    twice). On SQLite, whose one writer holds the whole database anyway, and inside a
    caller's transaction, the upsert is part of that transaction."""
    day = timezone.localtime(now).strftime("%Y%m%d")
    own = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic() if own else nullcontext(), connection.cursor() as cursor:
        if own:
            cursor.execute("SET LOCAL synchronous_commit = off")
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
    channel: str = "",
    now: datetime | None = None,
) -> WorkOrder:
    """Open a work order. The actor becomes its first-contact owner 首问负责. `channel`
    (one of `INTAKE_CHANNELS`, e.g. "web" for the public portal) is kept in the details."""
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
    if channel and channel not in INTAKE_CHANNELS:
        errors["channel"] = _("Unknown intake channel.")
    elif channel:
        clean_details["channel"] = channel
    route_status: str = ""
    routing: dict[str, Any] = {}
    if not errors:
        try:
            route_status, routing = route_for_intake(type=type, details=clean_details)
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
        route_status=route_status,
        routing=routing,
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
    # the text is segmented before the transaction (SQLite's one writer waits meanwhile)
    tokens = search.order_tokens(order)
    number = _next_number(now) if connection.vendor == "postgresql" else ""
    for attempt in range(PUBLIC_REF_ATTEMPTS):
        try:
            with transaction.atomic():
                order.number = number or _next_number(now)
                rows.add(order)
                event.order = order
                rows.add(event)
                search.index_order(order, fresh=True, tokens=tokens)
        except IntegrityError as exc:
            # the public reference drawn is taken (about one in 10⁶ intakes at a million
            # orders): draw again (SQLite takes the number again, rolled back with it)
            if "public_ref" not in str(exc) or attempt == PUBLIC_REF_ATTEMPTS - 1:
                raise
            order.pk = None
            order.public_ref = new_public_ref()
        else:
            order.created_event = event  # type: ignore[attr-defined]  # the timeline so far
            return order
    raise AssertionError("unreachable")  # pragma: no cover


def _counter_upsert_sql() -> str:
    counter = DayCounter._meta.db_table
    return (
        f"INSERT INTO {counter} (day, last) VALUES (%s, 1) "  # noqa: S608 — our model's table; values bound
        f"ON CONFLICT (day) DO UPDATE SET last = {counter}.last + 1 RETURNING last"
    )
