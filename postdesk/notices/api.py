"""REST API of notices (/api/v1/notices/) and their target (/api/v1/reports/notices):
thin — parse, call one service or selector, shape the answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from postdesk.core.auth import STAFF_AUTH
from postdesk.core.errors import NotFound, ValidationFailed
from postdesk.core.periods import parse_instant, parse_month
from postdesk.core.request import client_ip
from postdesk.notices import selectors
from postdesk.notices.models import Notice, NoticeEvent
from postdesk.notices.services import (
    notice_act,
    notice_contact_masked,
    notice_contact_reveal,
    notice_issue,
    notice_mark_read,
)
from postdesk.org.models import User
from postdesk.org.request import staff_user

router = Router(auth=STAFF_AUTH, tags=["notices"])
reports_router = Router(auth=STAFF_AUTH, tags=["reports"])


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, str]


class NoticeIn(Schema):
    kind: str = Field(max_length=20)
    unit: str | None = Field(None, max_length=20)
    waybill_no: str = Field("", max_length=40)
    phone: str = Field("", max_length=40)
    name: str = Field("", max_length=100)
    address: str = Field("", max_length=300)
    window_start: datetime | None = None
    window_end: datetime | None = None
    text: str = Field("", max_length=5000)
    work_order: str | None = Field(None, max_length=20)
    call: str = Field("", max_length=100)


class FeedbackIn(Schema):
    result: str = Field("", max_length=20)
    reason: str = Field("", max_length=20)
    text: str = Field("", max_length=5000)
    version: int | None = None


class AckIn(Schema):
    text: str = Field("", max_length=5000)
    version: int | None = None


class CancelIn(Schema):
    reason: str = Field("", max_length=300)
    version: int | None = None


class RerouteIn(Schema):
    unit: str = Field("", max_length=20)
    text: str = Field("", max_length=5000)
    version: int | None = None


class EventOut(Schema):
    at: str
    actor: str | None
    action: str
    from_status: str
    to_status: str
    unit: str | None
    text: str
    data: dict[str, Any]


class RecipientOut(Schema):
    user: str
    unit: str
    delivered_at: str | None
    read_at: str | None


class NoticeOut(Schema):
    number: str
    kind: str
    status: str
    unit: str
    issued_unit: str
    waybill_no: str
    phone: str
    name: str
    address: str
    contact_masked: bool
    window_start: str | None
    window_end: str | None
    text: str
    work_order: str | None
    call: str
    issued_by: str | None
    issued_at: str
    ack_due_at: str | None
    due_at: str
    leg_due_at: str
    overdue: bool
    acknowledged_at: str | None
    result: str
    reason: str
    feedback_text: str
    fed_back_at: str | None
    first_feedback_at: str | None
    cancelled_at: str | None
    customer_confirmed_at: str | None
    version: int


class NoticeDetailOut(NoticeOut):
    allowed_actions: list[str]
    events: list[EventOut]
    recipients: list[RecipientOut]


class NoticeListOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[NoticeOut]


class ContactOut(Schema):
    number: str
    phone: str
    name: str
    address: str
    logged: bool


class KpiRow(Schema):
    issued: int
    fed_back: int
    fed_back_in_time: int
    rate: float | None
    timely_rate: float | None


class KpiUnitRow(KpiRow):
    unit: str


class KpiKindRow(KpiRow):
    kind: str


class KpiOut(KpiRow):
    month: str
    as_of: str
    by_unit: list[KpiUnitRow]
    by_kind: list[KpiKindRow]


def _iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _summary(notice: Notice, now: datetime) -> dict[str, Any]:
    contact = notice_contact_masked(notice)
    return {
        "number": notice.number,
        "kind": notice.kind,
        "status": notice.status,
        "unit": notice.unit.code,
        "issued_unit": notice.issued_unit.code,
        "waybill_no": notice.waybill_no,
        "phone": contact.phone,
        "name": contact.name,
        "address": contact.address,
        "contact_masked": True,
        "window_start": _iso(notice.window_start),
        "window_end": _iso(notice.window_end),
        "text": notice.text,
        "work_order": notice.work_order.number
        if notice.work_order_id and notice.work_order
        else None,
        "call": notice.call_id,
        "issued_by": notice.issued_by.get_username()
        if notice.issued_by_id and notice.issued_by
        else None,
        "issued_at": _iso(notice.issued_at),
        "ack_due_at": _iso(notice.ack_due_at),
        "due_at": _iso(notice.due_at),
        "leg_due_at": _iso(notice.leg_due_at),
        "overdue": selectors.is_overdue(notice, now),
        "acknowledged_at": _iso(notice.acknowledged_at),
        "result": notice.result,
        "reason": notice.reason,
        "feedback_text": notice.feedback_text,
        "fed_back_at": _iso(notice.fed_back_at),
        "first_feedback_at": _iso(notice.first_feedback_at),
        "cancelled_at": _iso(notice.cancelled_at),
        "customer_confirmed_at": _iso(notice.customer_confirmed_at),
        "version": notice.version,
    }


def _event(e: NoticeEvent) -> dict[str, Any]:
    return {
        "at": _iso(e.at),
        "actor": e.actor.get_username() if e.actor else None,
        "action": e.action,
        "from_status": e.from_status,
        "to_status": e.to_status,
        "unit": e.unit.code if e.unit else None,
        "text": e.text,
        "data": e.data,
    }


def _detail(user: User, notice: Notice) -> dict[str, Any]:
    notice = Notice.objects.select_related("unit", "issued_unit", "work_order", "issued_by").get(
        pk=notice.pk
    )
    data = _summary(notice, timezone.now())
    data["allowed_actions"] = selectors.notice_allowed_actions(user=user, notice=notice)
    data["events"] = [_event(e) for e in selectors.notice_events(notice=notice)]
    data["recipients"] = [
        {
            "user": r.user.get_username(),
            "unit": notice.unit.code if r.unit_id == notice.unit_id else str(r.unit_id),
            "delivered_at": _iso(r.delivered_at),
            "read_at": _iso(r.read_at),
        }
        for r in selectors.notice_recipients(notice=notice)
    ]
    return data


@router.post(
    "/",
    response={201: NoticeDetailOut, 400: ErrorOut, 403: ErrorOut},
    summary="Issue a notice to a unit",
)
def create(request: HttpRequest, payload: NoticeIn) -> Status[dict[str, Any]]:
    user = staff_user(request)
    order = None
    if payload.work_order:
        from postdesk.workorders.selectors import work_order_get

        try:
            order = work_order_get(user=user, number=payload.work_order)
        except NotFound:
            raise ValidationFailed(fields={"work_order": _("Unknown work order.")}) from None
    notice = notice_issue(
        actor=user,
        kind=payload.kind,
        unit=payload.unit,
        waybill_no=payload.waybill_no,
        phone=payload.phone,
        name=payload.name,
        address=payload.address,
        window_start=payload.window_start,
        window_end=payload.window_end,
        text=payload.text,
        work_order=order,
        call_id=payload.call,
    )
    return Status(201, _detail(user, notice))


def _parse_bool(value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ValidationFailed(fields={"overdue": _("Use true or false.")})


@router.get("/", response={200: NoticeListOut, 400: ErrorOut}, summary="List notices")
def list_notices(
    request: HttpRequest,
    unit: str = "",
    kind: str = "",
    status: str = "",
    overdue: str | None = None,
    page: int = 1,
    page_size: int = selectors.PAGE_SIZE,
) -> dict[str, Any]:
    user = staff_user(request)
    filters = selectors.ListFilters(
        unit=unit[:20], kind=kind[:20], status=status[:20], overdue=_parse_bool(overdue)
    )
    result = selectors.notices_list(user=user, filters=filters, page=page, page_size=page_size)
    now = timezone.now()
    return {
        "count": result.count,
        "page": result.page,
        "page_size": result.page_size,
        "results": [_summary(n, now) for n in result.results],
    }


@router.get("/{number}/", response={200: NoticeDetailOut, 404: ErrorOut}, summary="One notice")
def detail(request: HttpRequest, number: str) -> dict[str, Any]:
    user = staff_user(request)
    notice = selectors.notice_get(user=user, number=number)
    notice_mark_read(user=user, notice=notice)
    return _detail(user, notice)


@router.post(  # it writes to the access log: no link or image may trigger it
    "/{number}/contact",
    response={200: ContactOut, 403: ErrorOut, 404: ErrorOut},
    summary="The customer's phone, name and address in full (written to the access log)",
)
def contact(request: HttpRequest, number: str) -> dict[str, Any]:
    user = staff_user(request)
    notice = selectors.notice_get(user=user, number=number)
    full = notice_contact_reveal(actor=user, notice=notice, ip=client_ip(request))
    return {
        "number": notice.number,
        "phone": full.phone,
        "name": full.name,
        "address": full.address,
        "logged": True,
    }


def _act(request: HttpRequest, number: str, action: str, body: dict[str, Any]) -> dict[str, Any]:
    user = staff_user(request)
    notice = selectors.notice_get(user=user, number=number)
    version = body.pop("version", None)
    notice = notice_act(
        actor=user, notice=notice, action=action, payload=body, expected_version=version
    )
    return _detail(user, notice)


_ACT_ERRORS = {200: NoticeDetailOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


@router.post("/{number}/ack/", response=_ACT_ERRORS, summary="Acknowledge a notice")
def ack(request: HttpRequest, number: str, payload: AckIn | None = None) -> dict[str, Any]:
    body = payload.model_dump() if payload is not None else {}
    return _act(request, number, "acknowledge", body)


@router.post("/{number}/feedback/", response=_ACT_ERRORS, summary="Feed back on a notice")
def feedback(request: HttpRequest, number: str, payload: FeedbackIn) -> dict[str, Any]:
    return _act(request, number, "feedback", payload.model_dump())


@router.post("/{number}/cancel/", response=_ACT_ERRORS, summary="Cancel a notice")
def cancel(request: HttpRequest, number: str, payload: CancelIn) -> dict[str, Any]:
    return _act(request, number, "cancel", payload.model_dump())


@router.post("/{number}/reroute/", response=_ACT_ERRORS, summary="Route a notice to another unit")
def reroute(request: HttpRequest, number: str, payload: RerouteIn) -> dict[str, Any]:
    return _act(request, number, "reroute", payload.model_dump())


@reports_router.get(
    "/notices",
    response={200: KpiOut, 400: ErrorOut},
    summary="The notice feedback target of a month (投递、揽收信息通知反馈率)",
)
def notices_kpi(request: HttpRequest, month: str = "", as_of: str = "") -> dict[str, Any]:
    user = staff_user(request)
    parsed = parse_month(month)
    instant = parse_instant(as_of)
    report = selectors.notice_kpi(user=user, month=parsed, as_of=instant)
    return {**report, "as_of": timezone.localtime(instant).isoformat()}
