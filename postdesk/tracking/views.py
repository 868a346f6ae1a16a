"""Pages of the tracking app: parcel query, result entry, the delivery KPI board with
drill-down, the chase list, stale items, imports with progress."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_http_methods

from postdesk.core.errors import DomainError, NotFound, PermissionDenied
from postdesk.core.forms import add_domain_error
from postdesk.core.periods import Month, parse_day, parse_instant, parse_month
from postdesk.org.models import User
from postdesk.org.request import staff_user
from postdesk.tracking import conf, selectors, services
from postdesk.tracking.models import ImportRun
from postdesk.tracking.rules import (
    can_enter_results,
    can_import,
    can_read_delivery_targets,
    can_track,
)
from postdesk.tracking.waybill import is_valid_waybill

# The parser's rejection reasons (plain strings in a pure module), for the catalogue.
REASONS = [
    gettext_noop("missing waybill number"),
    gettext_noop("S10 check digit does not match"),
    gettext_noop("waybill number must be an S10 number or 10 to 20 letters or digits"),
    gettext_noop("missing event code"),
    gettext_noop("unknown event code"),
    gettext_noop("missing event time"),
    gettext_noop("event time is not an ISO 8601 date and time"),
    gettext_noop("missing office code"),
    gettext_noop("recorded_at is not an ISO 8601 date and time"),
    gettext_noop("a value is too long"),
    gettext_noop("wrong number of columns"),
    gettext_noop("line is not valid UTF-8"),
    gettext_noop("line is not a JSON object"),
]


def _need(request: HttpRequest, allowed: Callable[[User], bool]) -> User:
    user = staff_user(request)
    if not allowed(user):
        raise PermissionDenied()
    return user


def _month(request: HttpRequest) -> Month:
    """The page's month (this month when none is given; a bad one is a 400 page)."""
    return parse_month(request.GET.get("month"))


def _as_of(request: HttpRequest) -> datetime:
    return parse_instant(request.GET.get("as_of"))


@login_required
def query(request: HttpRequest) -> HttpResponse:
    """One box for a waybill number or a customer's phone: the parcel's view, and/or
    the parcels of the caller's work orders (an 11-digit mobile number is also a valid
    domestic waybill number, so both are tried)."""
    user = _need(request, can_track)
    q = request.GET.get("q", "").strip() or request.GET.get("phone", "").strip()
    view = None
    by_phone = None
    if q:
        if is_valid_waybill(q):
            try:
                view = selectors.parcel_get(user=user, waybill_no=q, now=timezone.now())
            except NotFound:
                view = None
        by_phone = selectors.parcels_by_phone(user=user, raw=q)
        if by_phone is not None and by_phone.empty and view is not None:
            by_phone = None  # a waybill that merely looks like a phone number
    found = view is not None or (by_phone is not None and not by_phone.empty)
    return render(
        request,
        "tracking/query.html",
        {"q": q, "view": view, "by_phone": by_phone, "searched": bool(q), "tab": "query"},
        status=404 if q and not found else 200,
    )


class ResultForm(forms.Form):
    waybill_no = forms.CharField(label=gettext_lazy("Waybill number"), max_length=20)
    result = forms.ChoiceField(
        label=gettext_lazy("Result"),
        choices=[("delivered", gettext_lazy("Delivered")), ("failed", gettext_lazy("Failed"))],
        widget=forms.RadioSelect,  # no preselection: the handler says which it was
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200, required=False)
    signer = forms.CharField(label=gettext_lazy("Signer"), max_length=64, required=False)
    event_time = forms.DateTimeField(
        label=gettext_lazy("Time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry(request: HttpRequest) -> HttpResponse:
    user = _need(request, can_enter_results)
    form = ResultForm(request.POST or None, initial={"waybill_no": request.GET.get("waybill", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = services.delivery_result_record(
                user=user,
                waybill_no=data["waybill_no"],
                result=data["result"],
                event_time=data["event_time"],
                reason=data["reason"],
                signer=data["signer"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Result recorded for %(waybill)s.") % {"waybill": event.waybill_no},
            )
            return redirect("tracking:entry")
    chase = selectors.chase_list(now=timezone.now(), user=user, limit=50)
    return render(request, "tracking/entry.html", {"form": form, "chase": chase, "tab": "entry"})


@login_required
def kpi(request: HttpRequest) -> HttpResponse:
    user = _need(request, can_read_delivery_targets)
    month, as_of = _month(request), _as_of(request)
    cfg = conf.kpi_config()
    by = request.GET.get("by", "office")
    if by not in {"office", "day", "operator"}:
        by = "office"
    rows = selectors.delivery_kpi_rows(user=user, month=month, as_of=as_of, by=by)
    centre = selectors.delivery_kpi_rows(user=user, month=month, as_of=as_of, by="centre")[0]
    return render(
        request,
        "tracking/kpi.html",
        {
            "month": month,
            "as_of": as_of,
            "by": by,
            "rows": rows,
            "centre": centre,
            "online_target": cfg.online_target,
            "timely_target": cfg.timely_target,
            "tab": "kpi",
        },
    )


@login_required
def kpi_office(request: HttpRequest, office_code: str) -> HttpResponse:
    user = _need(request, can_read_delivery_targets)
    month, as_of = _month(request), _as_of(request)
    rows = selectors.delivery_kpi_rows(
        user=user, month=month, as_of=as_of, by="day", office_code=office_code
    )
    cfg = conf.kpi_config()
    return render(
        request,
        "tracking/kpi_office.html",
        {
            "month": month,
            "as_of": as_of,
            "office_code": office_code,
            "rows": rows,
            "online_target": cfg.online_target,
            "timely_target": cfg.timely_target,
            "tab": "kpi",
        },
    )


@login_required
def attempts(request: HttpRequest, office_code: str) -> HttpResponse:
    user = _need(request, can_read_delivery_targets)
    as_of = _as_of(request)
    day = parse_day(request.GET["day"], field="day") if request.GET.get("day") else None
    which = request.GET.get("which", "all")
    rows = selectors.delivery_attempts(
        as_of=as_of,
        office_code=office_code,
        day=day,
        month=None if day else _month(request),
        which=which,
        user=user,
    )
    return render(
        request,
        "tracking/attempts.html",
        {
            "rows": rows,
            "office_code": office_code,
            "day": day,
            "which": which,
            "as_of": as_of,
            "tab": "kpi",
        },
    )


@login_required
def chase(request: HttpRequest) -> HttpResponse:
    user = _need(request, can_track)
    office = request.GET.get("office") or None
    rows = selectors.chase_list(now=timezone.now(), office_code=office, user=user)
    return render(request, "tracking/chase.html", {"rows": rows, "office": office, "tab": "chase"})


@login_required
def stale(request: HttpRequest) -> HttpResponse:
    user = _need(request, can_track)
    zone = request.GET.get("zone") or None
    rows = selectors.stale_items(now=timezone.now(), zone=zone, user=user)
    return render(
        request,
        "tracking/stale.html",
        {"rows": rows, "zone": zone, "limits": conf.stale_days(), "tab": "stale"},
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"))
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[("", gettext_lazy("by file name")), ("csv", "CSV"), ("jsonl", "JSON Lines")],
        required=False,
    )
    strict = forms.BooleanField(
        label=gettext_lazy("Reject the whole file if any line is bad"), required=False
    )


@login_required
@require_http_methods(["GET", "POST"])
def imports(request: HttpRequest) -> HttpResponse:
    user = _need(request, can_import)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.tracking_import_create(
                upload=form.cleaned_data["file"],
                fmt=form.cleaned_data["format"] or None,
                strict=form.cleaned_data["strict"],
                user=user,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("tracking:import_detail", run_id=run.pk)
    return render(
        request,
        "tracking/imports.html",
        {"form": form, "runs": selectors.import_runs(), "tab": "imports"},
    )


@login_required
def import_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    _need(request, can_import)
    run = get_object_or_404(ImportRun, pk=run_id)
    rejections = list(run.rejections.all()[:100])
    template = "tracking/_import_progress.html" if request.htmx else "tracking/import_detail.html"  # type: ignore[attr-defined]
    return render(request, template, {"run": run, "rejections": rejections, "tab": "imports"})


@login_required
def import_rejected(request: HttpRequest, run_id: int) -> HttpResponse:
    _need(request, can_import)
    run = get_object_or_404(ImportRun, pk=run_id)
    response = HttpResponse(
        services.rejected_lines_csv(run=run), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-rejected.csv"'
    return response
