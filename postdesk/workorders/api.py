"""REST API of work orders (/api/v1/workorders/): thin — parse, call one service or
selector, shape the answer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.params.functions import Query
from pydantic import Field

from postdesk.core.api_input import read_json
from postdesk.core.auth import STAFF_AUTH
from postdesk.core.errors import ValidationFailed
from postdesk.core.idempotency import idempotent
from postdesk.core.masking import mask_name, mask_phone
from postdesk.core.phones import display_phone
from postdesk.core.request import client_ip
from postdesk.org.models import User
from postdesk.org.request import staff_user
from postdesk.workorders import selectors
from postdesk.workorders.api_tags import TagOut, tag_out
from postdesk.workorders.models import Tag, WorkOrder, WorkOrderEvent
from postdesk.workorders.selectors_filters import builtin_filters, saved_filters_list
from postdesk.workorders.selectors_to_route import work_orders_to_route
from postdesk.workorders.services import (
    pickup_dispatch_routed,
    saved_filter_create,
    saved_filter_delete,
    work_order_act,
    work_order_assign,
    work_order_caller_reveal,
    work_order_create,
    work_orders_bulk_act,
)

router = Router(auth=STAFF_AUTH, tags=["work orders"])


class CreateIn(Schema):
    type: str = Field(max_length=20)
    subtype: str = Field("", max_length=30)
    title: str = Field(max_length=200)
    description: str = Field("", max_length=20000)
    caller_phone: str = Field("", max_length=40)
    caller_name: str = Field("", max_length=100)
    waybill_no: str | None = Field(None, max_length=40)
    priority: str | None = Field(None, max_length=10)
    customer: int | None = None
    call: str = Field("", max_length=64)
    details: dict[str, Any] | None = None
    regulator_ref: str = Field("", max_length=40)
    regulator_due_at: datetime | None = None
    parent: str | None = Field(None, max_length=20)
    # a pickup whose address routes to one unit: dispatch it there at once (issue 14)
    dispatch_routed: bool = False


class EventOut(Schema):
    """One step of a work order's timeline (an audit event)."""

    at: str | None
    actor: str | None
    action: str
    from_: str = Field(alias="from")
    to: str
    text: str
    unit: str | None
    data: dict[str, Any]


class OrderOut(Schema):
    """A work order in a list: the caller masked."""

    number: str
    type: str
    subtype: str
    priority: str
    status: str
    title: str
    handling_unit: str | None
    due_at: str | None
    breached: bool
    escalation_level: int
    caller_phone: str
    caller_name: str
    waybill_no: str
    created_at: str | None
    assignee: str | None  # 指派: the handler of the unit who works it (username)
    assignee_name: str
    tags: list[TagOut]  # 标签, in the order they were put on


class OrderDetailOut(OrderOut):
    """One work order with its timeline and the actions the user may take now."""

    public_ref: str
    description: str
    customer: int | None
    call: str
    details: dict[str, Any]
    route_status: str
    routing: dict[str, Any]
    owner: str | None
    assisting_units: list[str]
    parent: str | None
    regulator_ref: str
    ruling: str
    ruling_state: str
    satisfaction: str
    reopen_count: int
    version: int
    reply_due_at: str | None
    accept_due_at: str | None
    feedback_due_at: str | None
    dispatch_due_at: str | None
    replied_at: str | None
    closed_at: str | None
    allowed_actions: list[str]
    events: list[EventOut]


class OrderCreatedOut(OrderDetailOut):
    possible_duplicates: list[str]  # open orders that look alike (the caller, the waybill)


class OrderPageOut(Schema):
    count: int
    count_exact: bool
    page: int
    page_size: int
    results: list[OrderOut]


class CallerOut(Schema):
    number: str
    caller_phone: str
    caller_name: str
    customer: int | None
    logged: bool


class AssignIn(Schema):
    """指派 / 领取: the handler of the handling unit to work the order (a username; null
    takes the assignment back); `version` as on the actions (a stale one is 409)."""

    assignee: str | None = Field(max_length=150)
    version: int | None = None


class ToRouteOut(Schema):
    number: str
    title: str
    status: str
    route_status: str
    reason: str
    reason_text: str
    place: str
    candidates: list[str]
    created_at: str | None


class ToRouteListOut(Schema):
    results: list[ToRouteOut]


def _iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _event(e: WorkOrderEvent) -> dict[str, Any]:
    return {
        "at": _iso(e.at),
        "actor": e.actor.get_username() if e.actor else None,
        "action": e.action,
        "from": e.from_status,
        "to": e.to_status,
        "text": e.text,
        "unit": e.unit.code if e.unit else None,
        "data": e.data,
    }


def _summary(order: WorkOrder, now: datetime, tags: list[Tag]) -> dict[str, Any]:
    return {
        "number": order.number,
        "type": order.type,
        "subtype": order.subtype,
        "priority": order.priority,
        "status": order.status,
        "title": order.title,
        "handling_unit": order.handling_unit.code if order.handling_unit is not None else None,
        "due_at": _iso(order.due_at),
        "breached": selectors.work_order_overdue(order=order, now=now),
        "escalation_level": order.escalation_level,
        "caller_phone": mask_phone(display_phone(order.caller_phone)) if order.caller_phone else "",
        "caller_name": mask_name(order.caller_name),
        "waybill_no": order.waybill_no,
        "created_at": _iso(order.created_at),
        "assignee": order.assignee.get_username() if order.assignee is not None else None,
        "assignee_name": str(order.assignee) if order.assignee is not None else "",
        "tags": [tag_out(t) for t in tags],
    }


def _assisting(order: WorkOrder) -> list[Any]:
    known = getattr(order, "_assisting", None)  # loaded by the selector, or [] for a new order
    return list(known) if known is not None else list(order.assisting_units.all())


def _detail(
    user: User,
    order: WorkOrder,
    *,
    events: list[WorkOrderEvent] | None = None,
    duplicates: list[str] | None = None,
) -> dict[str, Any]:
    now = timezone.now()
    data = _summary(order, now, selectors.work_order_tags(order=order))
    data.update(
        {
            "public_ref": order.public_ref,
            "description": order.description,
            "customer": order.customer_id,
            "call": order.call_id,
            "details": order.details,
            "route_status": order.route_status,
            "routing": order.routing,
            "owner": order.owner.get_username() if order.owner_id and order.owner else None,
            "assisting_units": [u.code for u in _assisting(order)],
            "parent": order.parent.number if order.parent_id and order.parent else None,
            "regulator_ref": order.regulator_ref,
            "ruling": order.ruling,
            "ruling_state": order.ruling_state,
            "satisfaction": order.satisfaction,
            "reopen_count": order.reopen_count,
            "version": order.version,
            "reply_due_at": _iso(order.reply_due_at),
            "accept_due_at": _iso(order.accept_due_at),
            "feedback_due_at": _iso(order.feedback_due_at),
            "dispatch_due_at": _iso(order.dispatch_due_at),
            "replied_at": _iso(order.replied_at),
            "closed_at": _iso(order.closed_at),
            "allowed_actions": selectors.work_order_allowed_actions(user=user, order=order),
            "events": [
                _event(e)
                for e in (
                    events if events is not None else selectors.work_order_events(order=order)
                )
            ],
        }
    )
    if duplicates is not None:
        data["possible_duplicates"] = duplicates
    return data


@router.post(
    "/",
    response={201: OrderCreatedOut},
    by_alias=True,
    summary="Open a work order",
)
@idempotent
def create(request: HttpRequest, payload: CreateIn) -> Status[dict[str, Any]]:
    user = staff_user(request)
    parent = selectors.work_order_get(user=user, number=payload.parent) if payload.parent else None
    duplicates = selectors.work_order_duplicates(
        user=user,
        type=payload.type,
        caller_phone=payload.caller_phone,
        waybill_no=payload.waybill_no or "",
    )
    order = work_order_create(
        actor=user,
        type=payload.type,
        subtype=payload.subtype,
        title=payload.title,
        description=payload.description,
        caller_phone=payload.caller_phone,
        caller_name=payload.caller_name,
        waybill_no=payload.waybill_no or "",
        priority=payload.priority or "",
        customer_id=payload.customer,
        call_id=payload.call,
        details=payload.details,
        regulator_ref=payload.regulator_ref,
        regulator_due_at=payload.regulator_due_at,
        parent=parent,
    )
    dispatched = pickup_dispatch_routed(actor=user, order=order, confirm=payload.dispatch_routed)
    if dispatched is not None:
        order = selectors.work_order_get(user=user, number=dispatched.number)
        return Status(201, _detail(user, order, duplicates=duplicates))
    order._assisting = []  # type: ignore[attr-defined]  # a new order has no assisting unit
    # the timeline is the create event the service stored: the answer is the GET's
    events = [order.created_event]  # type: ignore[attr-defined]
    return Status(201, _detail(user, order, events=events, duplicates=duplicates))


@router.get(
    "/to-route/",
    response=ToRouteListOut,
    summary="The team lead's 'to be routed' queue (pick the unit with the dispatch action)",
)
def to_route(request: HttpRequest) -> dict[str, Any]:
    user = staff_user(request)
    rows = work_orders_to_route(user=user)
    return {
        "results": [
            {
                "number": r.order.number,
                "title": r.order.title,
                "status": r.order.status,
                "route_status": r.order.route_status,
                "reason": r.reason,
                "reason_text": r.reason_text,
                "place": r.place,
                "candidates": [u.code for u in r.candidates],
                "created_at": _iso(r.order.created_at),
            }
            for r in rows
        ]
    }


def _parse_bool(value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ValidationFailed(fields={"overdue": _("Use true or false.")})


@router.get("/", response=OrderPageOut, summary="List work orders")
def list_orders(
    request: HttpRequest,
    type: str = "",
    status: str = "",
    unit: str = "",
    overdue: str | None = None,
    escalated: str | None = None,
    q: str = "",
    waybill: str = "",
    phone: str = "",
    created_from: date | None = None,
    created_to: date | None = None,
    mine: bool = False,
    assignee: str = Query("", max_length=150, description='"me", "none" or a username'),
    tag: str = Query("", max_length=200, description="a tag's id or name (标签)"),
    page: int = 1,
    page_size: int = selectors.PAGE_SIZE,
) -> dict[str, Any]:
    user = staff_user(request)
    filters = selectors.ListFilters(
        type=type,
        status=status,
        unit=unit,
        overdue=_parse_bool(overdue),
        escalated=_parse_bool(escalated),
        q=q[:200],
        waybill=waybill,
        phone=phone,
        created_from=created_from,
        created_to=created_to,
        mine=mine,
        assignee=assignee.strip(),
        tag=tag.strip(),
    )
    result = selectors.work_orders_list(user=user, filters=filters, page=page, page_size=page_size)
    now = timezone.now()
    tags = selectors.tags_of_orders(orders=result.results)
    return {
        "count": result.count,
        "count_exact": result.count_exact,
        "page": result.page,
        "page_size": result.page_size,
        "results": [_summary(o, now, tags[o.pk]) for o in result.results],
    }


class SavedFilterIn(Schema):
    name: str = Field(max_length=200)
    query: str = Field(max_length=1000)


class SavedFilterOut(Schema):
    """A saved filter: `query` is the list's own parameters (`GET /api/v1/workorders/?…`);
    `id` is null for a built-in one (which cannot be deleted)."""

    id: int | None
    name: str
    query: str
    builtin: bool


class SavedFilterListOut(Schema):
    results: list[SavedFilterOut]


@router.get(
    "/filters/", response=SavedFilterListOut, summary="My saved filters and the built-in ones"
)
def filters_list(request: HttpRequest) -> dict[str, Any]:
    user = staff_user(request)
    builtin = [
        {"id": None, "name": c.name, "query": c.query, "builtin": True} for c in builtin_filters()
    ]
    own = [
        {"id": f.pk, "name": f.name, "query": f.query, "builtin": False}
        for f in saved_filters_list(user=user)
    ]
    return {"results": builtin + own}


@router.post(
    "/filters/", response={201: SavedFilterOut}, summary="Save the list's filters under a name"
)
def filters_create(request: HttpRequest, payload: SavedFilterIn) -> Status[dict[str, Any]]:
    user = staff_user(request)
    saved = saved_filter_create(actor=user, name=payload.name, query=payload.query)
    return Status(201, {"id": saved.pk, "name": saved.name, "query": saved.query, "builtin": False})


@router.delete(
    "/filters/{filter_id}/", response={204: None}, summary="Delete one of my saved filters"
)
def filters_delete(request: HttpRequest, filter_id: int) -> Status[None]:
    user = staff_user(request)
    saved_filter_delete(actor=user, filter_id=filter_id)
    return Status(204, None)


class BulkIn(Schema):
    numbers: list[str]
    action: str = Field(max_length=20, description="dispatch (reassign), escalate or close")
    payload: dict[str, Any] = Field(
        default_factory=dict, description='{"unit": code} for dispatch, {"reason": text} else'
    )


class BulkResultOut(Schema):
    number: str
    ok: bool
    code: str
    message: str


class BulkOut(Schema):
    results: list[BulkResultOut]


@router.post(
    "/bulk/",
    response=BulkOut,
    summary="A team lead's bulk action on up to 200 orders (per order: done or refused)",
)
def bulk(request: HttpRequest, payload: BulkIn) -> dict[str, Any]:
    user = staff_user(request)
    results = work_orders_bulk_act(
        actor=user, numbers=payload.numbers, action=payload.action, payload=payload.payload
    )
    return {"results": [vars(r) for r in results]}


@router.get(
    "/{number}/",
    response=OrderDetailOut,
    by_alias=True,
    summary="One work order with its timeline",
)
def detail(request: HttpRequest, number: str) -> dict[str, Any]:
    user = staff_user(request)
    order = selectors.work_order_get(user=user, number=number)
    return _detail(user, order)


@router.post(  # it writes to the access log: no link or image may trigger it
    "/{number}/caller",
    response=CallerOut,
    summary="The caller's phone and name in full (written to the access log)",
)
def caller(request: HttpRequest, number: str) -> dict[str, Any]:
    user = staff_user(request)
    order = selectors.work_order_get(user=user, number=number)
    full = work_order_caller_reveal(actor=user, order=order, ip=client_ip(request))
    return {
        "number": order.number,
        "caller_phone": full.phone,
        "caller_name": full.name,
        "customer": full.customer_id,
        "logged": True,
    }


@router.post(
    "/{number}/actions/{action}/",
    response=OrderDetailOut,
    by_alias=True,
    summary="Perform an action",
)
@idempotent
def act(request: HttpRequest, number: str, action: str) -> dict[str, Any]:
    user = staff_user(request)
    order = selectors.work_order_get(user=user, number=number)
    body = read_json(request)
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise ValidationFailed(fields={"body": _("Send a JSON object.")})
    version = body.pop("version", None)
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        raise ValidationFailed(fields={"version": _("Enter a number.")})
    if_match = request.headers.get("If-Match", "").strip('"W/ ')
    if version is None and if_match.isdigit():
        version = int(if_match)
    order = work_order_act(
        actor=user, order=order, action=action, payload=body, expected_version=version
    )
    # Answer with the order as the action left it, even when it has now left the actor's
    # scope (a handler's return or transfer): the action itself was allowed.
    order = WorkOrder.objects.select_related(*_DETAIL_RELATED).get(pk=order.pk)
    return _detail(user, order)


_DETAIL_RELATED = ("handling_unit", "owner", "parent", "assignee")


@router.post(
    "/{number}/assign/",
    response=OrderDetailOut,
    by_alias=True,
    summary="Assign the order to one handler of its unit (指派; to oneself: 领取)",
)
@idempotent
def assign(request: HttpRequest, number: str, payload: AssignIn) -> dict[str, Any]:
    user = staff_user(request)
    order = selectors.work_order_get(user=user, number=number)
    order = work_order_assign(
        actor=user, order=order, assignee=payload.assignee, expected_version=payload.version
    )
    order = WorkOrder.objects.select_related(*_DETAIL_RELATED).get(pk=order.pk)
    return _detail(user, order)
