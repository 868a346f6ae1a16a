"""REST API of the tracking app. ``router`` is mounted at /api/v1/tracking/,
``reports_router`` (the delivery KPI report) at /api/v1/reports/."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from postdesk.core.auth import STAFF_AUTH
from postdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from postdesk.core.periods import parse_instant, parse_month
from postdesk.org.models import User
from postdesk.org.request import staff_user
from postdesk.tracking import selectors, services
from postdesk.tracking.models import Attempt, ImportRun
from postdesk.tracking.rules import (
    can_enter_results,
    can_import,
    can_read_delivery_targets,
    can_track,
)

router = Router(auth=STAFF_AUTH, tags=["tracking"])
reports_router = Router(auth=STAFF_AUTH, tags=["reports"])


def _require(request: HttpRequest, allowed: Callable[[User], bool]) -> User:
    user = staff_user(request)
    if not allowed(user):
        raise PermissionDenied()
    return user


# ------------------------------------------------------------------------- schemas


class ImportOut(Schema):
    id: int
    filename: str
    format: str
    strict: bool
    status: str
    lines: int
    created: int
    duplicates: int
    rejected: int
    progress: float
    message: str
    rejected_url: str

    @staticmethod
    def of(run: ImportRun) -> dict[str, Any]:
        return {
            "id": run.pk,
            "filename": run.filename,
            "format": run.format,
            "strict": run.strict,
            "status": run.status,
            "lines": run.lines,
            "created": run.created,
            "duplicates": run.duplicates,
            "rejected": run.rejected,
            "progress": 1.0 if run.status == ImportRun.Status.DONE else run.progress,
            "message": run.message,
            "rejected_url": f"/api/v1/tracking/imports/{run.pk}/rejected.csv",
        }


class EventOut(Schema):
    event_code: str
    event_time: datetime
    office_code: str
    office_name: str
    recorded_at: datetime
    operator: str
    reason: str
    signer: str
    description: str


class AttemptOut(Schema):
    waybill_no: str
    office_code: str
    day: str
    ofd_time: datetime | None
    operator: str
    result_code: str
    result_time: datetime | None
    result_recorded_at: datetime | None
    deadline: datetime | None
    chase: bool

    @staticmethod
    def of(a: Attempt) -> dict[str, Any]:
        return {
            "waybill_no": a.waybill_no,
            "office_code": a.office_code,
            "day": str(a.day),
            "ofd_time": a.ofd_time,
            "operator": a.operator,
            "result_code": a.result_code,
            "result_time": a.result_time,
            "result_recorded_at": a.result_recorded_at,
            "deadline": a.deadline,
            "chase": a.chase,
        }


class WorkOrderLine(Schema):
    number: str
    type: str
    status: str
    waybill_no: str
    title: str
    created_at: datetime


class CallLine(Schema):
    call_id: str
    direction: str
    started_at: datetime
    outcome: str
    agent_extension: str


class ParcelOut(Schema):
    waybill_no: str
    status: str
    where: str
    chase: bool
    stale: bool
    late: bool
    tracing_url: str
    events: list[EventOut]
    attempts: list[AttemptOut]
    work_orders: list[WorkOrderLine]
    calls: list[CallLine]


class ItemLine(Schema):
    waybill_no: str
    status: str
    where: str
    last_event_time: datetime
    is_final: bool
    work_orders: list[str]


class CustomerLine(Schema):
    id: int
    name: str
    phones: list[str]
    is_key_account: bool


class PhoneParcelsOut(Schema):
    phone: str
    customers: list[CustomerLine]
    parcels: list[ItemLine]
    unknown_waybills: list[str]
    work_orders: list[WorkOrderLine]
    calls: list[CallLine]


class ResultIn(Schema):
    waybill_no: str
    result: Literal["delivered", "failed"]
    event_time: datetime | None = None
    reason: str = ""
    signer: str = ""
    office_code: str = ""


# ------------------------------------------------------------------------ endpoints


@router.post("/imports", response={202: ImportOut})
def import_upload(
    request: HttpRequest,
    file: File[UploadedFile],
    format: Form[str | None] = None,
    strict: Form[bool] = False,
) -> Status[Any]:
    """Upload a CSV or JSON Lines file; it is imported in the background (queue
    ``imports``). Poll ``GET /imports/{id}`` for progress."""
    user = _require(request, can_import)
    run = services.tracking_import_create(upload=file, fmt=format or None, strict=strict, user=user)
    run.refresh_from_db()
    return Status(202, ImportOut.of(run))


@router.get("/imports/{run_id}", response=ImportOut)
def import_status(request: HttpRequest, run_id: int) -> dict[str, Any]:
    _require(request, can_import)
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None:
        raise NotFound()
    return ImportOut.of(run)


@router.get(
    "/imports/{run_id}/rejected.csv",
    openapi_extra={
        "responses": {
            200: {
                "description": "The rejected lines, with their line numbers and reasons",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def import_rejected(request: HttpRequest, run_id: int) -> HttpResponse:
    _require(request, can_import)
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None:
        raise NotFound()
    response = HttpResponse(
        services.rejected_lines_csv(run=run), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-rejected.csv"'
    return response


@router.get("/items/{waybill_no}", response=ParcelOut)
def parcel(request: HttpRequest, waybill_no: str) -> dict[str, Any]:
    user = _require(request, can_track)
    try:
        view = selectors.parcel_get(user=user, waybill_no=waybill_no, now=timezone.now())
    except NotFound:
        raise NotFound(_("No tracking events for this waybill number.")) from None
    return {
        "waybill_no": view.waybill_no,
        "status": view.status_code,
        "where": view.where,
        "chase": view.chase,
        "stale": view.stale,
        "late": view.late,
        "tracing_url": view.tracing_url,
        "events": view.events,
        "attempts": [AttemptOut.of(a) for a in view.attempts],
        "work_orders": view.work_orders,
        "calls": view.calls,
    }


@router.get("/by-phone", response=PhoneParcelsOut)
def parcels_by_phone(request: HttpRequest, number: str = "") -> dict[str, Any]:
    """The parcels named by the work orders of a caller's number (opened for that number
    or for a customer who has it), those orders and the number's recent calls; customers
    masked. 400 when ``number`` is no phone number."""
    user = _require(request, can_track)
    found = selectors.parcels_by_phone(user=user, raw=number)
    if found is None:
        raise ValidationFailed(fields={"number": _("Enter a phone number.")})
    return {
        "phone": found.phone,
        "customers": [
            {"id": c.id, "name": c.name, "phones": c.phones, "is_key_account": c.is_key_account}
            for c in found.customers
        ],
        "parcels": [
            {
                "waybill_no": p.item.waybill_no,
                "status": p.item.last_code,
                "where": p.item.last_office_name or p.item.last_office_code,
                "last_event_time": p.item.last_event_time,
                "is_final": p.item.is_final,
                "work_orders": p.work_orders,
            }
            for p in found.parcels
        ],
        "unknown_waybills": found.unknown_waybills,
        "work_orders": found.work_orders,
        "calls": found.calls,
    }


@router.post("/results", response={201: EventOut})
def result_record(request: HttpRequest, payload: ResultIn) -> Status[Any]:
    """Record a delivery result phoned in (recorded now, by the caller)."""
    user = _require(request, can_enter_results)
    event = services.delivery_result_record(user=user, **payload.dict())
    return Status(201, event)


@router.get("/chase", response=list[AttemptOut])
def chase(request: HttpRequest, office: str | None = None) -> list[dict[str, Any]]:
    user = _require(request, can_track)
    return [
        AttemptOut.of(a)
        for a in selectors.chase_list(now=timezone.now(), office_code=office, user=user)
    ]


class KpiFiguresOut(Schema):
    attempts: int
    online: int
    timely: int


class KpiCentreOut(KpiFiguresOut):
    online_rate: float | None
    timely_rate: float | None


class DeliveryReportOut(Schema):
    """The month's attempts: the centre's figures and rates (fractions), each office's
    counts, and each office-day's ``[attempts, online, timely]`` keyed ``OFFICE|YYYY-MM-DD``."""

    month: str
    as_of: str
    centre: KpiCentreOut
    offices: dict[str, KpiFiguresOut]
    daily: dict[str, tuple[int, int, int]]


@reports_router.get("/delivery", response=DeliveryReportOut)
def delivery_report(
    request: HttpRequest, month: str | None = None, as_of: str | None = None
) -> dict[str, Any]:
    """上网率 / 及时率 of a month: centre, offices and office-days (rates are fractions)."""
    user = _require(request, can_read_delivery_targets)
    return selectors.delivery_kpi(
        user=user, month=parse_month(month, default_current=False), as_of=parse_instant(as_of)
    )


class KpiRowOut(Schema):
    key: str
    label: str
    attempts: int
    online: int
    timely: int
    online_rate: float | None
    timely_rate: float | None
    short: bool


@reports_router.get("/delivery/rows", response=list[KpiRowOut])
def delivery_report_rows(
    request: HttpRequest,
    month: str | None = None,
    as_of: str | None = None,
    by: Literal["office", "day", "operator", "centre"] = "office",
    office: str | None = None,
) -> list[Any]:
    """The same figures grouped by office, day, operator (courier) or the whole centre,
    with ``short`` set where a rate falls below its target; short rows first."""
    user = _require(request, can_read_delivery_targets)
    return selectors.delivery_kpi_rows(
        user=user,
        month=parse_month(month, default_current=False),
        as_of=parse_instant(as_of),
        by=by,
        office_code=office,
    )
