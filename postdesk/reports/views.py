from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from postdesk.core.errors import DomainError
from postdesk.core.periods import Month, parse_month
from postdesk.org.models import User
from postdesk.org.request import staff_user
from postdesk.reports.excel import month_report_xlsx
from postdesk.reports.league import AGENT_COLUMNS, UNIT_COLUMNS, agent_league, unit_league
from postdesk.reports.pdf import render_month_pdf
from postdesk.reports.rules import (
    can_generate_month_summary,
    can_read_archive,
    can_read_reports,
)
from postdesk.reports.selectors import (
    month_report,
    month_summaries,
    month_summary_get,
    quality_targets,
    target_trend,
)
from postdesk.reports.services import PDF, XLSX, month_summary_request, summary_filename
from postdesk.reports.target_items import target_items


def _month(request: HttpRequest) -> Month:
    """The page's month: this month when none is given; a bad one is a 400 page."""
    return parse_month(request.GET.get("month"))


def _reader(request: HttpRequest) -> User:
    user = staff_user(request)
    if not can_read_reports(user):
        raise Http404
    return user


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    month = _month(request)
    now = timezone.now()
    report = month_report(user=user, month=month, as_of=now)
    trend = target_trend(user=user, month=month, as_of=now)
    return render(
        request,
        "reports/index.html",
        {
            "report": report,
            "month": month,
            "trend": trend,
            "can_archive": can_read_archive(user),
        },
    )


@login_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    month = _month(request)
    content = month_report_xlsx(month_report(user=user, month=month, as_of=timezone.now()))
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="postdesk-{month}.xlsx"'
    return response


@login_required
def target_items_page(request: HttpRequest, key: str) -> HttpResponse:
    """The items behind one target of the month: those against it first."""
    user = _reader(request)
    month = _month(request)
    now = timezone.now()
    target = next(
        (t for t in quality_targets(user=user, month=month, as_of=now) if t.key == key), None
    )
    if target is None:
        raise Http404
    try:
        page = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        page = 1
    against = request.GET.get("against") == "1"
    result = target_items(
        user=user, key=key, month=month, as_of=now, page=page, against_only=against
    )
    shown = result.count - result.counting if against else result.count
    return render(
        request,
        "reports/target_items.html",
        {
            "target": target.as_dict(),
            "month": month,
            "result": result,
            "against": against,
            "pages": max((shown + result.page_size - 1) // result.page_size, 1),
        },
    )


@login_required
def export_pdf(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    month = _month(request)
    content = render_month_pdf(month_report(user=user, month=month, as_of=timezone.now()))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="postdesk-{month}.pdf"'
    return response


@login_required
def league_page(request: HttpRequest) -> HttpResponse:
    """Units and agents for a month or a range, each table sortable by its headings."""
    user = _reader(request)
    first = _month(request)
    last = parse_month(request.GET["to"], field="to") if request.GET.get("to") else first
    now = timezone.now()
    unit_sort = request.GET.get("unit_sort") or "complaints"
    agent_sort = request.GET.get("agent_sort") or "calls_answered"
    unit_desc = request.GET.get("unit_dir") != "asc"
    agent_desc = request.GET.get("agent_dir") != "asc"
    units = unit_league(
        user=user, first=first, last=last, as_of=now, sort=unit_sort, desc=unit_desc
    )
    agents = agent_league(
        user=user, first=first, last=last, as_of=now, sort=agent_sort, desc=agent_desc
    )
    return render(
        request,
        "reports/league.html",
        {
            "first": first,
            "last": last,
            "units": units,
            "agents": agents,
            "unit_columns": UNIT_COLUMNS,
            "agent_columns": AGENT_COLUMNS,
            "unit_sort": unit_sort,
            "agent_sort": agent_sort,
            "unit_desc": unit_desc,
            "agent_desc": agent_desc,
        },
    )


def _archive_reader(request: HttpRequest) -> User:
    user = staff_user(request)
    if not can_read_archive(user):
        raise Http404
    return user


def _month_label(month: Month) -> str:
    return str(date_format(month.first_day, "YEAR_MONTH_FORMAT"))


@login_required
@require_http_methods(["GET", "POST"])
def archive_page(request: HttpRequest) -> HttpResponse:
    """The stored month-end summaries, every version with its files; directors (and
    administrators) may have a month generated now."""
    user = _archive_reader(request)
    may_generate = can_generate_month_summary(user)
    if request.method == "POST":
        if not may_generate:
            raise Http404
        try:
            month = parse_month(request.POST.get("month"), default_current=False)
            month_summary_request(by=user, month=month)
        except DomainError as exc:
            text = " ".join(str(message) for message in exc.fields.values()) or exc.message
            messages.error(request, str(text))
        else:
            messages.success(
                request,
                _(
                    "The summary of %(month)s is being generated. It appears below in a "
                    "minute and is mailed to the directors and team leads."
                )
                % {"month": _month_label(month)},
            )
        return redirect("reports:archive")
    rows = [
        {"summary": summary, "month_label": _month_label(parse_month(summary.month))}
        for summary in month_summaries(user=user)
    ]
    return render(
        request,
        "reports/archive.html",
        {
            "rows": rows,
            "may_generate": may_generate,
            "default_month": Month.current().previous(),
        },
    )


@login_required
def archive_file(request: HttpRequest, month: str, version: int, kind: str) -> HttpResponse:
    """One stored version's PDF or Excel, exactly as it was made."""
    summary = month_summary_get(
        user=_archive_reader(request), month=parse_month(month), version=version
    )
    content = bytes(summary.pdf if kind == "pdf" else summary.xlsx)
    response = HttpResponse(content, content_type=PDF if kind == "pdf" else XLSX)
    response["Content-Disposition"] = f'attachment; filename="{summary_filename(summary, kind)}"'
    return response
