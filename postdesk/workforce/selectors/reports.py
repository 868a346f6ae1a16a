"""Reads of internal reports and shift handovers, always through the reader's scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from postdesk.core.errors import NotFound, ValidationFailed
from postdesk.core.paging import page_start
from postdesk.core.periods import Month
from postdesk.org.models import Role, User
from postdesk.org.selectors import scope_for
from postdesk.workforce import report_flows, search
from postdesk.workforce.models import Handover, InternalReport, InternalReportEvent

PAGE_SIZE = 50
OPEN_FAULT = ("reported", "accepted")


def internal_reports_visible(*, user: User) -> QuerySet[InternalReport]:
    """Administrators: all; leads and directors: those reported from, or sent to, their
    scope; an agent: its own; a unit handler: those sent to its unit (and below)."""
    rows = InternalReport.objects.select_related("unit", "reporter", "seat")
    if not user.is_active:
        return rows.none()
    if user.is_superuser or user.role == Role.ADMIN:
        return rows
    scope = scope_for(user=user)
    if user.role in (Role.LEAD, Role.DIRECTOR):
        if scope.everything:
            return rows
        return rows.filter(Q(reporter_unit_id__in=scope.unit_ids) | Q(unit_id__in=scope.unit_ids))
    if user.role == Role.HANDLER:
        return rows.filter(unit_id__in=scope.unit_ids)
    return rows.filter(reporter=user)


def internal_report_get(*, user: User, number: str) -> InternalReport:
    report = internal_reports_visible(user=user).filter(number=number).first()
    if report is None:
        raise NotFound()
    return report


def internal_report_events(*, report: InternalReport) -> list[InternalReportEvent]:
    return list(report.events.select_related("actor").order_by("at", "id"))


@dataclass(frozen=True)
class ReportPage:
    count: int
    page: int
    page_size: int
    results: list[InternalReport]


def internal_reports_list(
    *, user: User, kind: str = "", status: str = "", page: int = 1, page_size: int = PAGE_SIZE
) -> ReportPage:
    errors = {}
    if kind and kind not in report_flows.KINDS:
        errors["kind"] = "kind"
    known = {s for statuses in report_flows.STATUSES.values() for s in statuses}
    if status and status not in known:
        errors["status"] = "status"
    if page < 1:
        errors["page"] = "page"
    if not 1 <= page_size <= 200:
        errors["page_size"] = "page_size"
    if errors:
        from django.utils.translation import gettext as _

        raise ValidationFailed(
            fields={name: _("This value is not one of the allowed choices.") for name in errors}
        )
    rows = internal_reports_visible(user=user)
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    count = rows.count()
    start = page_start(page, page_size)
    return ReportPage(count, page, page_size, list(rows[start : start + page_size]))


def seats_out_of_order() -> dict[int, InternalReport]:
    """Seat id → the open equipment-fault report that keeps it out of order."""
    rows = InternalReport.objects.filter(
        kind=InternalReport.Kind.EQUIPMENT_FAULT, status__in=OPEN_FAULT, seat__isnull=False
    ).order_by("created_at")
    return {r.seat_id: r for r in rows if r.seat_id is not None}


def sales_leads_month(*, user: User, month: Month) -> dict[str, int]:
    """Business leads recorded in a month, by follow-up status, in the reader's scope
    (for the month summary): {"total", "new", "contacted", "won", "lost"}."""
    rows = internal_reports_visible(user=user).filter(
        kind=InternalReport.Kind.SALES_LEAD, created_at__gte=month.start, created_at__lt=month.end
    )
    counts = {status: 0 for status in report_flows.STATUSES["sales_lead"]}
    for row in rows.order_by().values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return {"total": sum(counts.values()), **counts}


# ------------------------------------------------------------------------ handovers


def handovers_visible(*, user: User) -> QuerySet[Handover]:
    rows = Handover.objects.select_related("shift", "author", "acknowledged_by", "unit")
    if not user.is_active or user.role == Role.HANDLER:
        return rows.none()
    scope = scope_for(user=user)
    if scope.everything:
        return rows
    return rows.filter(unit_id__in=scope.unit_ids)


def handover_get(*, user: User, pk: int) -> Handover:
    handover = handovers_visible(user=user).filter(pk=pk).first()
    if handover is None:
        raise NotFound()
    return handover


def handovers_list(
    *, user: User, q: str = "", unacknowledged: bool | None = None, limit: int = 100
) -> list[Handover]:
    rows = handovers_visible(user=user)
    if unacknowledged is True:
        rows = rows.filter(acknowledged_at__isnull=True)
    elif unacknowledged is False:
        rows = rows.filter(acknowledged_at__isnull=False)
    rows = search.filter_keyword(rows, q[:200])
    return list(rows.prefetch_related("items").order_by("-created_at", "-id")[:limit])


def handovers_waiting_for(*, user: User) -> list[Handover]:
    """The handovers a lead may still acknowledge (not its own), newest first."""
    if user.role not in (Role.LEAD, Role.ADMIN) and not user.is_superuser:
        return []
    rows = handovers_visible(user=user).filter(acknowledged_at__isnull=True).exclude(author=user)
    return list(rows.order_by("-created_at", "-id")[:20])
