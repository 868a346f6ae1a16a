"""The service-area pages (administrators): the units and their rule counts, one unit's
rules with add / edit / delete, the address tester, the CSV import and the demo's sample
addresses. Thin: parse, check `can_manage_routing`, call one service or selector."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from postdesk.core.csvimport import read_upload
from postdesk.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from postdesk.core.forms import add_domain_error
from postdesk.org.models import Unit, User
from postdesk.org.request import staff_user
from postdesk.routing import demo, explain, selectors, services
from postdesk.routing.forms import AddressForm, AreaImportForm, RuleEditForm, RuleForm
from postdesk.routing.models import ServiceArea
from postdesk.routing.rules import Rule, can_manage_routing


def _admin(request: HttpRequest) -> User:
    user = staff_user(request)
    if not can_manage_routing(user):
        raise PermissionDenied(_("Only administrators manage the service-area table."))
    return user


def _unit(user: User, code: str) -> Unit:
    unit = selectors.unit_for_areas(user=user, code=code)
    if unit is None:
        raise NotFound(_("There is no unit “%(code)s”.") % {"code": code})
    return unit


def _area(user: User, area_id: int) -> ServiceArea:
    area = selectors.service_area_get(user=user, area_id=area_id)
    if area is None:
        raise NotFound(_("There is no such rule (it may have been deleted)."))
    return area


def _rule(area: ServiceArea) -> Rule:
    return Rule(
        id=area.pk,
        unit_id=area.unit_id,
        unit_code=area.unit.code,
        province=area.province,
        city=area.city,
        district=area.district,
        town=area.town,
        keywords=tuple(area.keyword_list),
    )


def _tester(request: HttpRequest) -> dict[str, object]:
    """The address tester's form and, when an address was sent, the router's answer."""
    form = AddressForm(request.GET if "address" in request.GET else None)
    answer = None
    if form.is_bound and form.is_valid():
        try:
            result = selectors.route_address(address=form.cleaned_data["address"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            answer = {
                "result": result,
                "status_label": explain.status_label(result.status),
                "explanation": explain.route_explanation(result),
                "rule_text": explain.rule_text(result.rule) if result.rule else "",
                "keyword": result.rule.keyword_in(result.parsed) if result.rule else "",
                "matches": [
                    {"rule": rule, "text": explain.rule_text(rule)} for rule in result.matches
                ],
            }
    return {"tester": form, "answer": answer}


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    units = [
        {"unit": unit, "depth": unit.path.count("/") - 2}
        for unit in selectors.units_with_rule_counts(user=user)
    ]
    total = sum(row["unit"].rule_count for row in units)  # type: ignore[attr-defined]
    return render(
        request, "routing/index.html", {"units": units, "total": total, **_tester(request)}
    )


@login_required
def test_address(request: HttpRequest) -> HttpResponse:
    """The tester alone: the answer fragment for htmx, else a page of its own."""
    _admin(request)
    context = _tester(request)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "routing/_answer.html", context)
    status = 400 if context["tester"].errors else 200  # type: ignore[attr-defined]
    return render(request, "routing/test.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def unit_rules(request: HttpRequest, code: str) -> HttpResponse:
    user = _admin(request)
    unit = _unit(user, code)
    form = RuleForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            area = services.service_area_save(actor=user, area=None, values=form.values(unit.code))
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Rule %(id)d added.") % {"id": area.pk})
            return redirect("routing:unit", code=unit.code)
    if form.errors:
        status = 400
    rules = [
        {"area": area, "rule": _rule(area)}
        for area in selectors.service_areas_list(user=user, unit=unit)
    ]
    return render(
        request,
        "routing/unit.html",
        {"unit": unit, "rules": rules, "form": form, **_tester(request)},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, area_id: int) -> HttpResponse:
    user = _admin(request)
    area = _area(user, area_id)
    initial = {
        "unit_code": area.unit.code,
        "province": area.province,
        "city": area.city,
        "district": area.district,
        "town": area.town,
        "keywords": "|".join(area.keyword_list),
    }
    form = RuleEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.service_area_save(
                actor=user, area=area, values=form.values(form.cleaned_data["unit_code"])
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Rule %(id)d saved.") % {"id": saved.pk})
            return redirect("routing:unit", code=saved.unit.code)
    return render(
        request,
        "routing/rule_edit.html",
        {"area": area, "rule": _rule(area), "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def rule_delete(request: HttpRequest, area_id: int) -> HttpResponse:
    user = _admin(request)
    area = _area(user, area_id)
    code = area.unit.code
    services.service_area_delete(actor=user, area=area)
    messages.success(request, _("Rule %(id)d deleted.") % {"id": area_id})
    url = reverse("routing:unit", kwargs={"code": code})
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)


@login_required
@require_http_methods(["GET", "POST"])
def import_areas(request: HttpRequest) -> HttpResponse:
    """Upload a service-area CSV: the same import as `postdesk import_service_areas`."""
    user = _admin(request)
    form = AreaImportForm(request.POST or None, request.FILES or None)
    report = None
    replace = False
    if request.method == "POST" and form.is_valid():
        replace = form.cleaned_data["replace"]
        try:
            report = services.service_areas_import(
                data=read_upload(form.cleaned_data["file"]), replace=replace, actor=user
            )
        except ValidationFailed as exc:
            add_domain_error(form, exc)
    return render(
        request,
        "routing/import.html",
        {
            "form": form,
            "report": report,
            "replace_refused": bool(report and replace and report.rejected),
            "header": ",".join(services.HEADER),
        },
        status=400 if form.errors else 200,
    )


@login_required
def samples(request: HttpRequest) -> HttpResponse:
    """The demo's sample addresses, each with the router's answer against today's table
    and the answer the demo table was made to give."""
    _admin(request)
    rows = []
    for sample in demo.SAMPLES:
        result = selectors.route_address(address=sample.address)
        rows.append(
            {
                "sample": sample,
                "result": result,
                "status_label": explain.status_label(result.status),
                "expected_label": explain.status_label(sample.status),
                "explanation": explain.route_explanation(result),
                "as_designed": (result.status, tuple(result.candidate_codes))
                == (sample.status, sample.units),
            }
        )
    return render(request, "routing/samples.html", {"rows": rows})
