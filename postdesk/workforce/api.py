"""REST API of the workforce app: Erlang C (/api/v1/workforce/), internal reports
(/api/v1/internal-reports/) and shift handovers (/api/v1/handovers/). Thin: parse, call
one service or selector, shape the answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from postdesk.core.auth import STAFF_AUTH
from postdesk.core.masking import mask_phone
from postdesk.core.phones import display_phone
from postdesk.org.models import User
from postdesk.org.request import staff_user
from postdesk.workforce import report_flows, selectors
from postdesk.workforce.models import Handover, InternalReport
from postdesk.workforce.services import (
    ItemInput,
    ReportInput,
    handover_acknowledge,
    handover_comment,
    handover_create,
    internal_report_act,
    internal_report_create,
)
from postdesk.workforce.services.internal_reports import can_act
from postdesk.workforce.staffing import staffing_for

router = Router(auth=STAFF_AUTH, tags=["workforce"])


class ErlangIn(Schema):
    calls: float
    interval_minutes: float = 30.0
    aht: float
    target_sl: float = 0.8
    target_seconds: float = 20.0
    shrinkage: float = 0.0


class ErlangOut(Schema):
    traffic: float
    agents: int
    service_level: float
    asa_seconds: float
    occupancy: float
    scheduled: int


@router.get(
    "/erlang",
    response={200: ErlangOut},
    summary="Erlang C: agents needed for one interval",
    description="traffic A = calls ÷ interval seconds × AHT; agents N = the least N > A "
    "with SL(N) = 1 − C(N, A)·e^(−(N−A)·T/AHT) ≥ target_sl; ASA = C·AHT ÷ (N − A); "
    "occupancy = A ÷ N; scheduled = ⌈N ÷ (1 − shrinkage)⌉. 400 names the bad field.",
)
def erlang(request: HttpRequest, params: Query[ErlangIn]) -> ErlangOut:
    result = staffing_for(
        calls=params.calls,
        interval_minutes=params.interval_minutes,
        aht=params.aht,
        target_sl=params.target_sl,
        target_seconds=params.target_seconds,
        shrinkage=params.shrinkage,
    )
    return ErlangOut(
        traffic=result.traffic,
        agents=result.agents,
        service_level=result.service_level,
        asa_seconds=result.asa_seconds,
        occupancy=result.occupancy,
        scheduled=result.scheduled,
    )


# ------------------------------------------------------------------- internal reports

reports_router = Router(auth=STAFF_AUTH, tags=["internal reports"])


def _iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


class ReportIn(Schema):
    kind: str = Field(max_length=20)
    title: str = Field(max_length=200)
    text: str = Field("", max_length=20000)
    seat: str | None = Field(None, max_length=20)
    call: str | None = Field(None, max_length=100)
    work_order: str | None = Field(None, max_length=20)
    product: str | None = Field(None, max_length=30)
    contact_phone: str | None = Field(None, max_length=40)


class ReportOut(Schema):
    number: str
    kind: str
    status: str
    unit: str
    title: str
    text: str
    seat: str | None
    call: str | None
    work_order: str | None
    product: str
    contact_phone: str
    reporter: str
    created_at: str | None
    due_at: str | None
    closed_at: str | None
    acknowledged_by: str | None
    acknowledged_at: str | None
    chase_count: int
    version: int


class ReportEventOut(Schema):
    at: str | None
    actor: str | None
    action: str
    from_status: str
    to_status: str
    text: str


class ReportDetailOut(ReportOut):
    allowed_actions: list[str]
    events: list[ReportEventOut]


class ReportListOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[ReportOut]


class ActIn(Schema):
    text: str = Field("", max_length=2000)
    version: int | None = None


def _report(report: InternalReport) -> dict[str, Any]:
    return {
        "number": report.number,
        "kind": report.kind,
        "status": report.status,
        "unit": report.unit.code,
        "title": report.title,
        "text": report.text,
        "seat": report.seat.number if report.seat else None,
        "call": report.call.call_id if report.call else None,
        "work_order": report.work_order_number or None,
        "product": report.product,
        "contact_phone": mask_phone(display_phone(report.contact_phone))
        if report.contact_phone
        else "",
        "reporter": report.reporter.get_username(),
        "created_at": _iso(report.created_at),
        "due_at": _iso(report.due_at),
        "closed_at": _iso(report.closed_at),
        "acknowledged_by": report.acknowledged_by.get_username()
        if report.acknowledged_by
        else None,
        "acknowledged_at": _iso(report.acknowledged_at),
        "chase_count": report.chase_count,
        "version": report.version,
    }


def _report_detail(user: User, report: InternalReport) -> dict[str, Any]:
    return {
        **_report(report),
        "allowed_actions": [
            a
            for a in report_flows.actions_from(report.kind, report.status)
            if can_act(user=user, report=report, action=a)
        ],
        "events": [
            {
                "at": _iso(e.at),
                "actor": e.actor.get_username() if e.actor else None,
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "text": e.text,
            }
            for e in selectors.internal_report_events(report=report)
        ],
    }


@reports_router.post(
    "/",
    response={201: ReportDetailOut},
    summary="Report an equipment fault, a major situation or a business lead",
)
def report_create(request: HttpRequest, payload: ReportIn) -> Status[dict[str, Any]]:
    user = staff_user(request)
    report = internal_report_create(
        actor=user,
        data=ReportInput(
            kind=payload.kind,
            title=payload.title,
            text=payload.text,
            seat=payload.seat or "",
            call=payload.call or "",
            work_order=payload.work_order or "",
            product=payload.product or "",
            contact_phone=payload.contact_phone or "",
        ),
    )
    report = selectors.internal_report_get(user=user, number=report.number)
    return Status(201, _report_detail(user, report))


@reports_router.get("/", response=ReportListOut, summary="List internal reports")
def report_list(
    request: HttpRequest, kind: str = "", status: str = "", page: int = 1, page_size: int = 50
) -> dict[str, Any]:
    result = selectors.internal_reports_list(
        user=staff_user(request), kind=kind, status=status, page=page, page_size=page_size
    )
    return {
        "count": result.count,
        "page": result.page,
        "page_size": result.page_size,
        "results": [_report(r) for r in result.results],
    }


@reports_router.get("/{number}/", response=ReportDetailOut, summary="One internal report")
def report_detail(request: HttpRequest, number: str) -> dict[str, Any]:
    user = staff_user(request)
    return _report_detail(user, selectors.internal_report_get(user=user, number=number))


@reports_router.post(
    "/{number}/actions/{action}/",
    response=ReportDetailOut,
    summary="Move a report on (accept, fix, cannot_fix, acknowledge, close, contact, win, lose)",
)
def report_act(request: HttpRequest, number: str, action: str, payload: ActIn) -> dict[str, Any]:
    user = staff_user(request)
    report = selectors.internal_report_get(user=user, number=number)
    internal_report_act(
        actor=user,
        report=report,
        action=action,
        text=payload.text,
        expected_version=payload.version,
    )
    return _report_detail(user, selectors.internal_report_get(user=user, number=number))


# ------------------------------------------------------------------------- handovers

handovers_router = Router(auth=STAFF_AUTH, tags=["shift handovers"])


class HandoverItemIn(Schema):
    kind: str = Field(max_length=20)
    ref: str = Field("", max_length=64)
    text: str = Field("", max_length=1000)


class HandoverIn(Schema):
    shift: str = Field("", max_length=20)
    text: str = Field("", max_length=20000)
    items: list[HandoverItemIn] = Field(default_factory=list, max_length=50)


class HandoverItemOut(Schema):
    kind: str
    ref: str
    text: str


class CommentOut(Schema):
    author: str
    text: str
    created_at: str | None


class HandoverOut(Schema):
    id: int
    number: str
    unit: str
    shift: str | None
    text: str
    author: str
    created_at: str | None
    acknowledged_by: str | None
    acknowledged_at: str | None
    items: list[HandoverItemOut]
    comments: list[CommentOut]


class HandoverListOut(Schema):
    count: int
    results: list[HandoverOut]


class AckIn(Schema):
    comment: str = Field("", max_length=2000)


class CommentIn(Schema):
    text: str = Field(max_length=2000)


def _handover(handover: Handover) -> dict[str, Any]:
    return {
        "id": handover.pk,
        "number": handover.number,
        "unit": handover.unit.code,
        "shift": handover.shift.code if handover.shift else None,
        "text": handover.text,
        "author": handover.author.get_username(),
        "created_at": _iso(handover.created_at),
        "acknowledged_by": handover.acknowledged_by.get_username()
        if handover.acknowledged_by
        else None,
        "acknowledged_at": _iso(handover.acknowledged_at),
        "items": [{"kind": i.kind, "ref": i.ref, "text": i.text} for i in handover.items.all()],
        "comments": [
            {"author": c.author.get_username(), "text": c.text, "created_at": _iso(c.created_at)}
            for c in handover.comments.select_related("author")
        ],
    }


@handovers_router.post("/", response={201: HandoverOut}, summary="Hand over a shift")
def handover_new(request: HttpRequest, payload: HandoverIn) -> Status[dict[str, Any]]:
    user = staff_user(request)
    handover = handover_create(
        actor=user,
        shift_code=payload.shift,
        text=payload.text,
        items=[ItemInput(kind=i.kind, ref=i.ref, text=i.text) for i in payload.items],
    )
    return Status(201, _handover(selectors.handover_get(user=user, pk=handover.pk)))


@handovers_router.get("/", response=HandoverListOut, summary="Search the handovers")
def handover_list(
    request: HttpRequest, q: str = "", unacknowledged: bool | None = None
) -> dict[str, Any]:
    rows = selectors.handovers_list(user=staff_user(request), q=q, unacknowledged=unacknowledged)
    return {"count": len(rows), "results": [_handover(h) for h in rows]}


@handovers_router.get("/{pk}/", response=HandoverOut, summary="One handover")
def handover_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _handover(selectors.handover_get(user=staff_user(request), pk=pk))


@handovers_router.post("/{pk}/ack/", response=HandoverOut, summary="Acknowledge a handover")
def handover_ack(request: HttpRequest, pk: int, payload: AckIn | None = None) -> dict[str, Any]:
    user = staff_user(request)
    handover = selectors.handover_get(user=user, pk=pk)
    handover_acknowledge(actor=user, handover=handover, comment=payload.comment if payload else "")
    return _handover(selectors.handover_get(user=user, pk=pk))


@handovers_router.post(
    "/{pk}/comments/", response={201: HandoverOut}, summary="Comment on a handover"
)
def handover_comment_new(
    request: HttpRequest, pk: int, payload: CommentIn
) -> Status[dict[str, Any]]:
    user = staff_user(request)
    handover = selectors.handover_get(user=user, pk=pk)
    handover_comment(actor=user, handover=handover, text=payload.text)
    return Status(201, _handover(selectors.handover_get(user=user, pk=pk)))
