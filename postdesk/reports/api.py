"""Month-end reports (read-only: they call other apps' selectors)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema, Status

from postdesk.core.auth import STAFF_AUTH
from postdesk.core.errors import PermissionDenied
from postdesk.core.periods import parse_month
from postdesk.org.request import staff_user
from postdesk.reports.excel import month_report_xlsx
from postdesk.reports.league import agent_league, unit_league
from postdesk.reports.models import MonthSummary
from postdesk.reports.pdf import render_month_pdf
from postdesk.reports.rules import (
    can_generate_month_summary,
    can_read_archive,
    can_read_reports,
)
from postdesk.reports.selectors import month_report, month_summaries, month_summary_get
from postdesk.reports.services import PDF, XLSX, month_summary_request, summary_filename
from postdesk.reports.target_items import target_items
from postdesk.workorders.selectors import complaint_kpis

router = Router(auth=STAFF_AUTH, tags=["reports"])


class ReplyFigures(Schema):
    """Complaints created in the month, replied, replied by the deadline (rates 0–1)."""

    complaints: int
    replied: int
    reply_rate: float | None
    timely: int
    timely_rate: float | None


class ReplyByUnit(ReplyFigures):
    unit: str | None
    unit_name: str


class ReplyByType(ReplyFigures):
    type: str


class ReplyBySubtype(ReplyFigures):
    type: str
    subtype: str


class ComplaintKpiOut(ReplyFigures):
    month: str
    target_reply_rate: float
    by_unit: list[ReplyByUnit]
    by_type: list[ReplyByType]
    by_subtype: list[ReplyBySubtype]


@router.get("/complaints", response=ComplaintKpiOut, summary="Complaint reply KPIs of a month")
def complaints(request: HttpRequest, month: str = "") -> dict[str, Any]:
    """Complaint reply rate and timely reply rate (target 100%) of the complaints created
    in `month` (YYYY-MM, default this month), by unit, type and sub-type, within the
    reader's scope."""
    return complaint_kpis(user=staff_user(request), month=parse_month(month))


@router.get("/month", response=dict[str, Any], summary="The month-end report")
def month(request: HttpRequest, month: str = "") -> dict[str, Any]:
    """The centre's four quality targets (value, target, numerator, denominator, met, and
    `state`: met, pending — short only by items still inside their time limit, counted in
    `not_yet_due` apart from `late` — short or no_data), the
    month's work orders by type, complaints by unit and, for team leads and directors, the
    month's call figures — the same document the /reports/ page and its Excel show; for
    team leads, directors and administrators only (403 for anyone else)."""
    user = staff_user(request)
    if not can_read_reports(user):
        raise PermissionDenied()
    return month_report(user=user, month=parse_month(month), as_of=timezone.now())


class TargetItemOut(Schema):
    kind: str  # attempt | work_order | notice
    ref: str
    unit: str
    at: str
    counts: bool
    reason: str
    reason_label: str
    link: str


class TargetItemsOut(Schema):
    count: int
    counting: int
    page: int
    page_size: int
    results: list[TargetItemOut]


@router.get(
    "/targets/{key}/items",
    response={200: TargetItemsOut},
    summary="The items behind a quality target",
)
def target_item_list(
    request: HttpRequest, key: str, month: str = "", page: int = 1, against: bool = False
) -> dict[str, Any]:
    """The items of target `key`'s denominator (online_rate, timely_rate:
    delivery attempts; complaint_reply_rate: complaints; notification_feedback_rate:
    notices) for `month`, in the reader's scope: per item whether it `counts` for the
    target and the reason. `count` is the denominator and `counting` the numerator, as
    the month report has them; `against=true` lists only the items against it. For the
    month report's readers only (403 for anyone else), as the page is."""
    user = staff_user(request)
    if not can_read_reports(user):
        raise PermissionDenied()
    result = target_items(
        user=user,
        key=key,
        month=parse_month(month),
        as_of=timezone.now(),
        page=page,
        against_only=against,
    )
    return {
        "count": result.count,
        "counting": result.counting,
        "page": result.page,
        "page_size": result.page_size,
        "results": [item.as_dict() for item in result.results],
    }


@router.get(
    "/month.pdf",
    summary="The month-end report as a PDF",
    openapi_extra={
        "responses": {
            200: {
                "description": "The month's summary, A4, in Chinese",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def month_pdf(request: HttpRequest, month: str = "") -> HttpResponse:
    """The same document as `/month`, laid out as an A4 PDF (the page's download) — for
    team leads, directors and administrators only (403 for anyone else)."""
    user = staff_user(request)
    if not can_read_reports(user):
        raise PermissionDenied()
    period = parse_month(month)
    report = month_report(user=user, month=period, as_of=timezone.now())
    response = HttpResponse(render_month_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="postdesk-{period}.pdf"'
    return response


@router.get(
    "/month.xlsx",
    summary="The month-end report as an Excel workbook",
    openapi_extra={
        "responses": {
            200: {
                "description": "The month's summary, one sheet per section",
                "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def month_xlsx(request: HttpRequest, month: str = "") -> HttpResponse:
    """The same document as `/month` as the page's Excel workbook — for team leads,
    directors and administrators only (403 for anyone else)."""
    user = staff_user(request)
    if not can_read_reports(user):
        raise PermissionDenied()
    period = parse_month(month)
    report = month_report(user=user, month=period, as_of=timezone.now())
    response = HttpResponse(month_report_xlsx(report), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="postdesk-{period}.xlsx"'
    return response


# ------------------------------------------------------------------ the archive


class SummaryLinks(Schema):
    pdf: str
    xlsx: str


class SummaryOut(Schema):
    month: str
    version: int
    as_of: datetime
    created_at: datetime
    created_by: str | None  # the user who asked; null: the monthly schedule
    links: SummaryLinks

    @staticmethod
    def of(summary: MonthSummary) -> dict[str, Any]:
        base = f"/api/v1/reports/archive/{summary.month}/{summary.version}"
        return {
            "month": summary.month,
            "version": summary.version,
            "as_of": summary.as_of,
            "created_at": summary.created_at,
            "created_by": summary.created_by.username if summary.created_by else None,
            "links": {"pdf": f"{base}.pdf", "xlsx": f"{base}.xlsx"},
        }


class ArchiveIn(Schema):
    month: str


class ArchiveQueued(Schema):
    month: str
    status: str  # "queued": a new version is being generated


def _archive_reader(request: HttpRequest) -> Any:
    user = staff_user(request)
    if not can_read_archive(user):
        raise PermissionDenied()
    return user


@router.get("/archive", response={200: list[SummaryOut]}, summary="The stored month-end summaries")
def archive_list(request: HttpRequest, month: str = "") -> list[dict[str, Any]]:
    """Every stored version of the month-end summary (of `month`, YYYY-MM, when given),
    newest month and version first: its as-of time, when and by whom it was made (null:
    the monthly schedule) and the links to its PDF and Excel. The summaries are the whole
    centre's: for the team leads, directors and administrators who see all of it (403 for
    anyone else)."""
    user = _archive_reader(request)
    period = parse_month(month) if month else None
    return [SummaryOut.of(summary) for summary in month_summaries(user=user, month=period)]


@router.post("/archive", response={202: ArchiveQueued}, summary="Generate a month's summary now")
def archive_generate(request: HttpRequest, payload: ArchiveIn) -> Status[Any]:
    """Generate a new version of `month`'s summary now, in the background (queue
    "reports"): it is stored beside the earlier ones and mailed, PDF and Excel attached,
    to the directors and team leads. Directors and administrators only (403); a month
    that has not begun is a 400."""
    user = staff_user(request)
    if not can_generate_month_summary(user):
        raise PermissionDenied()
    period = parse_month(payload.month, default_current=False)
    month_summary_request(by=user, month=period)
    return Status(202, {"month": str(period), "status": "queued"})


def _stored_file(request: HttpRequest, month: str, version: int, kind: str) -> HttpResponse:
    summary = month_summary_get(
        user=_archive_reader(request), month=parse_month(month), version=version
    )
    content = bytes(summary.pdf if kind == "pdf" else summary.xlsx)
    response = HttpResponse(content, content_type=PDF if kind == "pdf" else XLSX)
    response["Content-Disposition"] = f'attachment; filename="{summary_filename(summary, kind)}"'
    return response


@router.get(
    "/archive/{month}/{version}.pdf",
    summary="A stored summary's PDF",
    openapi_extra={
        "responses": {
            200: {
                "description": "The PDF as it was stored",
                "content": {PDF: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def archive_pdf(request: HttpRequest, month: str, version: int) -> HttpResponse:
    """Version `version` of `month`'s stored summary as a PDF, exactly as it was made."""
    return _stored_file(request, month, version, "pdf")


@router.get(
    "/archive/{month}/{version}.xlsx",
    summary="A stored summary's Excel workbook",
    openapi_extra={
        "responses": {
            200: {
                "description": "The workbook as it was stored",
                "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def archive_xlsx(request: HttpRequest, month: str, version: int) -> HttpResponse:
    """Version `version` of `month`'s stored summary as an Excel workbook."""
    return _stored_file(request, month, version, "xlsx")


class UnitLeagueRow(Schema):
    unit: str
    name: str
    complaints: int
    replied: int
    reply_rate: float | None
    timely_rate: float | None
    overdue: int
    notices: int
    notice_feedback_rate: float | None
    ruled_against: int


class AgentLeagueRow(Schema):
    agent: str
    name: str
    calls_answered: int
    aht_seconds: float | None
    orders_taken: int
    follow_ups: int
    satisfaction_rate: float | None
    quality_score: float | None


def _league_reader(request: HttpRequest) -> Any:
    user = staff_user(request)
    if not can_read_reports(user):
        raise PermissionDenied()
    return user


def _league_span(month: str, to: str) -> dict[str, Any]:
    first = parse_month(month)
    return {"first": first, "last": parse_month(to, field="to") if to else first}


@router.get("/league/units", response={200: list[UnitLeagueRow]}, summary="League table of units")
def league_units(
    request: HttpRequest, month: str = "", to: str = "", sort: str = "complaints", desc: bool = True
) -> list[dict[str, Any]]:
    """Units for `month` (YYYY-MM, default this month) or the months `month` … `to` (at
    most 12), within the reader's scope: complaints, replies, reply and timely-reply rates,
    overdue orders, notices and their feedback rate, complaints ruled against the unit.
    `sort` is any column (rows without data for it last), `desc` its direction. For team
    leads, directors and administrators (403 for anyone else)."""
    return unit_league(
        user=_league_reader(request),
        **_league_span(month, to),
        as_of=timezone.now(),
        sort=sort,
        desc=desc,
    )


@router.get(
    "/league/agents", response={200: list[AgentLeagueRow]}, summary="League table of agents"
)
def league_agents(
    request: HttpRequest,
    month: str = "",
    to: str = "",
    sort: str = "calls_answered",
    desc: bool = True,
) -> list[dict[str, Any]]:
    """Agents for `month` or `month` … `to`, within the reader's scope: calls answered and
    AHT (for team leads, directors and administrators), orders taken, follow-ups and the
    share of them satisfied, the quality-inspection score."""
    return agent_league(
        user=_league_reader(request),
        **_league_span(month, to),
        as_of=timezone.now(),
        sort=sort,
        desc=desc,
    )
