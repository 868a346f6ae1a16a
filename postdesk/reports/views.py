from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from postdesk.core.periods import Month, parse_month
from postdesk.org.models import User
from postdesk.org.request import staff_user
from postdesk.reports.excel import month_report_xlsx
from postdesk.reports.pdf import render_month_pdf
from postdesk.reports.rules import can_read_reports
from postdesk.reports.selectors import month_report, target_trend


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
def export_pdf(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    month = _month(request)
    content = render_month_pdf(month_report(user=user, month=month, as_of=timezone.now()))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="postdesk-{month}.pdf"'
    return response
