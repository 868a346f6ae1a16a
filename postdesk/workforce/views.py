"""Pages of the workforce app: thin — parse, call one service or selector, render."""

from __future__ import annotations

import math

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from postdesk.core.errors import DomainError, ValidationFailed, page_errors
from postdesk.core.periods import parse_instant
from postdesk.org.models import Role, User
from postdesk.org.request import staff_user
from postdesk.workforce import report_flows, selectors
from postdesk.workforce.models import HandoverItem, InternalReport, Seat, Shift
from postdesk.workforce.services import (
    ItemInput,
    ReportInput,
    forecast_override_set,
    handover_acknowledge,
    handover_comment,
    handover_create,
    internal_report_act,
    internal_report_create,
    seat_place,
)
from postdesk.workforce.services.handovers import can_acknowledge
from postdesk.workforce.services.internal_reports import PRODUCTS, can_act
from postdesk.workforce.services.seats import can_edit_floor
from postdesk.workforce.staffing import REASONS

# ------------------------------------------------------------------------- handovers


@login_required
def handover_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    q = request.GET.get("q", "").strip()
    flag = request.GET.get("open", "")
    rows = selectors.handovers_list(user=user, q=q, unacknowledged=True if flag == "1" else None)
    return render(request, "workforce/handovers.html", {"rows": rows, "q": q, "open": flag})


@login_required
def handover_new(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    context: dict[str, object] = {
        "shifts": Shift.objects.filter(is_active=True),
        "kinds": HandoverItem.Kind.choices,
        "form": request.POST,
    }
    if request.method == "POST":
        items = []
        kinds = request.POST.getlist("item_kind")
        refs = request.POST.getlist("item_ref")
        texts = request.POST.getlist("item_text")
        for kind, ref, text in zip(kinds, refs, texts, strict=False):
            if kind and (ref.strip() or text.strip()):
                items.append(ItemInput(kind=kind, ref=ref, text=text))
        try:
            handover = handover_create(
                actor=user,
                shift_code=request.POST.get("shift", ""),
                text=request.POST.get("text", ""),
                items=items,
            )
        except DomainError as exc:
            context.update(page_errors(exc))
            return render(request, "workforce/handover_form.html", context, status=400)
        return redirect("workforce:handover", pk=handover.pk)
    return render(request, "workforce/handover_form.html", context)


@login_required
def handover_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    handover = selectors.handover_get(user=user, pk=pk)
    context: dict[str, object] = {}
    if request.method == "POST":
        try:
            if request.POST.get("action") == "ack":
                handover_acknowledge(
                    actor=user, handover=handover, comment=request.POST.get("comment", "")
                )
            else:
                handover_comment(actor=user, handover=handover, text=request.POST.get("text", ""))
        except DomainError as exc:
            context.update(page_errors(exc))
        else:
            return redirect("workforce:handover", pk=pk)
        handover = selectors.handover_get(user=user, pk=pk)
    context.update(
        {
            "h": handover,
            "items": list(handover.items.all()),
            "comments": list(handover.comments.select_related("author")),
            "can_ack": can_acknowledge(user=user, handover=handover),
        }
    )
    return render(
        request, "workforce/handover.html", context, status=400 if "error" in context else 200
    )


@login_required
@require_GET
def handover_panel(request: HttpRequest) -> HttpResponse:
    rows = selectors.handovers_waiting_for(user=staff_user(request))
    return render(request, "workforce/_handover_panel.html", {"rows": rows})


# ------------------------------------------------------------------- internal reports


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    if kind not in report_flows.KINDS:
        kind = ""
    known = {s for statuses in report_flows.STATUSES.values() for s in statuses}
    if status not in known:
        status = ""
    result = selectors.internal_reports_list(user=user, kind=kind, status=status)
    return render(
        request,
        "workforce/reports.html",
        {
            "rows": result.results,
            "count": result.count,
            "kind": kind,
            "status": status,
            "kinds": InternalReport.Kind.choices,
        },
    )


@login_required
def report_new(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    context: dict[str, object] = {
        "kinds": InternalReport.Kind.choices,
        "products": PRODUCTS,
        "seats": Seat.objects.exclude(kind=Seat.Kind.LEAD_DESK).order_by("number"),
        "form": request.POST if request.method == "POST" else request.GET,
    }
    if request.method == "POST":
        data = ReportInput(
            kind=request.POST.get("kind", ""),
            title=request.POST.get("title", ""),
            text=request.POST.get("text", ""),
            seat=request.POST.get("seat", ""),
            call=request.POST.get("call", ""),
            work_order=request.POST.get("work_order", ""),
            product=request.POST.get("product", ""),
            contact_phone=request.POST.get("contact_phone", ""),
        )
        try:
            report = internal_report_create(actor=user, data=data)
        except DomainError as exc:
            context.update(page_errors(exc))
            return render(request, "workforce/report_form.html", context, status=400)
        return redirect("workforce:report", number=report.number)
    return render(request, "workforce/report_form.html", context)


@login_required
def report_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = staff_user(request)
    report = selectors.internal_report_get(user=user, number=number)
    context: dict[str, object] = {}
    if request.method == "POST":
        try:
            internal_report_act(
                actor=user,
                report=report,
                action=request.POST.get("action", ""),
                text=request.POST.get("text", ""),
            )
        except DomainError as exc:
            context.update(page_errors(exc))
        else:
            return redirect("workforce:report", number=number)
    actions = [
        a
        for a in report_flows.actions_from(report.kind, report.status)
        if can_act(user=user, report=report, action=a)
    ]
    context.update(
        {
            "r": report,
            "events": selectors.internal_report_events(report=report),
            "actions": actions,
        }
    )
    return render(
        request, "workforce/report.html", context, status=400 if "error" in context else 200
    )


# --------------------------------------------------------------------------- seat map


def _plan_id(request: HttpRequest) -> int | None:
    raw = request.GET.get("plan") or request.POST.get("plan") or ""
    return int(raw) if raw.isdigit() else None


@login_required
def floor_page(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    plan = selectors.floor_plan_get(user=user, plan_id=_plan_id(request))
    context: dict[str, object] = {
        "map": selectors.seat_map(user=user, plan=plan),
        "plans": selectors.floor_plans(user=user),
        "can_edit": can_edit_floor(user=user),
        "kinds": Seat.Kind.choices,
        "agents": User.objects.filter(is_active=True, unit__path__startswith=plan.unit.path)
        .exclude(role=Role.HANDLER)
        .order_by("agent_no", "username"),
        "form": request.POST,
    }
    if request.method == "POST":
        occupant_id = request.POST.get("occupant", "")
        try:
            seat_place(
                actor=user,
                plan=plan,
                number=request.POST.get("number", ""),
                row=_int(request.POST.get("row", "")) - 1,
                col=_int(request.POST.get("col", "")) - 1,
                kind=request.POST.get("kind", Seat.Kind.SEAT),
                label=request.POST.get("label", ""),
                equipment=request.POST.get("equipment", ""),
                occupant=User.objects.filter(pk=occupant_id).first()
                if occupant_id.isdigit()
                else None,
            )
        except DomainError as exc:
            context.update(page_errors(exc))
            context["map"] = selectors.seat_map(user=user, plan=plan)
            return render(request, "workforce/floor.html", context, status=400)
        return redirect(f"{request.path}?plan={plan.pk}")
    return render(request, "workforce/floor.html", context)


def _int(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        return -1


@login_required
@require_GET
def floor_panel(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    plan = selectors.floor_plan_get(user=user, plan_id=_plan_id(request))
    return render(
        request, "workforce/_floor.html", {"map": selectors.seat_map(user=user, plan=plan)}
    )


# ------------------------------------------------------------------ staffing forecast


def _float(raw: str | None, default: float, name: str, errors: dict[str, str]) -> float:
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        errors[name] = str(REASONS["not_a_number"])
        return default
    if not math.isfinite(value):
        errors[name] = str(REASONS["not_a_number"])
        return default
    return value


@login_required
def staffing_page(request: HttpRequest) -> HttpResponse:
    """The forecast of the next 14 days, its MAPE, and the agents each half hour needs."""
    user = staff_user(request)
    errors: dict[str, str] = {}
    params = request.POST if request.method == "POST" else request.GET
    target_sl = _float(params.get("target_sl"), 0.8, "target_sl", errors)
    target_seconds = _float(params.get("target_seconds"), 20, "target_seconds", errors)
    shrinkage = _float(params.get("shrinkage"), 0.3, "shrinkage", errors)
    status = 200
    if request.method == "POST" and not errors and user.unit is not None:
        try:
            start = parse_instant(request.POST.get("start", ""), field="start", default_now=False)
            raw = request.POST.get("calls", "").strip()
            calls = _float(raw, 0, "calls", errors) if raw else None
            if not errors:
                forecast_override_set(actor=user, unit=user.unit, start=start, calls=calls)
        except DomainError as exc:
            errors.update({k: str(v) for k, v in exc.fields.items()})
    if errors:
        status = 400
        target_sl, target_seconds, shrinkage = 0.8, 20.0, 0.3
    try:
        requirement = selectors.staffing_requirement(
            user=user, target_sl=target_sl, target_seconds=target_seconds, shrinkage=shrinkage
        )
    except ValidationFailed as exc:
        errors.update({k: str(v) for k, v in exc.fields.items()})
        status = 400
        requirement = selectors.staffing_requirement(user=user)
    days = requirement.by_day()
    chosen = params.get("day", "")
    day_rows = next((rows for d, rows in days.items() if d.isoformat() == chosen), None)
    if day_rows is None:
        day_rows = next(iter(days.values()))
    chart = {
        "labels": [timezone.localtime(r.start).strftime("%m-%d %H:%M") for r in requirement.rows],
        "calls": [round(r.calls, 1) for r in requirement.rows],
        "agents": [r.staffing.agents for r in requirement.rows],
        "scheduled": [r.staffing.scheduled for r in requirement.rows],
    }
    return render(
        request,
        "workforce/staffing.html",
        {
            "req": requirement,
            "days": [
                {
                    "day": d,
                    "calls": sum(r.calls for r in rows),
                    "peak": max(r.staffing.scheduled for r in rows),
                }
                for d, rows in days.items()
            ],
            "day_rows": day_rows,
            "chosen": day_rows[0].day,
            "chart": chart,
            "field_errors": errors,
            "can_override": user.unit is not None,
        },
        status=status,
    )
